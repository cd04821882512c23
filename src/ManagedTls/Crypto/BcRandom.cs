using Org.BouncyCastle.Security;

namespace ManagedTls.Crypto;

/// <summary>
/// Adapts an <see cref="IEntropySource"/> to BouncyCastle's <see cref="SecureRandom"/>. BouncyCastle's own
/// default constructor draws from .NET's <c>RandomNumberGenerator</c> (OpenSSL on Linux), so every call
/// into BouncyCastle that needs randomness must be given one of these instead.
/// </summary>
/// <remarks>
/// A subclass of <see cref="SecureRandom"/> with no generator (BouncyCastle's own <c>SP800SecureRandom</c> is made
/// the same way), not an implementation of BouncyCastle's <c>IRandomGenerator</c>: that interface has Span members
/// in BouncyCastle's net6.0 build and none in its netstandard2.0 build, so our netstandard2.0 build implementing it
/// failed to load beside BouncyCastle's net6.0 build (a net6.0 or net7.0 application; decision 0034). A subclass
/// loads beside either build: a Span overload this build cannot override falls back, when there is no generator,
/// to <c>NextBytes(byte[])</c>, which draws from the source.
/// </remarks>
internal static class BcRandom
{
    /// <summary>A <see cref="SecureRandom"/> over the given source.</summary>
    public static SecureRandom Create(IEntropySource source) => new EntropySecureRandom(source);

    private sealed class EntropySecureRandom : SecureRandom
    {
        private readonly IEntropySource _source;

        // No generator: every member that would use one is overridden here, and BouncyCastle's net6.0 build sends its
        // Span NextBytes to NextBytes(byte[]) when there is none.
        public EntropySecureRandom(IEntropySource source)
            : base(null!) => _source = source;

        public override void NextBytes(byte[] buf) => _source.GetBytes(buf);

        public override void NextBytes(byte[] buf, int off, int len) => _source.GetBytes(buf.AsSpan(off, len));

        public override byte[] GenerateSeed(int length)
        {
            byte[] seed = new byte[length];
            _source.GetBytes(seed);
            return seed;
        }

        // The source is not seedable: seed material is ignored, as the adapter always did.
        public override void SetSeed(byte[] seed)
        {
        }

        public override void SetSeed(long seed)
        {
        }

        public override int NextInt()
        {
            Span<byte> bytes = stackalloc byte[4];
            _source.GetBytes(bytes);
            return (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
        }

        public override long NextLong()
        {
            Span<byte> bytes = stackalloc byte[8];
            _source.GetBytes(bytes);
            long value = 0;
            foreach (byte b in bytes)
            {
                value = (value << 8) | b;
            }

            return value;
        }
#if NETCOREAPP2_1_OR_GREATER
        public override void NextBytes(Span<byte> buffer) => _source.GetBytes(buffer);

        public override void GenerateSeed(Span<byte> seed) => _source.GetBytes(seed);

        public override void SetSeed(Span<byte> seed)
        {
        }
#endif
    }
}
