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

    /// <summary>
    /// What the server's chain was verified under when the session was made, or null when it was not verified
    /// (verification off, or a session read from a file). A client offers the session only under settings that
    /// verify the same way (<see cref="Hello.ClientHandshake.OfferableSession"/>).
    /// </summary>
    public SessionVerification? Verification { get; init; }

    /// <summary>True once a caller took the session (<see cref="Adopt"/>): the connection then never wipes it.</summary>
    public bool IsAdopted { get; private set; }

    /// <summary>
    /// Marks the session as the caller's: the connection that received it will not wipe it when it drops it from
    /// its bounded list of received sessions; the caller disposes it.
    /// </summary>
    public void Adopt() => IsAdopted = true;

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

/// <summary>
/// The verification a client session was made under: the trust anchors, the verify flags, whether a host name
/// without a DNS subjectAltName matched the common name, and the host name checked (null when the host name was
/// not checked). Resuming skips certificate verification, so a session stands in for it only under the same trust
/// settings, and for the same host name (or after that name is checked against the stored leaf).
/// </summary>
/// <param name="Trust">The trust store the chain was verified against.</param>
/// <param name="Flags">The verify flags.</param>
/// <param name="HostnameChecksCommonName">Whether the common name could stand in for a missing DNS subjectAltName.</param>
/// <param name="CheckedName">The host name the leaf was matched against, or null when the host name was not checked.</param>
internal sealed record SessionVerification(TrustStore Trust, VerifyFlags Flags, bool HostnameChecksCommonName, string? CheckedName)
{
    /// <summary>The verification <paramref name="s"/> applies, with <paramref name="checkedName"/> as the name matched.</summary>
    public static SessionVerification Of(TlsConfig s, string? checkedName) =>
        new(s.Trust, s.VerifyFlags, s.HostnameChecksCommonName, checkedName);

    /// <summary>
    /// True when <paramref name="s"/> verifies the same way: the same trust (the same store, or the same anchors and
    /// sources), the same flags and the same common-name rule.
    /// </summary>
    public bool SameTrustAs(TlsConfig s) =>
        Flags == s.VerifyFlags && HostnameChecksCommonName == s.HostnameChecksCommonName && SameTrust(Trust, s.Trust);

    private static bool SameTrust(TrustStore a, TrustStore b) =>
        ReferenceEquals(a.Identity, b.Identity)
        || (a.Sources.Count == b.Sources.Count && a.Sources.Zip(b.Sources, ReferenceEquals).All(same => same)
            && a.Anchors.Count == b.Anchors.Count && a.Anchors.Zip(b.Anchors, (x, y) => x.AsSpan().SequenceEqual(y)).All(same => same));
}
