namespace ManagedTls.Handshake.Tls12;

/// <summary>
/// How many TLS 1.2 renegotiations the peer may start (a ClientHello to a server, a HelloRequest to a client): each
/// costs us a key exchange and a signature or verification, so a peer free to renegotiate at will can keep a CPU busy
/// with one cheap message at a time (CVE-2011-1473). One beyond either bound is refused with a no_renegotiation
/// warning and the connection goes on; renegotiations we start ourselves are not counted.
/// </summary>
/// <param name="PerWindow">Renegotiations the peer may start within any <paramref name="Window"/>.</param>
/// <param name="Window">The sliding time window <paramref name="PerWindow"/> counts over.</param>
/// <param name="PerConnection">Renegotiations the peer may start over the whole connection.</param>
internal readonly record struct RenegotiationLimits(int PerWindow, TimeSpan Window, int PerConnection)
{
    /// <summary>3 in any 60 seconds, 100 per connection.</summary>
    public static RenegotiationLimits Default => new(3, TimeSpan.FromSeconds(60), 100);
}

/// <summary>
/// The renegotiations of one connection: when the peer started each (for <see cref="RenegotiationLimits"/>), how many
/// completed, and how many of them authenticated the client.
/// </summary>
internal sealed class RenegotiationHistory(RenegotiationLimits limits)
{
    private readonly Queue<DateTimeOffset> _recent = new();
    private int _peerStarted;

    /// <summary>The limits in force.</summary>
    public RenegotiationLimits Limits { get; } = limits;

    /// <summary>Renegotiations that completed, started by either side.</summary>
    public int Completed { get; private set; }

    /// <summary>Server: completed renegotiations that asked for the client's certificate.</summary>
    public int ClientAuthentications { get; private set; }

    /// <summary>
    /// Counts one renegotiation the peer starts at <paramref name="now"/> and returns true, or returns false without
    /// counting it when it would pass a bound.
    /// </summary>
    public bool TryAdmitPeerStarted(DateTimeOffset now)
    {
        while (_recent.Count > 0 && now - _recent.Peek() >= Limits.Window)
        {
            _recent.Dequeue();
        }

        if (_recent.Count >= Limits.PerWindow || _peerStarted >= Limits.PerConnection)
        {
            return false;
        }

        _recent.Enqueue(now);
        _peerStarted++;
        return true;
    }

    /// <summary>Records a completed renegotiation.</summary>
    public void Complete(bool clientAuthentication)
    {
        Completed++;
        if (clientAuthentication)
        {
            ClientAuthentications++;
        }
    }
}
