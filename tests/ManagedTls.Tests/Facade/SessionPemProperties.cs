using FsCheck.Xunit;
using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>Properties of the SSL_SESSION codec: round trips of random sessions, and corrupted input fails only as <see cref="SslException"/>.</summary>
public sealed class SessionPemProperties
{
    private static Tls13Session RandomSession(int seed)
    {
        var r = new Random(seed);
        CipherSuiteInfo suite = CipherSuiteRegistry.Tls13Suites[r.Next(CipherSuiteRegistry.Tls13Suites.Count)];
        byte[] ticket = new byte[1 + r.Next(400)];
        r.NextBytes(ticket);
        byte[] psk = new byte[suite.PrfHash == ManagedTls.Crypto.HashAlgorithm.Sha384 ? 48 : 32];
        r.NextBytes(psk);
        byte[]? alpn = r.Next(2) == 0 ? null : "h2"u8.ToArray();
        return new Tls13Session(ticket, psk, suite, (uint)r.Next(1, 604800), (uint)r.NextInt64(0, uint.MaxValue + 1L), DateTimeOffset.FromUnixTimeSeconds(r.NextInt64(0, 4_000_000_000L)))
        {
            Alpn = alpn,
            ServerName = r.Next(2) == 0 ? null : "host" + r.Next(1000) + ".example",
        };
    }

    [Property(MaxTest = 200)]
    public void Encode_then_decode_keeps_every_field(int seed)
    {
        using Tls13Session a = RandomSession(seed);
        using Tls13Session b = SslSessionPem.FromPem(SslSessionPem.ToPem(a));
        Assert.Equal(a.Ticket, b.Ticket);
        Assert.Equal(a.Psk.ToArray(), b.Psk.ToArray());
        Assert.Equal(a.Suite, b.Suite);
        Assert.Equal((a.LifetimeSeconds, a.AgeAdd, a.CreatedAt, a.ServerName), (b.LifetimeSeconds, b.AgeAdd, b.CreatedAt, b.ServerName));
        Assert.Equal(a.Alpn, b.Alpn);
    }

    [Property(MaxTest = 300)]
    public void Corrupted_encodings_fail_only_as_SslException(int seed, int position, byte value)
    {
        using Tls13Session a = RandomSession(seed);
        byte[] der = SslSessionPem.Encode(a);
        der[(int)((uint)position % (uint)der.Length)] ^= (byte)(value | 1);
        try
        {
            SslSessionPem.Decode(der).Dispose();
        }
        catch (SslException)
        {
            // A refusal is fine; anything else would escape as a bug.
        }
    }
}
