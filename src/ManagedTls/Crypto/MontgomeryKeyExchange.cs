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
/// what a small-order peer point produces; that is reported as illegal_parameter. X25519 agreements run on
/// <c>Fast.X25519Radix51</c> where the runtime has it (<see cref="FastX25519"/>), otherwise and for everything
/// else on BouncyCastle.
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

    /// <summary>
    /// Whether X25519 agreements run on the managed radix-2^51 ladder (<c>Crypto/Fast/X25519Radix51.cs</c>, net8.0 and
    /// later on x64 with BMI2) rather than on BouncyCastle; public keys always come from BouncyCastle's fixed-base
    /// comb, which is faster than a ladder.
    /// </summary>
    internal static bool FastX25519 =>
#if NET8_0_OR_GREATER
        Fast.X25519Radix51.IsSupported;
#else
        false;
#endif

    /// <summary>Computes the shared secret for a private scalar and a peer u-coordinate, with validation.</summary>
    internal byte[] Agree(byte[] privateKey, ReadOnlySpan<byte> peerShare)
    {
        CheckShareLength(peerShare, _size);
        byte[] secret = new byte[_size];
        bool ok = _curve == MontgomeryCurve.X25519 ? AgreeX25519(privateKey, peerShare, secret, FastX25519)
            : BcX448.CalculateAgreement(privateKey, 0, peerShare.ToArray(), 0, secret, 0);
        if (!ok)
        {
            CryptoUtil.Wipe(secret);
            throw TlsAlertException.Illegal($"{Name} peer share is a small-order point (all-zero shared secret)");
        }

        return secret;
    }

    /// <summary>
    /// X25519(k, u) into <paramref name="secret"/> on the managed ladder (when <paramref name="fast"/> and
    /// <see cref="FastX25519"/>) or on BouncyCastle; false for the all-zero result. No validation of lengths.
    /// </summary>
    internal static bool AgreeX25519(byte[] privateKey, ReadOnlySpan<byte> peerShare, byte[] secret, bool fast)
    {
#if NET8_0_OR_GREATER
        if (fast && Fast.X25519Radix51.IsSupported)
        {
            return Fast.X25519Radix51.ScalarMult(privateKey, peerShare, secret);
        }
#endif
        return BcX25519.CalculateAgreement(privateKey, 0, peerShare.ToArray(), 0, secret, 0);
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
