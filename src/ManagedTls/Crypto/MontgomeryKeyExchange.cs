using Org.BouncyCastle.Security;
using BcX25519 = Org.BouncyCastle.Math.EC.Rfc7748.X25519;
using BcX448 = Org.BouncyCastle.Math.EC.Rfc7748.X448;

namespace ManagedTls.Crypto;

/// <summary>The two RFC 7748 curves.</summary>
internal enum MontgomeryCurve
{
    /// <summary>Curve25519: 32-byte scalars and u-coordinates.</summary>
    X25519,

    /// <summary>Curve448: 56-byte scalars and u-coordinates.</summary>
    X448,
}

/// <summary>
/// X25519 and X448 (RFC 7748; TLS use in RFC 8446 section 7.4.2 and RFC 8422). A share is the raw
/// little-endian u-coordinate. RFC 7748 section 6 requires rejecting the all-zero shared secret, which is
/// what a small-order peer point produces; that is reported as illegal_parameter.
/// </summary>
internal sealed class MontgomeryKeyExchange : KeyExchangeAlgorithm
{
    private readonly MontgomeryCurve _curve;
    private readonly int _size;

    /// <summary>Creates the exchange for one curve.</summary>
    public MontgomeryKeyExchange(MontgomeryCurve curve)
    {
        _curve = curve;
        _size = curve == MontgomeryCurve.X25519 ? 32 : 56;
    }

    /// <inheritdoc />
    public override string Name => _curve == MontgomeryCurve.X25519 ? "x25519" : "x448";

    /// <inheritdoc />
    public override KeyExchangeFamily Family => KeyExchangeFamily.EllipticCurve;

    /// <inheritdoc />
    public override int InitiatorShareSize => _size;

    /// <inheritdoc />
    public override int ResponderShareSize => _size;

    /// <inheritdoc />
    public override int SharedSecretSize => _size;

    /// <inheritdoc />
    public override int SecurityBits => _curve == MontgomeryCurve.X25519 ? 128 : 224;

    /// <inheritdoc />
    public override IKeyExchange Generate(IEntropySource entropy)
    {
        byte[] privateKey = new byte[_size];
        SecureRandom random = BcRandom.Create(entropy);
        if (_curve == MontgomeryCurve.X25519)
        {
            BcX25519.GeneratePrivateKey(random, privateKey);
        }
        else
        {
            BcX448.GeneratePrivateKey(random, privateKey);
        }

        return FromPrivateKey(privateKey);
    }

    /// <summary>Builds the exchange from a known private scalar (taken over and wiped on dispose); for tests.</summary>
    internal IKeyExchange FromPrivateKey(byte[] privateKey)
    {
        if (privateKey.Length != _size)
        {
            throw new ArgumentException($"{Name} private key must be {_size} bytes", nameof(privateKey));
        }

        byte[] publicKey = new byte[_size];
        if (_curve == MontgomeryCurve.X25519)
        {
            BcX25519.GeneratePublicKey(privateKey, 0, publicKey, 0);
        }
        else
        {
            BcX448.GeneratePublicKey(privateKey, 0, publicKey, 0);
        }

        return new Pending(this, privateKey, publicKey);
    }

    /// <summary>Computes the shared secret for a private scalar and a peer u-coordinate, with validation.</summary>
    internal byte[] Agree(byte[] privateKey, ReadOnlySpan<byte> peerShare)
    {
        CheckShareLength(peerShare, _size);
        byte[] peer = peerShare.ToArray();
        byte[] secret = new byte[_size];
        bool ok = _curve == MontgomeryCurve.X25519
            ? BcX25519.CalculateAgreement(privateKey, 0, peer, 0, secret, 0)
            : BcX448.CalculateAgreement(privateKey, 0, peer, 0, secret, 0);
        if (!ok)
        {
            CryptoUtil.Wipe(secret);
            throw TlsAlertException.Illegal($"{Name} peer share is a small-order point (all-zero shared secret)");
        }

        return secret;
    }

    private sealed class Pending : IKeyExchange
    {
        private readonly MontgomeryKeyExchange _owner;
        private readonly byte[] _privateKey;
        private readonly byte[] _publicKey;
        private bool _disposed;

        public Pending(MontgomeryKeyExchange owner, byte[] privateKey, byte[] publicKey)
        {
            _owner = owner;
            _privateKey = privateKey;
            _publicKey = publicKey;
        }

        public KeyExchangeAlgorithm Algorithm => _owner;

        public ReadOnlySpan<byte> PublicShare => _publicKey;

        public byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerShare)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(MontgomeryKeyExchange));
            }

            return _owner.Agree(_privateKey, peerShare);
        }

        public void Dispose()
        {
            _disposed = true;
            CryptoUtil.Wipe(_privateKey);
        }
    }
}
