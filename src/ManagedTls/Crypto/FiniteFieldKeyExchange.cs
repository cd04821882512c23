using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace ManagedTls.Crypto;

/// <summary>
/// Finite-field Diffie-Hellman: the RFC 7919 named groups (ffdhe2048..ffdhe8192) and, for TLS 1.2 DHE,
/// groups chosen by the server (<see cref="FromServerParameters"/>).
/// </summary>
/// <remarks>
/// A share is the public value Y as a big-endian integer left-padded to the length of p (RFC 8446 section
/// 4.2.8.1). This side sends the padded form in TLS 1.2 as well (dh_Ys, dh_Yc are plain integers there, so
/// leading zeros are harmless); from a TLS 1.2 peer shorter encodings are accepted (<see cref="RespondTls12"/>,
/// <see cref="DeriveTls12"/>).
/// A peer's Y must satisfy 1 &lt; Y &lt; p-1 (RFC 7919 section 5.1), which excludes the elements of order
/// one and two. The shared secret is Z = Y^x mod p left-padded to the length of p (RFC 8446 section
/// 7.4.1); <see cref="ToTls12PremasterSecret"/> strips the leading zeros as RFC 5246 section 8.1.2 requires.
/// </remarks>
internal sealed class FiniteFieldKeyExchange : KeyExchangeAlgorithm
{
    /// <summary>The smallest prime accepted from a TLS 1.2 server by default, in bits.</summary>
    public const int DefaultMinimumPrimeBits = 2048;

    /// <summary>The largest prime accepted from a server, in bits (OpenSSL's limit; bounds the work a peer can cause).</summary>
    public const int MaximumPrimeBits = 10000;

    private readonly string _name;
    private readonly BigInteger _p;
    private readonly BigInteger _pMinusOne;
    private readonly BigInteger _g;
    private readonly int _privateBits;
    private readonly int _size;
    private readonly int _securityBits;

    private FiniteFieldKeyExchange(string name, BigInteger p, BigInteger g, int privateBits, int securityBits)
    {
        _name = name;
        _p = p;
        _pMinusOne = p.Subtract(BigInteger.One);
        _g = g;
        _privateBits = privateBits;
        _size = (p.BitLength + 7) / 8;
        _securityBits = securityBits;
    }

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    public override KeyExchangeFamily Family => KeyExchangeFamily.FiniteField;

    /// <inheritdoc />
    public override int InitiatorShareSize => _size;

    /// <inheritdoc />
    public override int ResponderShareSize => _size;

    /// <inheritdoc />
    public override int SharedSecretSize => _size;

    /// <inheritdoc />
    public override int SecurityBits => _securityBits;

    /// <summary>Size of the prime in bits.</summary>
    public int PrimeBits => _p.BitLength;

    /// <summary>Length of exponents used for private keys, in bits.</summary>
    public int PrivateKeyBits => _privateBits;

    /// <summary>The prime p, big-endian without leading zeros (for dh_p in ServerKeyExchange).</summary>
    public byte[] Prime => _p.ToByteArrayUnsigned();

    /// <summary>The generator g, big-endian without leading zeros (for dh_g in ServerKeyExchange).</summary>
    public byte[] Generator => _g.ToByteArrayUnsigned();

    /// <summary>One of the RFC 7919 groups by prime size (2048, 3072, 4096, 6144, 8192).</summary>
    internal static FiniteFieldKeyExchange Rfc7919(int bits)
    {
        // Private exponent lengths follow RFC 7919 appendix A (twice the estimated strength, at least
        // as long as FIPS asks), as BouncyCastle's DHStandardGroups records them.
        (DHParameters group, int strength) = bits switch
        {
            2048 => (DHStandardGroups.rfc7919_ffdhe2048, 103),
            3072 => (DHStandardGroups.rfc7919_ffdhe3072, 125),
            4096 => (DHStandardGroups.rfc7919_ffdhe4096, 150),
            6144 => (DHStandardGroups.rfc7919_ffdhe6144, 175),
            8192 => (DHStandardGroups.rfc7919_ffdhe8192, 192),
            _ => throw new ArgumentOutOfRangeException(nameof(bits)),
        };
        return new FiniteFieldKeyExchange("ffdhe" + bits, group.P, group.G, group.L, strength);
    }

    /// <summary>
    /// A TLS 1.2 DHE group chosen by the server (ServerDHParams dh_p, dh_g). The checks are those of
    /// OpenSSL's quick parameter check: p odd and within [<paramref name="minimumPrimeBits"/>,
    /// <see cref="MaximumPrimeBits"/>], 1 &lt; g &lt; p-1. Primality is not tested (that is the server's
    /// business and costs far more than the handshake); a client that requires known-good groups should
    /// match p against the RFC 7919 primes with <see cref="IsSameGroup"/>.
    /// </summary>
    /// <param name="prime">dh_p, big-endian.</param>
    /// <param name="generator">dh_g, big-endian.</param>
    /// <param name="minimumPrimeBits">The smallest acceptable prime (default 2048 bits).</param>
    /// <returns>The group, usable to <see cref="KeyExchangeAlgorithm.Respond"/> to the server's dh_Ys.</returns>
    /// <exception cref="TlsAlertException">insufficient_security when p is too small; illegal_parameter
    /// when p or g is malformed.</exception>
    public static FiniteFieldKeyExchange FromServerParameters(ReadOnlySpan<byte> prime, ReadOnlySpan<byte> generator, int minimumPrimeBits = DefaultMinimumPrimeBits)
    {
        if (prime.Length > (MaximumPrimeBits + 7) / 8 + 1)
        {
            throw TlsAlertException.Illegal($"DH prime longer than {MaximumPrimeBits} bits");
        }

        BigInteger p = new(1, prime.ToArray());
        BigInteger g = new(1, generator.ToArray());
        if (p.BitLength > MaximumPrimeBits)
        {
            throw TlsAlertException.Illegal($"DH prime longer than {MaximumPrimeBits} bits");
        }

        if (!p.TestBit(0) || p.BitLength < 3)
        {
            throw TlsAlertException.Illegal("DH prime is even or too small to be a prime");
        }

        if (p.BitLength < minimumPrimeBits)
        {
            throw new TlsAlertException(AlertDescription.InsufficientSecurity, $"DH prime of {p.BitLength} bits is below the minimum of {minimumPrimeBits}");
        }

        if (g.CompareTo(BigInteger.One) <= 0 || g.CompareTo(p.Subtract(BigInteger.One)) >= 0)
        {
            throw TlsAlertException.Illegal("DH generator is not in the range 1 < g < p-1");
        }

        foreach (FiniteFieldKeyExchange named in new[] { KeyExchanges.Ffdhe2048, KeyExchanges.Ffdhe3072, KeyExchanges.Ffdhe4096, KeyExchanges.Ffdhe6144, KeyExchanges.Ffdhe8192 })
        {
            if (named.IsSameGroup(p, g))
            {
                return named;
            }
        }

        // Unknown structure of p-1: use full-length exponents so a short exponent cannot be recovered
        // through small factors of p-1. Strength follows the usual estimate for the modulus size.
        int strength = p.BitLength >= 7680 ? 192 : p.BitLength >= 3072 ? 128 : p.BitLength >= 2048 ? 112 : 80;
        return new FiniteFieldKeyExchange($"dhe{p.BitLength}", p, g, p.BitLength - 1, strength);
    }

    /// <summary>
    /// Reads DH parameters as OpenSSL's <c>PEM_read_DHparams</c> does: the DER of a PKCS#3 <c>DHParameter</c>
    /// (<c>SEQUENCE { prime INTEGER, base INTEGER, privateValueLength INTEGER OPTIONAL }</c>, PEM label
    /// <c>DH PARAMETERS</c>) or, with <paramref name="x942"/>, of an X9.42 <c>DomainParameters</c>
    /// (<c>SEQUENCE { p INTEGER, g INTEGER, q INTEGER, j INTEGER OPTIONAL, validationParms SEQUENCE OPTIONAL }</c>,
    /// label <c>X9.42 DH PARAMETERS</c>). An RFC 7919 prime and generator give that named group. The group is for a
    /// server's own use, so any size OpenSSL accepts is taken here; whether it is strong enough is the caller's call,
    /// with <paramref name="securityBits"/>: OpenSSL's estimate from the sizes of p and of q (or privateValueLength).
    /// </summary>
    /// <param name="der">The DER encoding.</param>
    /// <param name="x942">True for the X9.42 form.</param>
    /// <param name="securityBits">OpenSSL's <c>DH_security_bits</c> for these parameters.</param>
    /// <returns>The group.</returns>
    /// <exception cref="FormatException">The encoding is not the structure above.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The values cannot make a group: p above <see cref="MaximumPrimeBits"/>
    /// bits (parameter name <c>primeBits</c>), p even or not positive (<c>p</c>), or g outside 1 &lt; g &lt; p-1
    /// (<c>g</c>).</exception>
    public static FiniteFieldKeyExchange FromDhParameters(ReadOnlySpan<byte> der, bool x942, out int securityBits)
    {
        Org.BouncyCastle.Asn1.Asn1Sequence sequence;
        try
        {
            sequence = Org.BouncyCastle.Asn1.Asn1Sequence.GetInstance(Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(der.ToArray()));
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException or InvalidOperationException)
        {
            throw new FormatException("DH parameters are not a DER sequence", e);
        }

        int min = x942 ? 3 : 2;
        int max = x942 ? 5 : 3;
        if (sequence.Count < min || sequence.Count > max || sequence[0] is not Org.BouncyCastle.Asn1.DerInteger pInt
            || sequence[1] is not Org.BouncyCastle.Asn1.DerInteger gInt)
        {
            throw new FormatException("DH parameters do not have the DHParameter or DomainParameters structure");
        }

        BigInteger p = pInt.Value;
        BigInteger g = gInt.Value;
        int n = -1;
        if (x942)
        {
            if (sequence[2] is not Org.BouncyCastle.Asn1.DerInteger q)
            {
                throw new FormatException("X9.42 DH parameters without q");
            }

            n = q.Value.SignValue > 0 ? q.Value.BitLength : -1;
        }
        else if (sequence.Count == 3)
        {
            if (sequence[2] is not Org.BouncyCastle.Asn1.DerInteger length)
            {
                throw new FormatException("DH privateValueLength is not an integer");
            }

            BigInteger bits = length.Value;
            n = bits.SignValue > 0 && bits.BitLength <= 16 ? bits.IntValue : -1;
        }

        if (p.BitLength > MaximumPrimeBits)
        {
            throw new ArgumentOutOfRangeException("primeBits", $"DH prime longer than {MaximumPrimeBits} bits");
        }

        if (p.SignValue <= 0 || !p.TestBit(0) || p.BitLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(p), "DH prime is even or too small to be a prime");
        }

        if (g.CompareTo(BigInteger.One) <= 0 || g.CompareTo(p.Subtract(BigInteger.One)) >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(g), "DH generator is not in the range 1 < g < p-1");
        }

        securityBits = OpenSslSecurityBits(p.BitLength, n);
        return FromServerParameters(p.ToByteArrayUnsigned(), g.ToByteArrayUnsigned(), minimumPrimeBits: 0);
    }

    /// <summary>
    /// OpenSSL's <c>BN_security_bits(L, N)</c>: the strength of a finite-field group with an L-bit prime and an N-bit
    /// subgroup order or private exponent (N = -1 when unknown), as its security levels compare it.
    /// </summary>
    public static int OpenSslSecurityBits(int primeBits, int subgroupBits)
    {
        int bits = primeBits >= 15360 ? 256 : primeBits >= 7680 ? 192 : primeBits >= 3072 ? 128 : primeBits >= 2048 ? 112 : primeBits >= 1024 ? 80 : 0;
        if (bits == 0 || subgroupBits == -1)
        {
            return bits;
        }

        int half = subgroupBits / 2;
        return half < 80 ? 0 : Math.Min(half, bits);
    }

    /// <summary>True when this group has the given prime and generator.</summary>
    internal bool IsSameGroup(BigInteger p, BigInteger g) => _p.Equals(p) && _g.Equals(g);

    /// <inheritdoc />
    public override IKeyExchange Generate(IEntropySource entropy)
    {
        SecureRandom random = BcRandom.Create(entropy);

        // x has exactly _privateBits bits (top bit set), so 2^(l-1) <= x < 2^l <= p-1.
        BigInteger x = new BigInteger(_privateBits, random).SetBit(_privateBits - 1);
        return FromExponent(x);
    }

    /// <summary>Builds the exchange from a known big-endian private exponent in [2, p-2]; for tests.</summary>
    internal IKeyExchange FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        BigInteger x = new(1, privateKey.ToArray());
        if (x.CompareTo(BigInteger.One) <= 0 || x.CompareTo(_pMinusOne) >= 0)
        {
            throw new ArgumentException($"{Name} private key out of range", nameof(privateKey));
        }

        return FromExponent(x);
    }

    /// <inheritdoc />
    public override byte[] ToTls12PremasterSecret(byte[] sharedSecret)
    {
        int zeros = 0;
        while (zeros < sharedSecret.Length - 1 && sharedSecret[zeros] == 0)
        {
            zeros++;
        }

        if (zeros == 0)
        {
            return sharedSecret;
        }

        byte[] stripped = sharedSecret.AsSpan(zeros).ToArray();
        CryptoUtil.Wipe(sharedSecret);
        return stripped;
    }

    /// <summary>
    /// Parses and validates a peer's public value. Shorter encodings than |p| are accepted (TLS 1.2 peers
    /// strip leading zeros) only when <paramref name="exactLength"/> is false; TLS 1.3 requires |p| bytes.
    /// </summary>
    internal BigInteger DecodeShare(ReadOnlySpan<byte> share, bool exactLength)
    {
        if (exactLength)
        {
            CheckShareLength(share, _size);
        }
        else if (share.Length == 0 || share.Length > _size)
        {
            throw TlsAlertException.Illegal($"{Name} public value must be 1..{_size} bytes, got {share.Length}");
        }

        BigInteger y = new(1, share.ToArray());
        if (y.CompareTo(BigInteger.One) <= 0 || y.CompareTo(_pMinusOne) >= 0)
        {
            throw TlsAlertException.Illegal($"{Name} public value is not in the range 1 < Y < p-1");
        }

        return y;
    }

    /// <summary>
    /// TLS 1.2 responder (the client answering ServerKeyExchange): accepts a dh_Ys shorter than |p|, as
    /// servers that strip leading zeros send. The returned share is padded to |p|.
    /// </summary>
    /// <param name="peerShare">dh_Ys from the server.</param>
    /// <param name="entropy">Where the private exponent comes from.</param>
    /// <returns>dh_Yc and the shared secret (TLS 1.3 form: call <see cref="ToTls12PremasterSecret"/>).</returns>
    public KeyExchangeResponse RespondTls12(ReadOnlySpan<byte> peerShare, IEntropySource entropy)
    {
        BigInteger y = DecodeShare(peerShare, exactLength: false);
        using var own = (Pending)Generate(entropy);
        return new KeyExchangeResponse(own.PublicShare.ToArray(), own.Agree(y));
    }

    /// <inheritdoc />
    public override KeyExchangeResponse Respond(ReadOnlySpan<byte> peerShare, IEntropySource entropy)
    {
        BigInteger y = DecodeShare(peerShare, exactLength: true);
        using var own = (Pending)Generate(entropy);
        return new KeyExchangeResponse(own.PublicShare.ToArray(), own.Agree(y));
    }

    private IKeyExchange FromExponent(BigInteger x)
    {
        BigInteger y = _g.ModPow(x, _p);
        return new Pending(this, x, Pad(y));
    }

    private byte[] Pad(BigInteger value)
    {
        byte[] result = new byte[_size];
        byte[] raw = value.ToByteArrayUnsigned();
        raw.CopyTo(result, _size - raw.Length);
        CryptoUtil.Wipe(raw);
        return result;
    }

    private sealed class Pending : IKeyExchange
    {
        private readonly FiniteFieldKeyExchange _owner;
        private readonly byte[] _publicKey;
        private BigInteger? _privateKey;

        public Pending(FiniteFieldKeyExchange owner, BigInteger privateKey, byte[] publicKey)
        {
            _owner = owner;
            _privateKey = privateKey;
            _publicKey = publicKey;
        }

        public KeyExchangeAlgorithm Algorithm => _owner;

        public ReadOnlySpan<byte> PublicShare => _publicKey;

        /// <summary>TLS 1.3 form: the peer share must be exactly |p| bytes. For a TLS 1.2 server reading
        /// dh_Yc use <see cref="FiniteFieldKeyExchange.DeriveTls12"/>.</summary>
        public byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerShare)
        {
            ThrowIfDisposed();
            return Agree(_owner.DecodeShare(peerShare, exactLength: true));
        }

        public byte[] DeriveLenient(ReadOnlySpan<byte> peerShare)
        {
            ThrowIfDisposed();
            return Agree(_owner.DecodeShare(peerShare, exactLength: false));
        }

        private void ThrowIfDisposed()
        {
            if (_privateKey is null)
            {
                throw new ObjectDisposedException(nameof(FiniteFieldKeyExchange));
            }
        }

        public byte[] Agree(BigInteger peerY)
        {
            BigInteger x = _privateKey ?? throw new ObjectDisposedException(nameof(FiniteFieldKeyExchange));
            BigInteger z = peerY.ModPow(x, _owner._p);
            if (z.Equals(BigInteger.One))
            {
                throw TlsAlertException.Illegal($"{_owner.Name} shared secret is 1");
            }

            return _owner.Pad(z);
        }

        // BouncyCastle's BigInteger is immutable; dropping the reference is all that can be done.
        public void Dispose() => _privateKey = null;
    }

    /// <summary>
    /// TLS 1.2 initiator (the server reading ClientKeyExchange dh_Yc): like
    /// <see cref="IKeyExchange.DeriveSharedSecret"/> but accepts a dh_Yc shorter than |p|.
    /// </summary>
    /// <param name="exchange">An exchange made by this group's <see cref="Generate"/>.</param>
    /// <param name="peerShare">dh_Yc.</param>
    /// <returns>The shared secret (TLS 1.3 form: call <see cref="ToTls12PremasterSecret"/>).</returns>
    public static byte[] DeriveTls12(IKeyExchange exchange, ReadOnlySpan<byte> peerShare)
    {
        if (exchange is not Pending pending)
        {
            throw new ArgumentException("not a finite-field key exchange", nameof(exchange));
        }

        return pending.DeriveLenient(peerShare);
    }
}
