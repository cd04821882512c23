using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Tls13;

/// <summary>
/// A TLS 1.3 session a client received in a NewSessionTicket (RFC 8446 section 4.6.1): the ticket to offer as
/// PSK identity, the PSK derived from the resumption master secret and the ticket nonce, and what the
/// original handshake established. The caller owns it; <see cref="Dispose"/> wipes the PSK.
/// </summary>
internal sealed class Tls13Session : IDisposable
{
    private readonly byte[] _psk;

    /// <summary>Creates a session; it takes ownership of <paramref name="psk"/>.</summary>
    public Tls13Session(byte[] ticket, byte[] psk, CipherSuiteInfo suite, uint lifetimeSeconds, uint ageAdd, DateTimeOffset createdAt)
    {
        Ticket = ticket;
        _psk = psk;
        Suite = suite;
        LifetimeSeconds = lifetimeSeconds;
        AgeAdd = ageAdd;
        CreatedAt = createdAt;
    }

    /// <summary>The opaque ticket, sent as the PSK identity.</summary>
    public byte[] Ticket { get; }

    /// <summary>The cipher suite of the original handshake (a resumption must use one with the same hash).</summary>
    public CipherSuiteInfo Suite { get; }

    /// <summary>ticket_lifetime in seconds.</summary>
    public uint LifetimeSeconds { get; }

    /// <summary>ticket_age_add, added to the ticket age in milliseconds to obfuscate it.</summary>
    public uint AgeAdd { get; }

    /// <summary>When the ticket was received.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The ALPN protocol of the original handshake, or null.</summary>
    public byte[]? Alpn { get; init; }

    /// <summary>The server name the session was established with.</summary>
    public string? ServerName { get; init; }

    /// <summary>The server's certificate chain from the original handshake, leaf first (DER).</summary>
    public IReadOnlyList<byte[]> PeerChain { get; init; } = [];

    /// <summary>The outcome of verifying that chain, or null when it was not verified.</summary>
    public VerifyResult? VerifyResult { get; init; }

    /// <summary>True once the PSK has been wiped.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>The resumption PSK; throws once disposed.</summary>
    public ReadOnlySpan<byte> Psk => IsDisposed ? throw new ObjectDisposedException(nameof(Tls13Session)) : _psk;

    /// <summary>True while the ticket may still be offered at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) =>
        !IsDisposed && now >= CreatedAt && now - CreatedAt < TimeSpan.FromSeconds(LifetimeSeconds);

    /// <summary>obfuscated_ticket_age at <paramref name="now"/>: the age in milliseconds plus ticket_age_add, modulo 2^32.</summary>
    public uint ObfuscatedAge(DateTimeOffset now) =>
        unchecked((uint)(long)(now - CreatedAt).TotalMilliseconds + AgeAdd);

    /// <summary>Wipes the PSK.</summary>
    public void Dispose()
    {
        CryptoUtil.Wipe(_psk);
        IsDisposed = true;
    }
}
