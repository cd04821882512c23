using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace ManagedTls.Crypto;

/// <summary>
/// BouncyCastle's RSA key constructors check that the modulus is composite with a Miller-Rabin test whose
/// bases come from <c>new SecureRandom()</c>, that is from .NET's <c>RandomNumberGenerator</c> (OpenSSL on
/// Linux). Every RSA key this library builds goes through <see cref="Create{T}"/>, which switches that test
/// off for the current thread (BouncyCastle's <c>Org.BouncyCastle.Rsa.MaxMRTests</c> thread property) while
/// the key object is made, and <see cref="CheckComposite"/>, which runs the same test with bases drawn from
/// <see cref="OsEntropy"/>. Private keys need no test: their loader checks p * q = n.
/// </summary>
internal static class RsaModulusCheck
{
    private const int MaxChecked = 1024;

    /// <summary>SHA-256 fingerprints of moduli already proven composite.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Checked = new();

    /// <summary>Runs <paramref name="create"/> (which builds RSA key parameters) without BouncyCastle's own primality test.</summary>
    public static T Create<T>(Func<T> create)
    {
        string name = Properties.RsaMaxMRTests;
        string? previous = Properties.GetThreadProperty(name);
        Properties.SetThreadProperty(name, "0");
        try
        {
            return create();
        }
        finally
        {
            if (previous is null)
            {
                Properties.RemoveThreadProperty(name);
            }
            else
            {
                Properties.SetThreadProperty(name, previous);
            }
        }
    }

    /// <summary>
    /// Throws <see cref="KeyFormatException"/> unless the Miller-Rabin test proves <paramref name="modulus"/>
    /// composite (and not a prime power), with BouncyCastle's iteration counts (FIPS 186-4 table C.2).
    /// </summary>
    public static void CheckComposite(BigInteger modulus)
    {
        // The test costs a few full-size exponentiations; the same certificates are parsed again and again.
        string fingerprint = CryptoUtil.ToHex(Hashes.Compute(HashAlgorithm.Sha256, modulus.ToByteArrayUnsigned()));
        if (Checked.ContainsKey(fingerprint))
        {
            return;
        }

        int halfBits = modulus.BitLength / 2;
        int iterations = halfBits >= 1536 ? 3 : halfBits >= 1024 ? 4 : halfBits >= 512 ? 7 : 50;
        Org.BouncyCastle.Math.Primes.MROutput result = Org.BouncyCastle.Math.Primes.EnhancedMRProbablePrimeTest(modulus, BcRandom.Create(OsEntropy.Instance), iterations);
        if (!result.IsProvablyComposite)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "RSA modulus is not composite");
        }

        if (Checked.Count >= MaxChecked)
        {
            Checked.Clear();
        }

        Checked.TryAdd(fingerprint, true);
    }
}
