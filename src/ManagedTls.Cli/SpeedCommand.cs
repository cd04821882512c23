using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using ManagedTls.Connection;
using ManagedTls.Crypto;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls speed [-seconds N] [ALGORITHM...]</c>: AEAD throughput as <c>openssl speed -evp</c> prints it
/// (thousands of bytes per second for 16, 256, 1024, 8192 and 16384-byte messages with a 13-byte AAD, as a
/// TLS record has), seal and open, for every AEAD algorithm: the hardware implementation where this CPU has
/// one and BouncyCastle always. Then which CPU instructions the runtime reports and which algorithms use
/// them, X25519 agreements per second and in-memory TLS 1.3 handshakes per second.
/// </summary>
internal static class SpeedCommand
{
    /// <summary>The message sizes timed, as <c>openssl speed</c> names its columns.</summary>
    internal static readonly int[] Sizes = [16, 256, 1024, 8192, 16384];

    private const int AadLength = 13;

    public static int Run(string[] args) => Run(args, Console.Out);

    /// <summary>Runs the command, writing to <paramref name="output"/>.</summary>
    internal static int Run(string[] args, TextWriter output)
    {
        double seconds = 1;
        bool handshakes = true;
        var chosen = new List<AeadAlgorithm>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-seconds":
                    if (i + 1 >= args.Length || !double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || seconds <= 0 || seconds > 3600)
                    {
                        throw new UsageException("-seconds needs a number of seconds (0 < N <= 3600)");
                    }

                    break;
                case "-no_handshake":
                    handshakes = false;
                    break;
                case "-help" or "-h" or "--help":
                    output.WriteLine("usage: managedtls speed [-seconds N] [-no_handshake] [ALGORITHM...]");
                    output.WriteLine("  ALGORITHM: " + string.Join(", ", Enum.GetValues<AeadAlgorithm>().Select(Name)));
                    return 0;
                default:
                    chosen.Add(Parse(args[i]));
                    break;
            }
        }

        AeadAlgorithm[] algorithms = chosen.Count > 0 ? chosen.Distinct().ToArray() : Enum.GetValues<AeadAlgorithm>();
        var rows = new List<(string Name, double[] Rates)>();
        foreach (AeadAlgorithm algorithm in algorithms)
        {
            var implementations = new List<(AeadImplementation Kind, string Label)>();
            if (Aeads.HasHardware(algorithm))
            {
                implementations.Add((AeadImplementation.Hardware, "hardware"));
            }

            implementations.Add((AeadImplementation.Portable, "BouncyCastle"));
            foreach (var (kind, label) in implementations)
            {
                foreach (bool seal in new[] { true, false })
                {
                    string name = $"{Name(algorithm)} {(seal ? "seal" : "open")} ({label})";
                    double[] rates = new double[Sizes.Length];
                    for (int s = 0; s < Sizes.Length; s++)
                    {
                        (long ops, double elapsed) = Time(algorithm, kind, Sizes[s], seal, seconds);
                        rates[s] = ops * (double)Sizes[s] / elapsed;
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Doing {name} for {seconds:0.###}s on {Sizes[s]} size blocks: {ops} ops in {elapsed:F2}s"));
                    }

                    rows.Add((name, rates));
                }
            }
        }

        output.WriteLine("The 'numbers' are in 1000s of bytes per second processed.");
        int width = Math.Max(4, rows.Max(r => r.Name.Length));
        output.WriteLine("type".PadRight(width) + string.Concat(Sizes.Select(s => $"{s} bytes".PadLeft(14))));
        foreach (var (name, rates) in rows)
        {
            output.WriteLine(name.PadRight(width) + string.Concat(rates.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r / 1000:F2}k").PadLeft(14))));
        }

        output.WriteLine($"cpu instructions: {CpuFlags()}");
        foreach (AeadAlgorithm algorithm in algorithms)
        {
            output.WriteLine($"hardware acceleration: {Name(algorithm)}: {(Aeads.HasHardware(algorithm) ? "yes" : "no")}");
        }

        if (handshakes)
        {
            foreach (bool fast in MontgomeryKeyExchange.FastX25519 ? new[] { true, false } : [false])
            {
                (long agreements, double x25519Seconds) = X25519Agreements(seconds, fast);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"x25519: {agreements / x25519Seconds:F1} agreements/s ({(fast ? "managed radix 2^51, the engine's" : MontgomeryKeyExchange.FastX25519 ? "BouncyCastle" : "BouncyCastle, the engine's")}; {agreements} in {x25519Seconds:F2}s)"));
            }

            (int pairs, double elapsed) = Handshakes(seconds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"handshakes: {pairs / elapsed:F1} TLS 1.3 client+server pairs/s in memory (x25519, Ed25519 certificate, {pairs} in {elapsed:F2}s)"));
        }

        return 0;
    }

    /// <summary>The lower-case name <c>openssl</c> uses for the algorithm (<c>aes-128-gcm</c>).</summary>
    internal static string Name(AeadAlgorithm algorithm) => algorithm switch
    {
        AeadAlgorithm.Aes128Gcm => "aes-128-gcm",
        AeadAlgorithm.Aes256Gcm => "aes-256-gcm",
        AeadAlgorithm.ChaCha20Poly1305 => "chacha20-poly1305",
        AeadAlgorithm.Aes128Ccm => "aes-128-ccm",
        AeadAlgorithm.Aes128Ccm8 => "aes-128-ccm8",
        AeadAlgorithm.Aes256Ccm => "aes-256-ccm",
        AeadAlgorithm.Aes256Ccm8 => "aes-256-ccm8",
        _ => algorithm.ToString().ToLowerInvariant(),
    };

    private static AeadAlgorithm Parse(string text)
    {
        foreach (AeadAlgorithm algorithm in Enum.GetValues<AeadAlgorithm>())
        {
            if (string.Equals(text, Name(algorithm), StringComparison.OrdinalIgnoreCase) || string.Equals(text, algorithm.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return algorithm;
            }
        }

        throw new UsageException($"unknown algorithm '{text}' (one of {string.Join(", ", Enum.GetValues<AeadAlgorithm>().Select(Name))})");
    }

    /// <summary>Seals (fresh nonce each time) or opens (one sealed message, out of place) until the time is up.</summary>
    private static (long Ops, double Seconds) Time(AeadAlgorithm algorithm, AeadImplementation kind, int size, bool seal, double seconds)
    {
        using IAead aead = Aeads.Create(algorithm, new byte[Aeads.KeySize(algorithm)], kind);
        byte[] nonce = new byte[12];
        byte[] openNonce = new byte[12];
        byte[] aad = new byte[AadLength];
        byte[] plain = new byte[size];
        byte[] sealedMessage = new byte[size + aead.TagSize];
        byte[] work = new byte[size + aead.TagSize];
        aead.Seal(openNonce, aad, plain, sealedMessage);
        long sequence = 0;
        void Once()
        {
            if (seal)
            {
                BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), ++sequence);
                aead.Seal(nonce, aad, plain, work);
            }
            else if (!aead.TryOpen(openNonce, aad, sealedMessage, work))
            {
                throw new InvalidOperationException($"{algorithm} could not open its own message");
            }
        }

        // Warm up (tiered compilation), then count whole operations until the time is up.
        for (int i = 0; i < 16; i++)
        {
            Once();
        }

        long limit = (long)(seconds * Stopwatch.Frequency);
        long start = Stopwatch.GetTimestamp();
        long ops = 0;
        long now;
        do
        {
            Once();
            ops++;
            now = Stopwatch.GetTimestamp();
        }
        while (now - start < limit);
        return (ops, (now - start) / (double)Stopwatch.Frequency);
    }

    /// <summary>The x86 instruction sets the runtime reports (what the hardware paths can use).</summary>
    internal static string CpuFlags()
    {
        var flags = new List<string>();
        if (Sse2.IsSupported)
        {
            flags.Add("sse2");
        }

        if (Ssse3.IsSupported)
        {
            flags.Add("ssse3");
        }

        if (Sse41.IsSupported)
        {
            flags.Add("sse4.1");
        }

        if (Aes.IsSupported)
        {
            flags.Add("aes");
        }

        if (Pclmulqdq.IsSupported)
        {
            flags.Add("pclmulqdq");
        }

        if (Avx2.IsSupported)
        {
            flags.Add("avx2");
        }

        if (Pclmulqdq.V256.IsSupported)
        {
            flags.Add("vpclmulqdq");
        }

        if (Avx512F.IsSupported)
        {
            flags.Add("avx512f");
        }

        if (System.Runtime.Intrinsics.Arm.Aes.IsSupported)
        {
            flags.Add("arm-aes");
        }

        return flags.Count == 0 ? "none" : string.Join(' ', flags);
    }

    /// <summary>X25519 shared-secret computations (RFC 7748 section 6.1's key pair) on the managed ladder or on BouncyCastle.</summary>
    private static (long Agreements, double Seconds) X25519Agreements(double seconds, bool fast)
    {
        byte[] secret = new byte[32];
        byte[] alice = CryptoUtil.FromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPublic = CryptoUtil.FromHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        long limit = (long)(seconds * Stopwatch.Frequency);
        long start = Stopwatch.GetTimestamp();
        long count = 0;
        long now;
        do
        {
            if (!MontgomeryKeyExchange.AgreeX25519(alice, bobPublic, secret, fast))
            {
                throw new InvalidOperationException("the X25519 agreement of RFC 7748 section 6.1 gave zero");
            }

            count++;
            now = Stopwatch.GetTimestamp();
        }
        while (now - start < limit);
        CryptoUtil.Wipe(secret);
        return (count, (now - start) / (double)Stopwatch.Frequency);
    }

    /// <summary>Full TLS 1.3 handshakes between an in-memory client and server (the connection fixture's plain configuration).</summary>
    private static (int Pairs, double Seconds) Handshakes(double seconds)
    {
        static void One()
        {
            using TlsConnection client = TlsConnection.CreateClient(ConnectionFuzzFixture.Client(0));
            using TlsConnection server = TlsConnection.CreateServer(ConnectionFuzzFixture.Server(0));
            ConnectionFuzzFixture.Pump(client, server);
            if (!client.IsHandshakeComplete || !server.IsHandshakeComplete)
            {
                throw new InvalidOperationException("the in-memory handshake did not complete");
            }
        }

        One();
        long limit = (long)(seconds * Stopwatch.Frequency);
        long start = Stopwatch.GetTimestamp();
        int pairs = 0;
        long now;
        do
        {
            One();
            pairs++;
            now = Stopwatch.GetTimestamp();
        }
        while (now - start < limit);
        return (pairs, (now - start) / (double)Stopwatch.Frequency);
    }
}
