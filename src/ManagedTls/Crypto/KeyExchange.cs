namespace ManagedTls.Crypto;

/// <summary>The family a key exchange belongs to; decides how TLS 1.2 carries it and which suites it fits.</summary>
internal enum KeyExchangeFamily
{
    /// <summary>Elliptic-curve Diffie-Hellman (X25519, X448 and the NIST prime curves): TLS 1.2 ECDHE.</summary>
    EllipticCurve,

    /// <summary>Finite-field Diffie-Hellman (RFC 7919 groups and server-chosen parameters): TLS 1.2 DHE.</summary>
    FiniteField,

    /// <summary>A key-encapsulation mechanism, possibly hybrid with ECDH: TLS 1.3 only.</summary>
    Kem,
}

/// <summary>
/// A key-exchange algorithm described as plain data plus two operations. The initiator (a TLS 1.3 client,
/// a TLS 1.2 server sending ServerKeyExchange) calls <see cref="Generate"/>, sends
/// <see cref="IKeyExchange.PublicShare"/> and later calls <see cref="IKeyExchange.DeriveSharedSecret"/> with
/// the peer's share. The responder (a TLS 1.3 server, a TLS 1.2 client) calls <see cref="Respond"/> once with
/// the initiator's share and gets its own share and the shared secret together, which is the shape a KEM
/// needs. Every malformed or invalid peer share raises <c>illegal_parameter</c>.
/// </summary>
internal abstract class KeyExchangeAlgorithm
{
    /// <summary>The IANA name (for example <c>x25519</c>, <c>secp256r1</c>, <c>ffdhe2048</c>).</summary>
    public abstract string Name { get; }

    /// <summary>How TLS carries this exchange.</summary>
    public abstract KeyExchangeFamily Family { get; }

    /// <summary>Length in bytes of the initiator's share (the TLS 1.3 client key_share).</summary>
    public abstract int InitiatorShareSize { get; }

    /// <summary>Length in bytes of the responder's share (the TLS 1.3 server key_share).</summary>
    public abstract int ResponderShareSize { get; }

    /// <summary>Length in bytes of the shared secret as TLS 1.3 uses it.</summary>
    public abstract int SharedSecretSize { get; }

    /// <summary>Approximate security level in bits (for policy checks and diagnostics).</summary>
    public abstract int SecurityBits { get; }

    /// <summary>Creates a fresh key pair (or encapsulation key) from <paramref name="entropy"/>.</summary>
    /// <param name="entropy">Where the private key comes from.</param>
    /// <returns>The pending exchange; dispose it to wipe the private key.</returns>
    public abstract IKeyExchange Generate(IEntropySource entropy);

    /// <summary>
    /// Answers an initiator's share: validates it, produces this side's share and the shared secret.
    /// </summary>
    /// <param name="peerShare">The initiator's public share.</param>
    /// <param name="entropy">Where this side's ephemeral secret comes from.</param>
    /// <returns>The share to send and the shared secret; dispose it to wipe the secret.</returns>
    /// <exception cref="TlsAlertException">illegal_parameter when the share is malformed or invalid.</exception>
    public virtual KeyExchangeResponse Respond(ReadOnlySpan<byte> peerShare, IEntropySource entropy)
    {
        CheckShareLength(peerShare, InitiatorShareSize);
        using IKeyExchange own = Generate(entropy);
        byte[] secret = own.DeriveSharedSecret(peerShare);
        return new KeyExchangeResponse(own.PublicShare.ToArray(), secret);
    }

    /// <summary>
    /// Converts a shared secret as returned by this class (the TLS 1.3 form) into the TLS 1.2 premaster
    /// secret. Only finite-field DH differs: RFC 5246 section 8.1.2 strips leading zero bytes, RFC 8446
    /// section 7.4.1 keeps them. The input is wiped when a new array is returned.
    /// </summary>
    /// <param name="sharedSecret">The secret from <see cref="IKeyExchange.DeriveSharedSecret"/> or <see cref="Respond"/>.</param>
    /// <returns>The premaster secret.</returns>
    public virtual byte[] ToTls12PremasterSecret(byte[] sharedSecret) => sharedSecret;

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Throws illegal_parameter when a share has the wrong length.</summary>
    protected void CheckShareLength(ReadOnlySpan<byte> share, int expected)
    {
        if (share.Length != expected)
        {
            throw TlsAlertException.Illegal($"{Name} key share must be {expected} bytes, got {share.Length}");
        }
    }
}

/// <summary>
/// The initiator's side of a key exchange: holds the private key until the peer's share arrives.
/// Dispose wipes the private key material this object owns.
/// </summary>
internal interface IKeyExchange : IDisposable
{
    /// <summary>Which algorithm.</summary>
    KeyExchangeAlgorithm Algorithm { get; }

    /// <summary>The public share to send (<see cref="KeyExchangeAlgorithm.InitiatorShareSize"/> bytes).</summary>
    ReadOnlySpan<byte> PublicShare { get; }

    /// <summary>Validates the peer's share and computes the shared secret (TLS 1.3 form).</summary>
    /// <param name="peerShare">The responder's share.</param>
    /// <returns>A new array the caller owns and wipes.</returns>
    /// <exception cref="TlsAlertException">illegal_parameter when the share is malformed or invalid.</exception>
    byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerShare);
}

/// <summary>What the responder of a key exchange sends back and keeps. Dispose wipes the secret.</summary>
internal sealed class KeyExchangeResponse : IDisposable
{
    /// <summary>Creates a response; takes ownership of both arrays.</summary>
    /// <param name="share">This side's public share.</param>
    /// <param name="sharedSecret">The shared secret.</param>
    public KeyExchangeResponse(byte[] share, byte[] sharedSecret)
    {
        Share = share;
        SharedSecret = sharedSecret;
    }

    /// <summary>The share to send to the initiator.</summary>
    public byte[] Share { get; }

    /// <summary>The shared secret (TLS 1.3 form); wiped by <see cref="Dispose"/>.</summary>
    public byte[] SharedSecret { get; }

    /// <summary>Wipes the shared secret.</summary>
    public void Dispose() => CryptoUtil.Wipe(SharedSecret);
}

/// <summary>The built-in key exchanges, one instance each.</summary>
internal static class KeyExchanges
{
    /// <summary>X25519 (RFC 7748).</summary>
    public static KeyExchangeAlgorithm X25519 { get; } = new MontgomeryKeyExchange(MontgomeryCurve.X25519);

    /// <summary>X448 (RFC 7748).</summary>
    public static KeyExchangeAlgorithm X448 { get; } = new MontgomeryKeyExchange(MontgomeryCurve.X448);

    /// <summary>ECDH over secp256r1 (NIST P-256).</summary>
    public static KeyExchangeAlgorithm Secp256r1 { get; } = new EcdhKeyExchange("secp256r1", 128);

    /// <summary>ECDH over secp384r1 (NIST P-384).</summary>
    public static KeyExchangeAlgorithm Secp384r1 { get; } = new EcdhKeyExchange("secp384r1", 192);

    /// <summary>ECDH over secp521r1 (NIST P-521).</summary>
    public static KeyExchangeAlgorithm Secp521r1 { get; } = new EcdhKeyExchange("secp521r1", 256);

    /// <summary>ffdhe2048 (RFC 7919).</summary>
    public static FiniteFieldKeyExchange Ffdhe2048 { get; } = FiniteFieldKeyExchange.Rfc7919(2048);

    /// <summary>ffdhe3072 (RFC 7919).</summary>
    public static FiniteFieldKeyExchange Ffdhe3072 { get; } = FiniteFieldKeyExchange.Rfc7919(3072);

    /// <summary>ffdhe4096 (RFC 7919).</summary>
    public static FiniteFieldKeyExchange Ffdhe4096 { get; } = FiniteFieldKeyExchange.Rfc7919(4096);

    /// <summary>ffdhe6144 (RFC 7919).</summary>
    public static FiniteFieldKeyExchange Ffdhe6144 { get; } = FiniteFieldKeyExchange.Rfc7919(6144);

    /// <summary>ffdhe8192 (RFC 7919).</summary>
    public static FiniteFieldKeyExchange Ffdhe8192 { get; } = FiniteFieldKeyExchange.Rfc7919(8192);

    /// <summary>X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem): ML-KEM-768 and X25519 combined.</summary>
    public static KeyExchangeAlgorithm X25519MlKem768 { get; } = new X25519MlKem768KeyExchange();

    /// <summary>Every built-in algorithm (no particular preference).</summary>
    public static IReadOnlyList<KeyExchangeAlgorithm> All { get; } = new[]
    {
        X25519, X448, Secp256r1, Secp384r1, Secp521r1,
        Ffdhe2048, Ffdhe3072, Ffdhe4096, Ffdhe6144, Ffdhe8192, X25519MlKem768,
    };
}
