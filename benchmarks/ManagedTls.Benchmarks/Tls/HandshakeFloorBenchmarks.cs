using BenchmarkDotNet.Attributes;
using ManagedTls.Ssl;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>
/// A TLS 1.3 handshake pair through the public facade (<see cref="SslObject"/> over <see cref="MemoryBio"/>, client and
/// server on the benchmark thread, the client checking chain and host name) beside its crypto floor
/// (<see cref="HandshakeFloor"/>: the same primitive operations with the same implementations, nothing else), in one run.
/// The floor is the baseline, so the facade row's ratio is the handshake's cost over its primitives.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class HandshakeFloorBenchmarks
{
    private SslContext _client = null!;
    private SslContext _server = null!;
    private SslSession? _session;
    private HandshakeFloor _floor = null!;

    /// <summary>The handshake.</summary>
    [Params(FloorRow.FullEcdsaP256, FloorRow.FullRsa2048, FloorRow.FullEd25519, FloorRow.Resumed)]
    public FloorRow Row { get; set; }

    /// <summary>Makes the contexts (and for the resumed row the first session) and the floor, and warms both rows up alternately.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _client = HandshakeFloor.ClientContext(Row);
        _server = HandshakeFloor.ServerContext(Row);
        if (Row == FloorRow.Resumed)
        {
            using var first = new FacadePeers.Pair(_client, _server);
            first.Handshake();
            first.OneByteToClient();
            _session = first.Client.Session ?? throw new InvalidOperationException("no session");
        }

        _floor = HandshakeFloor.Create(Row, _client, _server, _session);
        Console.WriteLine($"// {Row}: {_floor.Operations.Count} primitive operations per handshake pair");
        for (int i = 0; i < (Row == FloorRow.FullRsa2048 ? 10 : 50); i++)
        {
            Facade();
            Floor();
        }
    }

    /// <summary>The crypto floor of the handshake pair.</summary>
    [Benchmark(Baseline = true)]
    public int Floor() => _floor.Run();

    /// <summary>The handshake pair through the facade: wrap_bio on both sides and do_handshake until neither wants to read.</summary>
    [Benchmark]
    public int Facade()
    {
        using var pair = new FacadePeers.Pair(_client, _server, _session);
        int moved = pair.Handshake();
        if (_session is not null)
        {
            moved += pair.OneByteToClient();
            if (!pair.Client.SessionReused)
            {
                throw new InvalidOperationException("not resumed");
            }

            _session = pair.Client.Session;
        }

        return moved;
    }
}
