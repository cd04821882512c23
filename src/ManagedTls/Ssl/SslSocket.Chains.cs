namespace ManagedTls.Ssl;

/// <content>The peer's chain as the verifier built it (Python 3.13's <c>get_verified_chain()</c>).</content>
public partial class SslSocket
{
    /// <summary>
    /// Python 3.13's <c>get_verified_chain()</c>: the chain the verifier built, leaf first and trust anchor last, as DER;
    /// see <see cref="SslObject.GetVerifiedChain"/>.
    /// </summary>
    /// <returns>The certificates; empty before the handshake, without a peer certificate, or after a resumption.</returns>
    public IReadOnlyList<byte[]> GetVerifiedChain() => _channel.Ssl.GetVerifiedChain();
}
