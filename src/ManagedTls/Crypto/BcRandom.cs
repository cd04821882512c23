using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Security;

namespace ManagedTls.Crypto;

/// <summary>
/// Adapts an <see cref="IEntropySource"/> to BouncyCastle's <see cref="SecureRandom"/>. BouncyCastle's own
/// default constructor draws from .NET's <c>RandomNumberGenerator</c> (OpenSSL on Linux), so every call
/// into BouncyCastle that needs randomness must be given one of these instead.
/// </summary>
internal static class BcRandom
{
    /// <summary>A <see cref="SecureRandom"/> over the given source.</summary>
    public static SecureRandom Create(IEntropySource source) => new(new Generator(source));

    private sealed class Generator : IRandomGenerator
    {
        private readonly IEntropySource _source;

        public Generator(IEntropySource source) => _source = source;

        public void AddSeedMaterial(byte[] seed)
        {
        }

        public void AddSeedMaterial(long seed)
        {
        }

        public void NextBytes(byte[] bytes) => _source.GetBytes(bytes);

        public void NextBytes(byte[] bytes, int start, int len) => _source.GetBytes(bytes.AsSpan(start, len));
#if NET6_0_OR_GREATER
        public void AddSeedMaterial(ReadOnlySpan<byte> inSeed)
        {
        }

        public void NextBytes(Span<byte> bytes) => _source.GetBytes(bytes);
#endif
    }
}
