namespace ManagedTls.Crypto;

/// <summary>
/// Where random bytes come from. The default is <see cref="OsEntropy.Instance"/>; tests inject a fixed
/// source to replay a handshake byte for byte.
/// </summary>
public interface IEntropySource
{
    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    /// <param name="destination">The buffer to fill.</param>
    void GetBytes(Span<byte> destination);
}
