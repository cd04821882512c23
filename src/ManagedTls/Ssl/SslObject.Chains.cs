using ManagedTls.X509;

namespace ManagedTls.Ssl;

/// <content>The peer's chain as the verifier built it (Python 3.13's <c>get_verified_chain()</c>).</content>
public partial class SslObject
{
    // The chain a connection that does not verify (CERT_NONE) would have had verified, built once per peer chain.
    private (IReadOnlyList<byte[]> PeerChain, VerifyResult Result)? _unrequestedVerification;

    /// <summary>
    /// Python 3.13's <c>get_verified_chain()</c> (OpenSSL's <c>SSL_get0_verified_chain</c>): the chain the verifier built
    /// from the peer's certificate, leaf first and trust anchor last, as DER. It may hold fewer certificates than the peer
    /// sent (extras are left out) or more (the anchor comes from the trust store). As in OpenSSL, which always runs the
    /// verifier and ignores its verdict under <see cref="VerifyMode.CertNone"/>, a connection that does not verify gets the
    /// chain verification builds from the context's trust store: the whole path when it reaches an anchor, else the leaf
    /// and the issuers found (then it is not a verified chain at all; see <see cref="GetUnverifiedChain"/>). Empty before
    /// the handshake completes, when the peer sent no certificate (a server that asked for none, or a client that sent
    /// none), and after a resumption (no certificate was verified on this connection; OpenSSL returns no chain then).
    /// </summary>
    /// <returns>Copies of the certificates, leaf first.</returns>
    public IReadOnlyList<byte[]> GetVerifiedChain()
    {
        lock (_lock)
        {
            if (_disposed || !_conn.IsHandshakeComplete || _conn.SessionReused)
            {
                return Array.Empty<byte[]>();
            }

            IReadOnlyList<byte[]> sent = _conn.PeerCertificateChain;
            if (sent.Count == 0)
            {
                return Array.Empty<byte[]>();
            }

            VerifyResult? result = _conn.VerifyResult;
            if (result is null)
            {
                if (_unrequestedVerification is not { } cached || !ReferenceEquals(cached.PeerChain, sent))
                {
                    cached = (sent, VerifyUnrequested(sent));
                    _unrequestedVerification = cached;
                }

                result = cached.Result;
            }

            IReadOnlyList<byte[]> chain = result.Chain.Count > 0 ? result.Chain : sent.Take(1).ToArray();
            return chain.Select(c => (byte[])c.Clone()).ToArray();
        }
    }

    // What OpenSSL's verifier builds for a connection whose verify mode ignores the verdict: the snapshot's trust store,
    // flags and security level, no host name.
    private VerifyResult VerifyUnrequested(IReadOnlyList<byte[]> sent) => CertificateVerifier.Verify(new VerifyRequest
    {
        PeerChain = sent,
        Trust = _config.Trust,
        Time = _config.Clock(),
        Purpose = ServerSide ? VerifyPurpose.ClientAuth : VerifyPurpose.ServerAuth,
        Flags = _config.VerifyFlags,
        SecurityLevel = _config.SecurityLevel,
        HostnameChecksCommonName = _config.HostnameChecksCommonName,
    });
}
