using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// A client and a server <see cref="SslObject"/> over memory BIOs, driven until both end, each end's outcome written
/// as the Python checks of these tests print it: the version, or the exception's <c>Reason</c> (Python's <c>e.reason</c>).
/// </summary>
internal sealed class BioPair
{
    private readonly MemoryBio _ci = new(), _co = new(), _si = new(), _so = new();

    public BioPair(SslContext client, SslContext server, SslSession? session = null)
    {
        Client = client.WrapBio(_ci, _co, serverHostname: "localhost", session: session);
        Server = server.WrapBio(_si, _so, serverSide: true);
    }

    public SslObject Client { get; }

    public SslObject Server { get; }

    public string? ClientOutcome { get; private set; }

    public string? ServerOutcome { get; private set; }

    /// <summary>Both outcomes as Python's checks print them: <c>client/server</c>, <c>-</c> for an end still waiting.</summary>
    public string Outcome => (ClientOutcome ?? "-") + "/" + (ServerOutcome ?? "-");

    /// <summary>Makes a pair and runs its handshake.</summary>
    public static BioPair Connect(SslContext client, SslContext server, SslSession? session = null)
    {
        var pair = new BioPair(client, server, session);
        pair.Handshake();
        return pair;
    }

    /// <summary>Moves the flights until both ends are done or failed (within a few rounds), then lets the client read what followed (tickets).</summary>
    public void Handshake()
    {
        for (int round = 0; round < 6; round++)
        {
            ClientOutcome ??= Step(Client);
            Move(_co, _si);
            ServerOutcome ??= Step(Server);
            Move(_so, _ci);
        }

        if (Client.IsHandshakeComplete && Server.IsHandshakeComplete)
        {
            Pump();
        }
    }

    /// <summary>Moves pending bytes both ways and lets each end read them (post-handshake messages), discarding no data.</summary>
    public void Pump()
    {
        for (int round = 0; round < 3; round++)
        {
            Move(_co, _si);
            Read(Server);
            Move(_so, _ci);
            Read(Client);
        }
    }

    private static void Read(SslObject side)
    {
        try
        {
            Assert.Empty(side.Read(1));
        }
        catch (SslWantReadException)
        {
            // Nothing more for now.
        }
    }

    private static string? Step(SslObject side)
    {
        try
        {
            side.DoHandshake();
            return side.Version();
        }
        catch (SslWantReadException)
        {
            return null;
        }
        catch (SslException e)
        {
            return e.Reason ?? e.Message;
        }
    }

    private static void Move(MemoryBio from, MemoryBio to)
    {
        byte[] bytes = from.Read();
        if (bytes.Length > 0)
        {
            to.Write(bytes);
        }
    }
}
