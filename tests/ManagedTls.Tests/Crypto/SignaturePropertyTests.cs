using FsCheck;
using FsCheck.Xunit;
using ManagedTls.Crypto;

namespace ManagedTls.Tests.Crypto;

public class SignaturePropertyTests
{
    private static readonly PrivateKey P256 = KeyTestFiles.Load("p256.pem");
    private static readonly PrivateKey Ed25519 = KeyTestFiles.Load("ed25519.pem");

    [Property(MaxTest = 40)]
    public bool Ecdsa_signs_any_message_and_rejects_any_other(byte[] message, byte[] other)
    {
        byte[] signature = P256.Sign(SignatureAlgorithm.EcdsaP256Sha256, message, OsEntropy.Instance);
        bool same = message.AsSpan().SequenceEqual(other);
        return P256.PublicKey.Verify(SignatureAlgorithm.EcdsaP256Sha256, message, signature)
            && P256.PublicKey.Verify(SignatureAlgorithm.EcdsaP256Sha256, other, signature) == same;
    }

    [Property(MaxTest = 60)]
    public bool Ed25519_rejects_any_single_bit_flip(byte[] message, PositiveInt position)
    {
        byte[] signature = Ed25519.Sign(SignatureAlgorithm.Ed25519, message, OsEntropy.Instance);
        int bit = position.Get % (signature.Length * 8);
        signature[bit / 8] ^= (byte)(1 << (bit % 8));
        return !Ed25519.PublicKey.Verify(SignatureAlgorithm.Ed25519, message, signature);
    }

    [Property(MaxTest = 200)]
    public bool Arbitrary_bytes_never_verify_and_never_throw(byte[] signature)
    {
        byte[] message = [1, 2, 3];
        foreach (SignatureAlgorithm algorithm in new[] { SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.EcdsaSha1 })
        {
            if (P256.PublicKey.Verify(algorithm, message, signature))
            {
                return false;
            }
        }

        return !Ed25519.PublicKey.Verify(SignatureAlgorithm.Ed25519, message, signature);
    }

    [Property(MaxTest = 100)]
    public bool Arbitrary_bytes_never_escape_the_key_loaders(byte[] data)
    {
        try
        {
            PrivateKey.Load(data, "pw");
        }
        catch (KeyFormatException)
        {
        }

        try
        {
            PublicKey.FromSubjectPublicKeyInfo(data);
        }
        catch (KeyFormatException)
        {
        }

        return true;
    }
}
