using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;

namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>ssl.SSLSession</c>: a TLS 1.3 or TLS 1.2 session a client can offer to resume a later connection to
/// the same server, through <see cref="SslContext.WrapBio"/>, <see cref="SslContext.WrapSocket"/> or <see cref="SslObject.Session"/>.
/// A client's TLS 1.3 session becomes resumable once the server's NewSessionTicket has been read (after some read, as
/// in Python); a TLS 1.2 session once the handshake completes (by its session id, or its ticket). On the server side
/// the session resumes nothing. Two sessions are
/// equal when their ids are equal, as in Python. The session holds its resumption secret until it is garbage
/// collected or <see cref="Dispose"/>d.
/// </summary>
public sealed class SslSession : IEquatable<SslSession>, IDisposable
{
    /// <summary>OpenSSL's default session timeout (<c>SSL_get_default_timeout</c>): 7200 seconds.</summary>
    internal const long DefaultTimeout = 7200;

    private readonly byte[] _id;

    internal SslSession(SslContext context, byte[] id, long time, long timeout, long ticketLifetimeHint, Tls13Session? tls13, Tls12Session? tls12 = null)
    {
        Context = context;
        _id = id;
        Time = time;
        Timeout = timeout;
        TicketLifetimeHint = ticketLifetimeHint;
        Tls13 = tls13;
        Tls12 = tls12;
    }

    /// <summary>Python's <c>id</c>: the session id (for a ticket, as OpenSSL, the SHA-256 of the ticket); empty when there is none.</summary>
    public byte[] Id => (byte[])_id.Clone();

    /// <summary>Python's <c>time</c>: when the session was made, in seconds since the Unix epoch.</summary>
    public long Time { get; }

    /// <summary>Python's <c>timeout</c>: how many seconds after <see cref="Time"/> the session may be resumed.</summary>
    public long Timeout { get; }

    /// <summary>Python's <c>ticket_lifetime_hint</c>: the ticket lifetime the server announced, in seconds; 0 without a ticket.</summary>
    public long TicketLifetimeHint { get; }

    /// <summary>Python's <c>has_ticket</c>: true when the session carries a ticket (TLS 1.3, or a TLS 1.2 RFC 5077 ticket).</summary>
    public bool HasTicket => Tls13 is not null || Tls12?.Ticket is not null;

    /// <summary>True when the session can be offered for resumption: a TLS 1.3 ticket, or a resumable TLS 1.2 session.</summary>
    internal bool IsResumable => Tls13 is not null || Tls12 is { IsResumable: true };

    /// <summary>The context of the connection the session came from (Python checks it when the session is set).</summary>
    internal SslContext Context { get; }

    /// <summary>The engine's TLS 1.3 session (ticket and PSK), or null.</summary>
    internal Tls13Session? Tls13 { get; }

    /// <summary>The engine's TLS 1.2 session (id, ticket, master secret), or null.</summary>
    internal Tls12Session? Tls12 { get; }

    /// <summary>Python's <c>==</c>: equal ids.</summary>
    /// <param name="left">A session or null.</param>
    /// <param name="right">A session or null.</param>
    /// <returns>True when both are null or both have the same id.</returns>
    public static bool operator ==(SslSession? left, SslSession? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Python's <c>!=</c>.</summary>
    /// <param name="left">A session or null.</param>
    /// <param name="right">A session or null.</param>
    /// <returns>True when the ids differ.</returns>
    public static bool operator !=(SslSession? left, SslSession? right) => !(left == right);

    /// <summary>True when <paramref name="other"/> has the same id.</summary>
    /// <param name="other">Another session.</param>
    /// <returns>Whether the ids are equal.</returns>
    public bool Equals(SslSession? other) =>
        other is not null && (ReferenceEquals(this, other) || _id.AsSpan().SequenceEqual(other._id));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SslSession other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int h = _id.Length;
        foreach (byte b in _id)
        {
            h = unchecked((h * 31) + b);
        }

        return h;
    }

    /// <summary>
    /// The session in OpenSSL's <c>PEM_write_SSL_SESSION</c> format (<c>-----BEGIN SSL SESSION PARAMETERS-----</c>), as
    /// <c>openssl s_client -sess_out</c> writes it. The text holds the resumption secret: keep it private.
    /// </summary>
    /// <returns>The PEM text.</returns>
    /// <exception cref="InvalidOperationException">The session resumes nothing (a server's session, a client session
    /// before its ticket, or one disposed).</exception>
    public string ToPem() => Tls13 is { IsDisposed: false } s ? SslSessionPem.ToPem(s)
        : Tls12 is { IsDisposed: false } s12 ? SslSessionPem.ToPem(s12)
        : throw new InvalidOperationException("the session has no ticket");

    /// <summary>
    /// Reads a TLS 1.3 or TLS 1.2 session written by <see cref="ToPem"/> or <c>openssl s_client -sess_out</c>, for a
    /// client connection of <paramref name="context"/>.
    /// </summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="context">The client context the session will be offered from.</param>
    /// <returns>The session.</returns>
    /// <exception cref="SslException">No session block, a malformed one, a version other than TLS 1.2 or 1.3, or (TLS
    /// 1.3) no ticket.</exception>
    public static SslSession FromPem(string pem, SslContext context)
    {
        if (pem is null)
        {
            throw new ArgumentNullException(nameof(pem));
        }

        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        (Tls13Session? tls13, Tls12Session? tls12) = SslSessionPem.ReadAny(pem);
        return tls13 is not null ? FromTicket(context, tls13) : FromTls12(context, tls12!);
    }

    /// <summary>Wipes the resumption secret; the session can no longer be resumed.</summary>
    public void Dispose()
    {
        Tls13?.Dispose();
        Tls12?.Dispose();
    }

    /// <summary>A TLS 1.2 session: its id, creation time, timeout and the ticket's lifetime hint.</summary>
    internal static SslSession FromTls12(SslContext context, Tls12Session session) => new(
        context,
        session.SessionId,
        session.CreatedAt.ToUnixTimeSeconds(),
        session.TimeoutSeconds,
        session.LifetimeHintSeconds,
        null,
        session);

    /// <summary>A session made from a ticket the client received: id SHA-256(ticket), timeout and hint the ticket lifetime.</summary>
    internal static SslSession FromTicket(SslContext context, Tls13Session session) => new(
        context,
        Crypto.Hashes.Compute(Crypto.HashAlgorithm.Sha256, session.Ticket),
        session.CreatedAt.ToUnixTimeSeconds(),
        session.LifetimeSeconds,
        session.LifetimeSeconds,
        session);
}
