using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace ManagedTls.Crypto;

/// <summary>
/// ECDH over the NIST prime curves (secp256r1, secp384r1, secp521r1) using BouncyCastle's specialised
/// field arithmetic (<see cref="CustomNamedCurves"/>).
/// </summary>
/// <remarks>
/// Shares are uncompressed points only, as RFC 8446 section 4.2.8.2 requires:
/// <code>
/// struct {
///     uint8 legacy_form = 4;
///     opaque X[coordinate_length];
///     opaque Y[coordinate_length];
/// } UncompressedPointRepresentation;
/// </code>
/// The peer point is checked to be on the curve and not the point at infinity (the curves have cofactor 1,
/// so that is full validation); the shared secret is the x coordinate of the product, left-padded to the
/// coordinate length (RFC 8446 section 7.4.2, RFC 8422 section 5.10).
/// </remarks>
internal sealed class EcdhKeyExchange : KeyExchangeAlgorithm
{
    private readonly string _name;
    private readonly int _securityBits;
    private readonly X9ECParameters _parameters;
    private readonly int _coordinateSize;

    /// <summary>Creates the exchange for a curve named as in <see cref="CustomNamedCurves"/>.</summary>
    public EcdhKeyExchange(string curveName, int securityBits)
    {
        _name = curveName;
        _securityBits = securityBits;
        _parameters = CustomNamedCurves.GetByName(curveName)
            ?? throw new ArgumentException($"unknown curve {curveName}", nameof(curveName));
        _coordinateSize = (_parameters.Curve.FieldSize + 7) / 8;
        if (_parameters.Curve.CoordinateSystem != ECCurve.COORD_JACOBIAN)
        {
            throw new ArgumentException($"{curveName} does not use Jacobian coordinates", nameof(curveName));
        }
    }

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    public override KeyExchangeFamily Family => KeyExchangeFamily.EllipticCurve;

    /// <inheritdoc />
    public override int InitiatorShareSize => 1 + (2 * _coordinateSize);

    /// <inheritdoc />
    public override int ResponderShareSize => 1 + (2 * _coordinateSize);

    /// <inheritdoc />
    public override int SharedSecretSize => _coordinateSize;

    /// <inheritdoc />
    public override int SecurityBits => _securityBits;

    /// <inheritdoc />
    public override IKeyExchange Generate(IEntropySource entropy)
    {
        SecureRandom random = BcRandom.Create(entropy);
        BigInteger d = BigIntegers.CreateRandomInRange(BigInteger.One, _parameters.N.Subtract(BigInteger.One), random);
        return FromScalar(d, random);
    }

    /// <summary>Builds the exchange from a known big-endian private scalar in [1, n-1]; for tests.</summary>
    /// <param name="privateKey">The scalar.</param>
    /// <param name="blinding">Randomness for blinding field inversions (does not affect results).</param>
    internal IKeyExchange FromPrivateKey(ReadOnlySpan<byte> privateKey, IEntropySource? blinding = null)
    {
        BigInteger d = new(1, privateKey.ToArray());
        if (d.SignValue <= 0 || d.CompareTo(_parameters.N) >= 0)
        {
            throw new ArgumentException($"{Name} private key out of range", nameof(privateKey));
        }

        return FromScalar(d, BcRandom.Create(blinding ?? OsEntropy.Instance));
    }

    /// <summary>Decodes and validates a peer share; throws illegal_parameter when it is not a valid point.</summary>
    internal ECPoint DecodeShare(ReadOnlySpan<byte> share)
    {
        CheckShareLength(share, InitiatorShareSize);
        if (share[0] != 0x04)
        {
            throw TlsAlertException.Illegal($"{Name} key share is not an uncompressed point (form 0x{share[0]:x2})");
        }

        ECPoint point;
        try
        {
            // DecodePoint rejects coordinates outside the field and points not on the curve.
            point = _parameters.Curve.DecodePoint(share.ToArray());
        }
        catch (ArgumentException e)
        {
            throw new TlsAlertException(AlertDescription.IllegalParameter, $"{Name} key share is not a point on the curve", e);
        }

        if (point.IsInfinity || !point.IsValid())
        {
            throw TlsAlertException.Illegal($"{Name} key share is not a valid curve point");
        }

        return point;
    }

    private IKeyExchange FromScalar(BigInteger d, SecureRandom random)
    {
        ECPoint q = new FixedPointCombMultiplier().Multiply(_parameters.G, d);
        (ECFieldElement x, ECFieldElement y) = ToAffine(q, random);
        byte[] encoded = new byte[InitiatorShareSize];
        encoded[0] = 0x04;
        Encode(x, encoded.AsSpan(1, _coordinateSize));
        Encode(y, encoded.AsSpan(1 + _coordinateSize, _coordinateSize));
        return new Pending(this, d, encoded, random);
    }

    private byte[] Agree(BigInteger d, ReadOnlySpan<byte> peerShare, SecureRandom random)
    {
        ECPoint peer = DecodeShare(peerShare);
        ECPoint product = peer.Multiply(d);
        if (product.IsInfinity)
        {
            throw TlsAlertException.Illegal($"{Name} shared point is the point at infinity");
        }

        byte[] secret = new byte[_coordinateSize];
        Encode(ToAffine(product, random).X, secret);
        return secret;
    }

    /// <summary>
    /// Affine coordinates with the inversion blinded by the injected entropy (<see cref="EcMath.Normalize(ECPoint, SecureRandom)"/>):
    /// BouncyCastle's own <c>Normalize</c> draws its blinding factor from a static generator seeded by
    /// .NET's RandomNumberGenerator (OpenSSL on Linux).
    /// </summary>
    private static (ECFieldElement X, ECFieldElement Y) ToAffine(ECPoint point, SecureRandom random)
    {
        ECPoint affine = EcMath.Normalize(point, random);
        return (affine.AffineXCoord, affine.AffineYCoord);
    }

    private static void Encode(ECFieldElement element, Span<byte> destination)
    {
        byte[] raw = element.ToBigInteger().ToByteArrayUnsigned();
        destination.Clear();
        raw.CopyTo(destination.Slice(destination.Length - raw.Length));
        CryptoUtil.Wipe(raw);
    }

    private sealed class Pending : IKeyExchange
    {
        private readonly EcdhKeyExchange _owner;
        private readonly byte[] _publicKey;
        private readonly SecureRandom _random;
        private BigInteger? _privateKey;

        public Pending(EcdhKeyExchange owner, BigInteger privateKey, byte[] publicKey, SecureRandom random)
        {
            _owner = owner;
            _privateKey = privateKey;
            _publicKey = publicKey;
            _random = random;
        }

        public KeyExchangeAlgorithm Algorithm => _owner;

        public ReadOnlySpan<byte> PublicShare => _publicKey;

        public byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerShare)
        {
            BigInteger d = _privateKey ?? throw new ObjectDisposedException(nameof(EcdhKeyExchange));
            return _owner.Agree(d, peerShare, _random);
        }

        // BouncyCastle's BigInteger is immutable and cannot be overwritten; dropping the only reference is
        // as far as wiping goes for the scalar.
        public void Dispose() => _privateKey = null;
    }
}
