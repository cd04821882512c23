using Org.BouncyCastle.Utilities;

namespace ManagedTls.Crypto;

/// <summary>
/// BouncyCastle's RSA key constructors check that the modulus is composite with a Miller-Rabin test whose
/// bases come from <c>new SecureRandom()</c>, that is from .NET's <c>RandomNumberGenerator</c> (OpenSSL on
/// Linux), at a cost of several full-size exponentiations. Every RSA key this library builds goes through
/// <see cref="Create{T}"/>, which switches that test off for the current thread (BouncyCastle's
/// <c>Org.BouncyCastle.Rsa.MaxMRTests</c> thread property) while the key object is made. No modulus is tested for
/// primality instead: a private key's loader checks p * q = n, and a public key (a certificate's, a peer's) only
/// checks signatures its owner made, so a prime modulus would let nobody but that owner forge them (decision 0008);
/// public keys are bounded in size by <see cref="RsaKeyLimits"/> before they get here.
/// </summary>
internal static class RsaModulusCheck
{
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
}
