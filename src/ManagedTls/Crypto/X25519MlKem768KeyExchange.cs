using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;

namespace ManagedTls.Crypto;

/// <summary>
/// X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem, code point 0x11EC): ML-KEM-768 (FIPS 203) combined with
/// X25519. The ML-KEM part comes first in every field:
/// <code>
/// client share  = ML-KEM-768 encapsulation key (1184) || X25519 public key (32)   = 1216 bytes
/// server share  = ML-KEM-768 ciphertext (1088)        || X25519 public key (32)   = 1120 bytes
/// shared secret = ML-KEM-768 shared secret (32)      || X25519 shared secret (32) =   64 bytes
/// </code>
/// The server applies the FIPS 203 encapsulation-key check (coefficients reduced mod q) and the X25519
/// all-zero check; failures are illegal_parameter. A ciphertext of the right length is never rejected:
/// ML-KEM's implicit rejection turns a tampered ciphertext into an unrelated secret, and the handshake
/// fails later at Finished.
/// </summary>
internal sealed class X25519MlKem768KeyExchange : KeyExchangeAlgorithm
{
    private const int EncapsulationKeySize = 1184;
    private const int CiphertextSize = 1088;
    private const int MlKemSecretSize = 32;
    private const int X25519Size = 32;
    private const int SeedSize = 64;

    private static MLKemParameters Parameters => MLKemParameters.ml_kem_768;

    private static MontgomeryKeyExchange X25519 => (MontgomeryKeyExchange)KeyExchanges.X25519;

    /// <inheritdoc />
    public override string Name => "X25519MLKEM768";

    /// <inheritdoc />
    public override KeyExchangeFamily Family => KeyExchangeFamily.Kem;

    /// <inheritdoc />
    public override int InitiatorShareSize => EncapsulationKeySize + X25519Size;

    /// <inheritdoc />
    public override int ResponderShareSize => CiphertextSize + X25519Size;

    /// <inheritdoc />
    public override int SharedSecretSize => MlKemSecretSize + X25519Size;

    /// <inheritdoc />
    public override int SecurityBits => 192;

    /// <inheritdoc />
    public override IKeyExchange Generate(IEntropySource entropy)
    {
        // The ML-KEM key pair is derived from a 64-byte seed (d || z, FIPS 203 ML-KEM.KeyGen_internal)
        // so every bit of randomness comes from the injected source.
        byte[] seed = new byte[SeedSize];
        entropy.GetBytes(seed);
        byte[] x25519Private = new byte[X25519Size];
        entropy.GetBytes(x25519Private);
        return FromSeeds(seed, x25519Private);
    }

    /// <summary>Builds the client side from a known ML-KEM seed and X25519 scalar (both taken over and wiped).</summary>
    internal IKeyExchange FromSeeds(byte[] mlKemSeed, byte[] x25519Private)
    {
        try
        {
            MLKemPrivateKeyParameters decapsulationKey = MLKemPrivateKeyParameters.FromSeed(Parameters, mlKemSeed);
            IKeyExchange ecdh = X25519.FromPrivateKey(x25519Private);
            byte[] share = new byte[InitiatorShareSize];
            decapsulationKey.GetPublicKeyEncoded().CopyTo(share, 0);
            ecdh.PublicShare.CopyTo(share.AsSpan(EncapsulationKeySize));
            return new Pending(this, decapsulationKey, ecdh, share);
        }
        finally
        {
            CryptoUtil.Wipe(mlKemSeed);
        }
    }

    /// <inheritdoc />
    public override KeyExchangeResponse Respond(ReadOnlySpan<byte> peerShare, IEntropySource entropy)
    {
        CheckShareLength(peerShare, InitiatorShareSize);
        MLKemPublicKeyParameters encapsulationKey;
        try
        {
            encapsulationKey = MLKemPublicKeyParameters.FromEncoding(Parameters, peerShare.Slice(0, EncapsulationKeySize).ToArray());
        }
        catch (ArgumentException e)
        {
            throw new TlsAlertException(AlertDescription.IllegalParameter, "ML-KEM-768 encapsulation key fails the FIPS 203 modulus check", e);
        }

        byte[] share = new byte[ResponderShareSize];
        byte[] secret = new byte[SharedSecretSize];
        byte[] ciphertext = new byte[CiphertextSize];
        byte[] kemSecret = new byte[MlKemSecretSize];
        try
        {
            var encapsulator = new MLKemEncapsulator(Parameters);
            encapsulator.Init(new ParametersWithRandom(encapsulationKey, BcRandom.Create(entropy)));
            encapsulator.Encapsulate(ciphertext, 0, CiphertextSize, kemSecret, 0, MlKemSecretSize);

            using KeyExchangeResponse ecdh = X25519.Respond(peerShare.Slice(EncapsulationKeySize), entropy);
            ciphertext.CopyTo(share, 0);
            ecdh.Share.CopyTo(share, CiphertextSize);
            kemSecret.CopyTo(secret, 0);
            ecdh.SharedSecret.CopyTo(secret, MlKemSecretSize);
            return new KeyExchangeResponse(share, secret);
        }
        catch
        {
            CryptoUtil.Wipe(secret);
            throw;
        }
        finally
        {
            CryptoUtil.Wipe(kemSecret);
        }
    }

    private sealed class Pending : IKeyExchange
    {
        private readonly X25519MlKem768KeyExchange _owner;
        private readonly IKeyExchange _ecdh;
        private readonly byte[] _share;
        private MLKemPrivateKeyParameters? _decapsulationKey;

        public Pending(X25519MlKem768KeyExchange owner, MLKemPrivateKeyParameters decapsulationKey, IKeyExchange ecdh, byte[] share)
        {
            _owner = owner;
            _decapsulationKey = decapsulationKey;
            _ecdh = ecdh;
            _share = share;
        }

        public KeyExchangeAlgorithm Algorithm => _owner;

        public ReadOnlySpan<byte> PublicShare => _share;

        public byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerShare)
        {
            MLKemPrivateKeyParameters key = _decapsulationKey ?? throw new ObjectDisposedException(nameof(X25519MlKem768KeyExchange));
            _owner.CheckShareLength(peerShare, _owner.ResponderShareSize);

            // X25519 first: it is the part that can reject the share outright.
            byte[] ecdhSecret = _ecdh.DeriveSharedSecret(peerShare.Slice(CiphertextSize));
            byte[] kemSecret = new byte[MlKemSecretSize];
            try
            {
                var decapsulator = new MLKemDecapsulator(Parameters);
                decapsulator.Init(key);
                byte[] ciphertext = peerShare.Slice(0, CiphertextSize).ToArray();
                decapsulator.Decapsulate(ciphertext, 0, CiphertextSize, kemSecret, 0, MlKemSecretSize);
                byte[] secret = new byte[MlKemSecretSize + X25519Size];
                kemSecret.CopyTo(secret, 0);
                ecdhSecret.CopyTo(secret, MlKemSecretSize);
                return secret;
            }
            finally
            {
                CryptoUtil.Wipe(kemSecret);
                CryptoUtil.Wipe(ecdhSecret);
            }
        }

        // The X25519 scalar is wiped; the ML-KEM decapsulation key lives inside BouncyCastle's parameter
        // object, which offers no way to clear it, so the reference is dropped.
        public void Dispose()
        {
            _ecdh.Dispose();
            _decapsulationKey = null;
        }
    }
}
