using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Tls13;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Sessions;

/// <summary>
/// A TLS 1.2 session a client can resume (RFC 5246 section 7.3, RFC 5077): the suite, the master secret and whether it
/// was made with extended_master_secret (RFC 7627), the session id and, when the server sent one, the ticket, with what
/// the original handshake established. The caller owns it; <see cref="Dispose"/> wipes the master secret.
/// </summary>
internal sealed class Tls12Session : IDisposable
{
    private readonly byte[] _masterSecret;

    /// <summary>Creates a session; it takes ownership of <paramref name="masterSecret"/>.</summary>
    public Tls12Session(CipherSuiteInfo suite, byte[] masterSecret, bool extendedMasterSecret, byte[] sessionId, DateTimeOffset createdAt, uint timeoutSeconds)
    {
        Suite = suite;
        _masterSecret = masterSecret;
        ExtendedMasterSecret = extendedMasterSecret;
        SessionId = sessionId;
        CreatedAt = createdAt;
        TimeoutSeconds = timeoutSeconds;
    }

    /// <summary>The suite of the original handshake; a resumption must keep it.</summary>
    public CipherSuiteInfo Suite { get; }

    /// <summary>The master secret was made with extended_master_secret (RFC 7627).</summary>
    public bool ExtendedMasterSecret { get; }

    /// <summary>
    /// The id offered in the ClientHello: the server's session id, or for a session with a ticket SHA-256 of the ticket
    /// (as OpenSSL names ticket sessions); a server that resumes echoes it (RFC 5077 section 3.4).
    /// </summary>
    public byte[] SessionId { get; }

    /// <summary>The server's ticket (RFC 5077), or null.</summary>
    public byte[]? Ticket { get; init; }

    /// <summary>The ticket_lifetime_hint the server sent with the ticket, in seconds (0: none given).</summary>
    public uint LifetimeHintSeconds { get; init; }

    /// <summary>When the session was made.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>How many seconds after <see cref="CreatedAt"/> the session may be offered.</summary>
    public uint TimeoutSeconds { get; }

    /// <summary>The ALPN protocol of the original handshake, or null.</summary>
    public byte[]? Alpn { get; init; }

    /// <summary>The server name the session was made with, or null.</summary>
    public string? ServerName { get; init; }

    /// <summary>The server's certificate chain from the original handshake, leaf first (DER).</summary>
    public IReadOnlyList<byte[]> PeerChain { get; init; } = [];

    /// <summary>The outcome of verifying that chain, or null when it was not verified.</summary>
    public VerifyResult? VerifyResult { get; init; }

    /// <summary>What the chain was verified under, or null when it was not verified (see <see cref="Tls13Session.Verification"/>).</summary>
    public SessionVerification? Verification { get; init; }

    /// <summary>True once the master secret has been wiped.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>True once a caller took the session: the connection that made it then never wipes it.</summary>
    public bool IsAdopted { get; private set; }

    /// <summary>The master secret; throws once disposed.</summary>
    public ReadOnlySpan<byte> MasterSecret => IsDisposed ? throw new ObjectDisposedException(nameof(Tls12Session)) : _masterSecret;

    /// <summary>
    /// True when the session can resume a handshake: not wiped, with an id or a ticket, and made with
    /// extended_master_secret (RFC 7627 section 5.3: a client should not offer a session made without it).
    /// </summary>
    public bool IsResumable => !IsDisposed && ExtendedMasterSecret && (SessionId.Length > 0 || Ticket is { Length: > 0 });

    /// <summary>Marks the session as the caller's.</summary>
    public void Adopt() => IsAdopted = true;

    /// <summary>True while the session may still be offered at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) =>
        !IsDisposed && now >= CreatedAt && now - CreatedAt < TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>A copy with its own master secret and <paramref name="serverName"/> as its server name; the caller disposes it.</summary>
    public Tls12Session WithServerName(string? serverName) => new(Suite, MasterSecret.ToArray(), ExtendedMasterSecret, SessionId, CreatedAt, TimeoutSeconds)
    {
        Ticket = Ticket,
        LifetimeHintSeconds = LifetimeHintSeconds,
        Alpn = Alpn,
        ServerName = serverName,
        PeerChain = PeerChain,
        VerifyResult = VerifyResult,
        Verification = Verification,
    };

    /// <summary>Wipes the master secret.</summary>
    public void Dispose()
    {
        CryptoUtil.Wipe(_masterSecret);
        IsDisposed = true;
    }
}
