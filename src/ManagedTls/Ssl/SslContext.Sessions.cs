using System.Threading;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;

namespace ManagedTls.Ssl;

/// <content>
/// Sessions: the ticket key ring and stateful session cache every server connection of this context shares, and
/// Python's <c>session_stats()</c> counters.
/// </content>
public sealed partial class SslContext
{
    private readonly object _sessionLock = new();
    private TicketKeyRing? _ticketKeys;
    private ServerSessionCache? _sessionCache;
    private long _statConnect;
    private long _statConnectGood;
    private long _statAccept;
    private long _statAcceptGood;
    private long _statHits;
    private long _statMisses;
    private long _statTimeouts;

    /// <summary>
    /// Python's <c>session_stats()</c>: OpenSSL's <c>SSL_CTX_sess_*</c> counters under Python's keys. <c>connect</c> and
    /// <c>accept</c> count handshakes started as client and server, <c>connect_good</c> and <c>accept_good</c> those
    /// completed, <c>hits</c> completed handshakes that resumed a session, <c>misses</c> completed handshakes where
    /// a session was offered and not resumed (a client whose session the server refused; a server that looked the
    /// session up in its cache and did not find it, as OpenSSL counts a failed cache lookup: a TLS 1.2 session id, or a
    /// TLS 1.3 ticket with <see cref="SslOptions.NoTicket"/>; a stateless ticket this server cannot open is not a miss),
    /// <c>timeouts</c> completed server handshakes whose offered session had expired, <c>cache_full</c> sessions dropped
    /// from the server's cache because it was full, <c>number</c> the sessions held in the server's cache (TLS 1.2
    /// session ids, TLS 1.3 tickets with <see cref="SslOptions.NoTicket"/>). Renegotiations are not counted here:
    /// <c>connect_renegotiate</c> and <c>accept_renegotiate</c> stay 0.
    /// </summary>
    /// <returns>The eleven counters, in Python's order.</returns>
    public IReadOnlyDictionary<string, long> SessionStats()
    {
        ServerSessionCache? cache = Volatile.Read(ref _sessionCache);

        return new Dictionary<string, long>
        {
            ["number"] = cache?.Count ?? 0,
            ["connect"] = Interlocked.Read(ref _statConnect),
            ["connect_good"] = Interlocked.Read(ref _statConnectGood),
            ["connect_renegotiate"] = 0,
            ["accept"] = Interlocked.Read(ref _statAccept),
            ["accept_good"] = Interlocked.Read(ref _statAcceptGood),
            ["accept_renegotiate"] = 0,
            ["hits"] = Interlocked.Read(ref _statHits),
            ["misses"] = Interlocked.Read(ref _statMisses),
            ["timeouts"] = Interlocked.Read(ref _statTimeouts),
            ["cache_full"] = cache?.CacheFullCount ?? 0,
        };
    }

    /// <summary>
    /// This context's session id context (OpenSSL's sid_ctx): random, one per context. Tickets its server connections
    /// issue carry it and resume only under it, so a ticket never resumes into another context's settings (a
    /// server-name callback that switches contexts switches it too).
    /// </summary>
    internal byte[] SessionIdContext { get; } = NewSessionIdContext();

    /// <summary>
    /// The ticket key ring of this context's server connections, made on first use (rotating, thread-safe). Every
    /// connection made from this context reads it; once made it is read without a lock, so connections created on
    /// several threads at once do not queue here.
    /// </summary>
    internal TicketKeyRing SharedTicketKeys => Volatile.Read(ref _ticketKeys) ?? MakeTicketKeys();

    /// <summary>The stateful session cache of this context's server connections, made on first use (thread-safe; read without a lock once made).</summary>
    internal ServerSessionCache SharedSessionCache => Volatile.Read(ref _sessionCache) ?? MakeSessionCache();

    // The lock only decides which thread makes the one ring (or cache) every connection of this context shares.
    private TicketKeyRing MakeTicketKeys()
    {
        lock (_sessionLock)
        {
            if (_ticketKeys is null)
            {
                Volatile.Write(ref _ticketKeys, new TicketKeyRing());
            }

            return _ticketKeys!;
        }
    }

    private ServerSessionCache MakeSessionCache()
    {
        lock (_sessionLock)
        {
            if (_sessionCache is null)
            {
                Volatile.Write(ref _sessionCache, new ServerSessionCache());
            }

            return _sessionCache!;
        }
    }

    private static byte[] NewSessionIdContext()
    {
        byte[] id = new byte[16];
        OsEntropy.Instance.GetBytes(id);
        return id;
    }

    /// <summary>Counts a handshake started (OpenSSL counts when the state machine first runs).</summary>
    internal void CountHandshakeStarted(bool serverSide) =>
        Interlocked.Increment(ref serverSide ? ref _statAccept : ref _statConnect);

    /// <summary>Counts a completed handshake, and whether it resumed the session it offered (client) or was offered (server).</summary>
    internal void CountHandshakeCompleted(bool serverSide, bool reused, bool offeredSession, bool timedOut = false)
    {
        if (timedOut)
        {
            Interlocked.Increment(ref _statTimeouts);
        }

        Interlocked.Increment(ref serverSide ? ref _statAcceptGood : ref _statConnectGood);
        if (reused)
        {
            Interlocked.Increment(ref _statHits);
        }
        else if (offeredSession)
        {
            Interlocked.Increment(ref _statMisses);
        }
    }
}
