using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;

namespace ManagedTls.Ssl;

/// <content>Sessions and resumption (Python's <c>session</c>, <c>session_reused</c>), shared ciphers, handshake counters.</content>
public partial class SslObject
{
    // Made when a session is first handed out (most connections never ask).
    private Dictionary<Tls13Session, SslSession>? _exposed;
    private SslSession? _offered;
    private Tls13Session? _offerCopy;
    private Tls12Session? _offerCopy12;
    private SslSession? _exposed12;
    private SslSession? _fallbackSession;
    private bool _handshakeCounted;
    private bool _completionCounted;

    /// <summary>
    /// Python's <c>session</c>. Before the handshake completes, the session given to the client (as Python), else null. On a client, the session of the newest
    /// NewSessionTicket read so far (tickets arrive after the handshake, so a first read is needed, as in Python);
    /// before any ticket, the session this connection resumed, or a session without a ticket that resumes nothing.
    /// With TLS 1.2, the session the handshake made (resumable by its id or ticket), or the one it resumed.
    /// On a server, a session without a ticket (with TLS 1.2, carrying the ServerHello's session id). Setting it (client only, before the handshake, a session from a
    /// connection of the same context) offers it for resumption, as passing it to <see cref="SslContext.WrapBio"/> does.
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null (Python's <c>TypeError: Value is not a SSLSession.</c>).</exception>
    /// <exception cref="ArgumentException">The session comes from another context (<c>Session refers to a different SSLContext.</c>).</exception>
    /// <exception cref="InvalidOperationException">A server-side object (<c>Cannot set session for server-side SSLSocket.</c>), or
    /// the handshake has started (<c>Cannot set session after handshake.</c>).</exception>
    public SslSession? Session
    {
        get
        {
            lock (_lock)
            {
                return CurrentSession();
            }
        }

        set
        {
            lock (_lock)
            {
                CheckSession(_context, value, ServerSide, afterHandshake: _conn.IsHandshakeComplete || _handshakeCounted, throwState: true);
                ThrowIfFailed();
                TlsConnection old = _conn;
                _conn = CreateConnection(value);
                old.Dispose();
            }
        }
    }

    /// <summary>Python's <c>session_reused</c>: true when the handshake resumed a session.</summary>
    public bool SessionReused
    {
        get
        {
            lock (_lock)
            {
                return !_disposed && _conn.SessionReused;
            }
        }
    }

    /// <summary>
    /// Python's <c>shared_ciphers()</c>: on a server after the handshake, the suites the client offered that this side's
    /// context also has, in this side's order, as (name, protocol, secret bits); null on a client or before the handshake.
    /// As OpenSSL's list (<c>SSL_get_ciphers</c>), "has" is the context's TLS 1.3 and TLS 1.2 suites when the connection
    /// was made, whatever the version range and the security level leave to negotiate: a TLS 1.2-only server lists the
    /// TLS 1.3 suites a TLS 1.3 client offered, and a suite below <c>@SECLEVEL</c> is listed when both name it.
    /// </summary>
    /// <returns>The list or null.</returns>
    public IReadOnlyList<(string Name, string Protocol, int SecretBits)>? SharedCiphers()
    {
        lock (_lock)
        {
            if (!ServerSide || _disposed || !_conn.IsHandshakeComplete)
            {
                return null;
            }

            IReadOnlyList<TlsCipherSuite> offered = _conn.PeerCipherSuites;
            return _config.CipherList
                .Where(s => offered.Contains(s.Suite))
                .Select(s => (s.OpenSslName, s.PythonProtocol, s.StrengthBits))
                .ToArray();
        }
    }

    /// <summary>
    /// Checks a session given to a connection, with Python's messages and order: not null, same context, client, not
    /// after the handshake. Wrapping reports the state errors as <see cref="ArgumentException"/>, the property as
    /// <see cref="InvalidOperationException"/>.
    /// </summary>
    internal static void CheckSession(SslContext context, SslSession? session, bool serverSide, bool afterHandshake, bool throwState)
    {
        if (session is null)
        {
            throw new ArgumentNullException(nameof(session), "Value is not a SSLSession.");
        }

        if (!ReferenceEquals(session.Context, context))
        {
            throw new ArgumentException("Session refers to a different SSLContext.", nameof(session));
        }

        string? state = serverSide ? "Cannot set session for server-side SSLSocket."
            : afterHandshake ? "Cannot set session after handshake." : null;
        if (state is not null)
        {
            throw throwState ? new InvalidOperationException(state) : new ArgumentException(state, nameof(session));
        }
    }

    private TlsConnection CreateConnection(SslSession? session)
    {
        DisposeOfferCopy();
        _offered = session;
        Tls13Session? offer = session?.Tls13;
        Tls12Session? offer12 = session?.Tls12;
        if (offer12 is not null && offer12.ServerName is null && !offer12.IsDisposed && ServerHostname is not null)
        {
            // As for TLS 1.3 below: a session from a file without a host name is offered to this connection's host.
            _offerCopy12 = offer12.WithServerName(ServerHostname);
            offer12 = _offerCopy12;
        }

        if (offer is not null && offer.ServerName is null && !offer.IsDisposed && ServerHostname is not null)
        {
            // A session read from a file without a host name (OpenSSL stores one only when the server acknowledged
            // server_name) is offered to the host this connection is for, as OpenSSL would offer it.
            _offerCopy = new Tls13Session(offer.Ticket, offer.Psk.ToArray(), offer.Suite, offer.LifetimeSeconds, offer.AgeAdd, offer.CreatedAt)
            {
                Alpn = offer.Alpn,
                ServerName = ServerHostname,
                PeerChain = offer.PeerChain,
                VerifyResult = offer.VerifyResult,
            };
            offer = _offerCopy;
        }

        TlsConfig config = _config;
        if ((!config.OffersTls13 || config.CipherSuites.Count == 0) && (!config.OffersTls12 || config.Tls12CipherSuites.Count == 0))
        {
            throw new SslException(SslErrorNumber.Ssl, "SSL", "NO_PROTOCOLS_AVAILABLE", "no protocols available");
        }

        // A server without a certificate is made, as in Python: its handshake fails (NO_SHARED_CIPHER) unless the
        // server-name callback switches to a context that has one.
        config = ForConnection(config, offer, offer12);
        return ServerSide ? TlsConnection.CreateServer(config) : TlsConnection.CreateClient(config);
    }

    // The per-connection values go on this connection's copy of the snapshot: a server's hook for its context's
    // server-name callback (only when there is one, so that a server without a callback fails as OpenSSL's does), a
    // client's server name and offered sessions.
    // A server without a callback uses the snapshot itself (no copy kept per connection).
    private TlsConfig ForConnection(TlsConfig config, Tls13Session? offer, Tls12Session? offer12) => ServerSide
        ? config.ServerNameCallback is null ? config : config with { ServerNameCallback = OnServerName }
        : offer is null && offer12 is null ? config.ForServerName(ServerHostname)
        : config with { ServerName = ServerHostname, ResumptionSession = offer, Tls12ResumptionSession = offer12 };

    private SslSession? CurrentSession()
    {
        if (_disposed || !_conn.IsHandshakeComplete)
        {
            return ServerSide ? null : _offered;
        }

        if (!ServerSide && _conn.LatestSession is { } latest)
        {
            _exposed ??= [];
            if (!_exposed.TryGetValue(latest, out SslSession? wrapped))
            {
                latest.Adopt();
                wrapped = SslSession.FromTicket(Context, latest);
                _exposed[latest] = wrapped;
            }

            return wrapped;
        }

        if (!ServerSide && _conn.Tls12Session is { } made)
        {
            if (_exposed12 is null)
            {
                made.Adopt();
                _exposed12 = SslSession.FromTls12(Context, made);
            }

            return _exposed12;
        }

        if (!ServerSide && _conn.SessionReused && _offered is not null)
        {
            return _offered;
        }

        // A TLS 1.2 server reports its session id (empty with a ticket), as OpenSSL's server session has it.
        return _fallbackSession ??= new SslSession(
            Context,
            ServerSide && _conn.Tls12SessionId is { } id ? id.ToArray() : ServerSide && _config.NumTickets > 0 ? NewSessionId() : [],
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            SslSession.DefaultTimeout,
            0,
            null);
    }

    private static byte[] NewSessionId()
    {
        byte[] id = new byte[32];
        Crypto.OsEntropy.Instance.GetBytes(id);
        return id;
    }

    private void NoteHandshakeStarted()
    {
        if (!_handshakeCounted)
        {
            _handshakeCounted = true;
            Context.CountHandshakeStarted(ServerSide);
            StartTelemetry();
        }
    }

    private void NoteHandshakeCompleted()
    {
        if (!_completionCounted)
        {
            _completionCounted = true;
            CompleteTelemetry();
            // A server's miss is a failed cache lookup, as OpenSSL counts: a TLS 1.3 stateful ticket or a TLS 1.2 session id.
            bool offered = ServerSide ? (_conn.PeerOfferedSession && !_config.StatelessTickets) || _conn.SessionCacheMissed : _offered?.IsResumable == true;
            Context.CountHandshakeCompleted(ServerSide, _conn.SessionReused, offered, ServerSide && _conn.SessionTimedOut);
        }
    }

    private void DisposeOfferCopy()
    {
        _offerCopy?.Dispose();
        _offerCopy = null;
        _offerCopy12?.Dispose();
        _offerCopy12 = null;
    }

    // Sessions the caller never saw are wiped with the connection; those handed out belong to the caller.
    private void DisposeSessions()
    {
        DisposeOfferCopy();
        if (_conn.Tls12Session is { IsAdopted: false } unseen)
        {
            unseen.Dispose();
        }

        foreach (Tls13Session s in _conn.ReceivedSessions)
        {
            if (_exposed is null || !_exposed.ContainsKey(s))
            {
                s.Dispose();
            }
        }
    }
}
