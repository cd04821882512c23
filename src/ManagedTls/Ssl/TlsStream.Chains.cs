namespace ManagedTls.Ssl;

/// <content>The peer's chain, as sent and as verified (Python 3.13's <c>get_unverified_chain()</c> and <c>get_verified_chain()</c>).</content>
public sealed partial class TlsStream
{
    /// <summary>
    /// Python 3.13's <c>get_verified_chain()</c>: the chain the verifier built, leaf first and trust anchor last, as DER;
    /// see <see cref="SslObject.GetVerifiedChain"/>.
    /// </summary>
    /// <returns>The certificates; empty before authentication, without a peer certificate, or after a resumption.</returns>
    public IReadOnlyList<byte[]> GetVerifiedChain() => Ssl?.GetVerifiedChain() ?? Array.Empty<byte[]>();

    /// <summary>
    /// Python 3.13's <c>get_unverified_chain()</c>: the certificates the peer sent, leaf first, as DER, whether or not they
    /// were verified; see <see cref="SslObject.GetUnverifiedChain"/>.
    /// </summary>
    /// <returns>The certificates; empty before authentication or without a peer certificate.</returns>
    public IReadOnlyList<byte[]> GetUnverifiedChain() => Ssl?.GetUnverifiedChain() ?? Array.Empty<byte[]>();
}
