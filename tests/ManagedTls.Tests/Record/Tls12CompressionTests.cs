using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Record;
using ManagedTls.Ssl;
using ManagedTls.Testing;
using ManagedTls.Tests.Connection;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Record;

/// <summary>
/// TLS 1.2 compression end to end (RFC 3749, RFC 5246 section 6.2.2): negotiated only when both sides clear
/// OP_NO_COMPRESSION and the hello cannot negotiate TLS 1.3, one DEFLATE stream per direction across records, the
/// facade's <c>compression()</c>, records checked against Python's zlib and pyca/cryptography, and hostile compressed
/// records from the adversarial kit.
/// </summary>
public class Tls12CompressionTests
{
    private const string DefaultSuite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private readonly ITestOutputHelper _output;

    /// <summary>Creates the tests with xunit's output.</summary>
    public Tls12CompressionTests(ITestOutputHelper output) => _output = output;

    private static TlsConfig Tls12(TlsConfig config, bool compression, string suite = DefaultSuite) => config with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = [CipherSuiteRegistry.FindByIanaName(suite)!],
        Compression = compression,
    };

    private static ConnectionPair Pair(bool client, bool server, string suite = DefaultSuite, List<string>? keyLog = null)
    {
        TlsConfig c = Tls12(ConnectionTestKit.Client(), client, suite);
        if (keyLog is not null)
        {
            c = c with { KeyLog = keyLog.Add };
        }

        return new ConnectionPair(c, Tls12(ConnectionTestKit.Server(), server, suite));
    }

    // ClientHello record: header(5) msg_type(1) length(3) legacy_version(2) random(32) session_id<0..32> cipher_suites<2..> compression_methods<1..>.
    private static byte[] OfferedMethods(ConnectionPair pair)
    {
        byte[] hello = Records.Split(pair.ClientWire)[0];
        int i = 5 + 4 + 2 + 32;
        i += 1 + hello[i];
        i += 2 + ((hello[i] << 8) | hello[i + 1]);
        return hello.AsSpan(i + 1, hello[i]).ToArray();
    }

    // ServerHello record: header(5) msg_type(1) length(3) legacy_version(2) random(32) session_id<0..32> cipher_suite(2) compression_method(1).
    private static byte ChosenMethod(ConnectionPair pair)
    {
        byte[] hello = Records.Split(pair.ServerWire)[0];
        int i = 5 + 4 + 2 + 32;
        i += 1 + hello[i];
        return hello[i + 2];
    }

    private static int LastApplicationDataRecordLength(IEnumerable<byte[]> wire) => Records.Split(wire).Last(r => r[0] == 23).Length;

    public static TheoryData<string> Suites() => new()
    {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    };

    [Theory]
    [MemberData(nameof(Suites))]
    public void Deflate_is_negotiated_when_both_sides_allow_it_and_one_stream_runs_per_direction(string suite)
    {
        using ConnectionPair pair = Pair(client: true, server: true, suite);
        pair.Handshake();
        Assert.Equal([1, 0], OfferedMethods(pair));
        Assert.Equal(1, ChosenMethod(pair));
        Assert.Equal(CompressionMethod.Deflate, pair.Client.Compression);
        Assert.Equal(CompressionMethod.Deflate, pair.Server.Compression);

        // The same incompressible block four times, one record each: the first record carries it whole, the later ones
        // only back-references to it, which exist only if the stream's history survives from record to record.
        byte[] block = new byte[3000];
        new Random(5).NextBytes(block);
        var sizes = new List<int>();
        for (int i = 0; i < 4; i++)
        {
            pair.Client.WriteApplicationData(block);
            pair.Pump();
            Assert.Equal(block, ConnectionPair.ReadAll(pair.Server));
            sizes.Add(LastApplicationDataRecordLength(pair.ClientWire));
        }

        _output.WriteLine($"{suite}: records of {string.Join(", ", sizes)} bytes for 4 x 3000 bytes");
        Assert.True(sizes[0] > 3000, $"{sizes[0]}");
        Assert.All(sizes.Skip(1), s => Assert.True(s < 120, $"{s}"));

        // Many records both ways, larger than one record, text and noise.
        byte[] text = RecordCompressionTests.Text(50_000, 3);
        byte[] noise = new byte[40_000];
        new Random(6).NextBytes(noise);
        foreach (byte[] data in new[] { text, noise, text })
        {
            pair.Server.WriteApplicationData(data);
            pair.Client.WriteApplicationData(data);
            pair.Pump();
            Assert.Equal(data, ConnectionPair.ReadAll(pair.Client));
            Assert.Equal(data, ConnectionPair.ReadAll(pair.Server));
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Without_both_sides_only_null_is_used(bool client, bool server)
    {
        using ConnectionPair pair = Pair(client, server);
        pair.Handshake();
        Assert.Equal(client ? [1, 0] : [0], OfferedMethods(pair));
        Assert.Equal(0, ChosenMethod(pair));
        Assert.Equal(CompressionMethod.Null, pair.Client.Compression);
        Assert.Equal(CompressionMethod.Null, pair.Server.Compression);
        byte[] text = RecordCompressionTests.Text(3000, 4);
        pair.Client.WriteApplicationData(text);
        pair.Pump();
        Assert.Equal(text, ConnectionPair.ReadAll(pair.Server));
        Assert.True(LastApplicationDataRecordLength(pair.ClientWire) > 3000);
    }

    /// <summary>As OpenSSL 3.0: a hello that may negotiate TLS 1.3 lists only null (RFC 8446 section 4.1.2).</summary>
    [Fact]
    public void A_client_that_offers_tls13_offers_only_null()
    {
        TlsConfig client = ConnectionTestKit.Client() with
        {
            MinimumVersion = ProtocolVersion.Tls12,
            MaximumVersion = ProtocolVersion.Tls13,
            Tls12CipherSuites = [CipherSuiteRegistry.FindByIanaName(DefaultSuite)!],
            Compression = true,
        };
        using var pair = new ConnectionPair(client, Tls12(ConnectionTestKit.Server(), compression: true));
        pair.Handshake();
        Assert.Equal([0], OfferedMethods(pair));
        Assert.Equal(ProtocolVersion.Tls12, pair.Client.Version);
        Assert.Equal(CompressionMethod.Null, pair.Client.Compression);
        Assert.Equal(CompressionMethod.Null, pair.Server.Compression);
    }

    [Fact]
    public void The_facade_reports_ZLIB_only_with_compression_cleared_on_both_sides()
    {
        Assert.Equal("ZLIB", FacadeCompression(clear: true, maxTls12: true));
        Assert.Null(FacadeCompression(clear: false, maxTls12: true));
        Assert.Null(FacadeCompression(clear: true, maxTls12: false));
        Assert.Equal(SslOptions.NoCompression, new SslContext(SslProtocol.TlsClient).Options & SslOptions.NoCompression);
    }

    private static string? FacadeCompression(bool clear, bool maxTls12)
    {
        (SslContext server, SslContext client) = EngineTargets.Contexts();
        if (clear)
        {
            server.Options &= ~SslOptions.NoCompression;
            client.Options &= ~SslOptions.NoCompression;
        }

        if (maxTls12)
        {
            client.MaximumVersion = TlsVersion.TlsV1_2;
        }

        MemoryBio ci = new(), co = new(), si = new(), so = new();
        SslObject c = client.WrapBio(ci, co, serverHostname: EngineTargets.Pki.HostName);
        SslObject s = server.WrapBio(si, so, serverSide: true);
        Assert.Null(c.Compression());
        bool clientDone = false, serverDone = false;
        for (int round = 0; round < 6 && !(clientDone && serverDone); round++)
        {
            clientDone = Step(c);
            si.Write(co.Read());
            serverDone = Step(s);
            ci.Write(so.Read());
        }

        Assert.True(clientDone && serverDone);
        Assert.Equal(maxTls12 ? "TLSv1.2" : "TLSv1.3", c.Version());
        c.Write("compressed?"u8.ToArray());
        si.Write(co.Read());
        Assert.Equal("compressed?"u8.ToArray(), s.Read());
        Assert.Equal(c.Compression(), s.Compression());
        return c.Compression();

        static bool Step(SslObject o)
        {
            try
            {
                o.DoHandshake();
                return true;
            }
            catch (SslWantReadException)
            {
                return false;
            }
        }
    }

    [Fact]
    public void A_ClientHello_without_the_null_method_is_illegal_parameter_even_with_compression_allowed()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            s => s.ClientHello12(new ClientHelloOptions { Edit = m => m.SetBytes("legacy_compression_methods", [1]) })
                .ExpectAlert(AlertDescription.IllegalParameter),
            configure: c => Tls12Kit(c, compression: true));
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Fact]
    public void A_server_choosing_deflate_unoffered_is_illegal_parameter()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(
            s => s.Expect(HandshakeType.ClientHello)
                .ServerFlight12(new ServerFlightOptions { Edit = ChooseDeflate })
                .ExpectAlert(AlertDescription.IllegalParameter),
            configure: c => Tls12Kit(c, compression: false));
        Assert.Equal(AlertDescription.IllegalParameter, failure?.Description);
    }

    [Fact]
    public void The_kit_server_and_our_client_exchange_compressed_records()
    {
        byte[] text = RecordCompressionTests.Text(20_000, 5);
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki, c => Tls12Kit(c, compression: true));
        using DelegateTarget target = EngineTargets.For(client);
        TlsScript.AsServer(EngineTargets.Options())
            .Handshake12(new ServerFlightOptions { Edit = ChooseDeflate })
            .SendApplicationData(text)
            .Run(target);
        Assert.Null(client.Failure);
        Assert.Equal(CompressionMethod.Deflate, client.Compression);
        Assert.Equal(text, ConnectionPair.ReadAll(client));
    }

    /// <summary>
    /// A decompression bomb: one record whose DEFLATE data (continuing the stream after the server's Finished) expands
    /// to 8 MiB of zeros. The client stops once 2^14 + 1 bytes are out: decompression_failure, in bounded time and
    /// memory.
    /// </summary>
    [Fact]
    public void A_decompression_bomb_is_decompression_failure_quickly_and_without_unbounded_memory()
    {
        byte[] bomb = RawDeflate(new byte[8 << 20]);
        Assert.True(bomb.Length < RecordLimits.MaxCompressed, $"{bomb.Length}");
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki, c => Tls12Kit(c, compression: true));
        long allocated = 0;
        double milliseconds = 0;
        using var target = new DelegateTarget(
            deliver: bytes =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                try
                {
                    client.ReceiveBytes(bytes);
                }
                finally
                {
                    // What the last delivery (the bomb's record) cost.
                    milliseconds = clock.Elapsed.TotalMilliseconds;
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
            },
            takeOutput: () =>
            {
                byte[] b = new byte[client.OutgoingLength];
                client.TakeOutgoing(b);
                return b;
            },
            isClosed: () => client.IsClosedForWriting && !client.HasOutgoing);
        TlsScript.AsServer(EngineTargets.Options())
            .Handshake12(new ServerFlightOptions { Edit = ChooseDeflate })
            .SendCompressedRecord(ContentType.ApplicationData, bomb)
            .ExpectAlert(AlertDescription.DecompressionFailure)
            .Run(target);
        Assert.Equal(AlertDescription.DecompressionFailure, client.Failure?.Description);

        // The bomb's delivery allocates a tiny fraction of the 8 MiB it holds (the output goes to the stream's own
        // 2^14 + 1-byte buffer; what is allocated is the alert, its exception and the zlib port's per-block tables).
        _output.WriteLine($"8 MiB bomb in {bomb.Length} bytes: refused after {milliseconds:F1} ms, {allocated} bytes allocated");
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated");
        Assert.True(milliseconds < 2000, $"{milliseconds} ms");
    }

    [Fact]
    public void A_record_that_does_not_continue_the_stream_is_decompression_failure()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(
            s => s.Handshake12(new ServerFlightOptions { Edit = ChooseDeflate })
                .SendCompressedRecord(ContentType.ApplicationData, [0xff, 0xff, 0xff, 0xff, 0x00])
                .ExpectAlert(AlertDescription.DecompressionFailure),
            configure: c => Tls12Kit(c, compression: true));
        Assert.Equal(AlertDescription.DecompressionFailure, failure?.Description);
    }

    [Fact]
    public void A_handshake_record_that_inflates_to_nothing_is_unexpected_message()
    {
        // An empty stored block with a sync flush decompresses to zero bytes: a zero-length handshake record.
        TlsAlertException? failure = EngineTargets.AgainstClient(
            s => s.Handshake12(new ServerFlightOptions { Edit = ChooseDeflate })
                .SendCompressedRecord(ContentType.Handshake, [0x00, 0x00, 0x00, 0xff, 0xff])
                .ExpectAlert(AlertDescription.UnexpectedMessage),
            configure: c => Tls12Kit(c, compression: true));
        Assert.Equal(AlertDescription.UnexpectedMessage, failure?.Description);
    }

    /// <summary>
    /// Our records checked by independent code, both ways: Python derives the key block from the key log's master
    /// secret with its own TLS 1.2 PRF, opens every protected record of both directions with pyca/cryptography's
    /// AES-GCM and inflates each direction with one <c>zlib.decompressobj()</c>; then it builds server records of its own
    /// (raw DEFLATE continuing the stream, a sync flush each, sealed with the server's key) that our client must accept,
    /// and one whose TLSCompressed fragment is 2^14 + 1025 bytes, which must be record_overflow.
    /// </summary>
    [Fact]
    public void Records_are_checked_against_pythons_zlib_and_pyca_cryptography_both_ways()
    {
        var keyLog = new List<string>();
        using ConnectionPair pair = Pair(client: true, server: true, keyLog: keyLog);
        pair.Handshake();
        byte[][] up = [RecordCompressionTests.Text(5000, 1), RecordCompressionTests.Text(5000, 1), RecordCompressionTests.Text(20_000, 2)];
        byte[][] down = [RecordCompressionTests.Text(700, 3), RecordCompressionTests.Noise(900, 4), RecordCompressionTests.Text(700, 3)];
        foreach (byte[] m in up)
        {
            pair.Client.WriteApplicationData(m);
            pair.Pump();
            Assert.Equal(m, ConnectionPair.ReadAll(pair.Server));
        }

        foreach (byte[] m in down)
        {
            pair.Server.WriteApplicationData(m);
            pair.Pump();
            Assert.Equal(m, ConnectionPair.ReadAll(pair.Client));
        }

        byte[][] made = [RecordCompressionTests.Text(3000, 7), RecordCompressionTests.Text(3000, 7), RecordCompressionTests.Noise(500, 8)];
        string input = Path.Combine(Path.GetTempPath(), $"mtls-comp-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, JsonSerializer.Serialize(new
        {
            client = Convert.ToHexString(pair.ClientWire.SelectMany(b => b).ToArray()),
            server = Convert.ToHexString(pair.ServerWire.SelectMany(b => b).ToArray()),
            keylog = keyLog,
            to_client = made.Select(Convert.ToHexString).ToArray(),
        }));
        JsonElement result;
        try
        {
            result = JsonDocument.Parse(PythonOracle.Run(PythonRecords.Replace("@@INPUT@@", input, StringComparison.Ordinal), 60000)!).RootElement;
        }
        finally
        {
            File.Delete(input);
        }

        // What Python read from each direction: the Finished first, then exactly the application data sent.
        CheckDirection(result.GetProperty("client"), up);
        CheckDirection(result.GetProperty("server"), down);

        // What Python built, our client reads.
        foreach (JsonElement record in result.GetProperty("made").EnumerateArray())
        {
            pair.Client.ReceiveBytes(Convert.FromHexString(record.GetString()!));
        }

        Assert.Equal(made.SelectMany(m => m).ToArray(), ConnectionPair.ReadAll(pair.Client));
        var e = Assert.Throws<TlsAlertException>(() => pair.Client.ReceiveBytes(Convert.FromHexString(result.GetProperty("overflow").GetString()!)));
        Assert.Equal(AlertDescription.RecordOverflow, e.Description);
    }

    private void CheckDirection(JsonElement records, byte[][] sent)
    {
        JsonElement[] all = records.EnumerateArray().ToArray();
        Assert.Equal(22, all[0].GetProperty("type").GetInt32());
        byte[] finished = Convert.FromHexString(all[0].GetProperty("plain").GetString()!);
        Assert.Equal(16, finished.Length);
        Assert.Equal((byte)HandshakeType.Finished, finished[0]);
        Assert.All(all.Skip(1), r => Assert.Equal(23, r.GetProperty("type").GetInt32()));
        byte[] data = all.Skip(1).SelectMany(r => Convert.FromHexString(r.GetProperty("plain").GetString()!)).ToArray();
        Assert.Equal(sent.SelectMany(m => m).ToArray(), data);
        _output.WriteLine(string.Join(", ", all.Select(r => $"{r.GetProperty("compressed").GetInt32()}->{r.GetProperty("plain").GetString()!.Length / 2}")));
    }

    private static TlsConfig Tls12Kit(TlsConfig c, bool compression) => c with
    {
        MinimumVersion = ProtocolVersion.Tls12,
        MaximumVersion = ProtocolVersion.Tls12,
        Tls12CipherSuites = CipherSuiteRegistry.Tls12Suites.Where(s => s.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe).ToArray(),
        Compression = compression,
    };

    private static HandshakeBuilder? ChooseDeflate(HandshakeBuilder m) =>
        m.Type == HandshakeType.ServerHello ? m.Set("legacy_compression_method", 1) : m;

    // Raw DEFLATE (no zlib header: it continues a stream already started), ending with a sync flush.
    private static byte[] RawDeflate(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new DeflateStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(data);
            z.Flush();
        }

        return ms.ToArray();
    }

    private const string PythonRecords = """
import hashlib, hmac, json, struct, zlib
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

d = json.load(open("@@INPUT@@"))

def prf(secret, label, seed, n):
    out, a = b"", label + seed
    while len(out) < n:
        a = hmac.new(secret, a, hashlib.sha256).digest()
        out += hmac.new(secret, a + label + seed, hashlib.sha256).digest()
    return out[:n]

def records(b):
    out, i = [], 0
    while i + 5 <= len(b):
        n = struct.unpack(">H", b[i + 3:i + 5])[0]
        out.append((b[i], b[i + 5:i + 5 + n]))
        i += 5 + n
    return out

def seal(key, iv, seq, t, content):
    explicit = struct.pack(">Q", seq)
    aad = struct.pack(">Q", seq) + bytes([t]) + b"\x03\x03" + struct.pack(">H", len(content))
    frag = explicit + AESGCM(key).encrypt(iv + explicit, content, aad)
    return (bytes([t]) + b"\x03\x03" + struct.pack(">H", len(frag)) + frag).hex()

cw, sw = records(bytes.fromhex(d["client"])), records(bytes.fromhex(d["server"]))
cr, sr = cw[0][1][6:38], sw[0][1][6:38]
line = [l.split() for l in d["keylog"] if l.startswith("CLIENT_RANDOM ")][0]
assert bytes.fromhex(line[1]) == cr
kb = prf(bytes.fromhex(line[2]), b"key expansion", sr + cr, 40)
ckey, skey, civ, siv = kb[0:16], kb[16:32], kb[32:36], kb[36:40]

def open_direction(recs, key, iv):
    out, seq, z, on = [], 0, zlib.decompressobj(), False
    for t, frag in recs:
        if t == 20:
            on = True
            continue
        if not on:
            continue
        ct = frag[8:]
        aad = struct.pack(">Q", seq) + bytes([t]) + b"\x03\x03" + struct.pack(">H", len(ct) - 16)
        comp = AESGCM(key).decrypt(iv + frag[:8], ct, aad)
        out.append({"type": t, "compressed": len(comp), "plain": z.decompress(comp).hex()})
        seq += 1
    return out, seq

client, _ = open_direction(cw, ckey, civ)
server, seq = open_direction(sw, skey, siv)
comp = zlib.compressobj(6, zlib.DEFLATED, -15)
made = []
for m in d["to_client"]:
    c = comp.compress(bytes.fromhex(m)) + comp.flush(zlib.Z_SYNC_FLUSH)
    made.append(seal(skey, siv, seq, 23, c))
    seq += 1
overflow = seal(skey, siv, seq, 23, b"\x00" * (2 ** 14 + 1025))
print(json.dumps({"client": client, "server": server, "made": made, "overflow": overflow}))
""";
}
