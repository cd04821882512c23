using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;
using ManagedTls.X509.Store;

namespace ManagedTls.Handshake;

/// <summary>A peer's chain that passed <see cref="HandshakeCommon.CheckPeerChain"/>: the certificates as sent, the verification result (null when verification is off), the leaf key.</summary>
internal sealed record PeerChain(IReadOnlyList<byte[]> Chain, VerifyResult? Result, PublicKey LeafKey);

/// <summary>Pieces both roles and both versions share: chain checking and verification, the alert for a verify error, peer names.</summary>
internal static class HandshakeCommon
{
    /// <summary>The distinct subject names (DER) of the in-memory anchors; anchors that do not parse are skipped.</summary>
    public static IReadOnlyList<byte[]> AnchorSubjects(TrustStore trust)
    {
        var names = new List<byte[]>();
        foreach (byte[] anchor in trust.Anchors)
        {
            byte[] subject;
            try
            {
                subject = RawCertificate.Parse(anchor).SubjectDer;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                continue;
            }

            if (subject.Length > 0 && !names.Any(n => n.AsSpan().SequenceEqual(subject)))
            {
                names.Add(subject);
            }
        }

        return names;
    }

    /// <summary>
    /// Records the peer's chain and, when verification is on, verifies it; a failed verification raises the
    /// alert OpenSSL sends for that verify error. Returns the leaf's public key. <paramref name="requiredLeafKeyUsage"/>
    /// is as for <see cref="CheckPeerChain"/>.
    /// </summary>
    public static PublicKey AcceptPeerChain(HandshakeContext cx, CertificateMessage message, int requiredLeafKeyUsage = VerifyRequest.KeyUsageDigitalSignature)
    {
        PeerChain checkedChain = CheckPeerChain(cx, message, requiredLeafKeyUsage);
        cx.PeerChain = checkedChain.Chain;
        cx.VerifyResult = checkedChain.Result;
        return checkedChain.LeafKey;
    }

    /// <summary>
    /// Checks a Certificate message without publishing it: not empty (<c>decode_error</c>), no per-entry extensions
    /// (we never ask for OCSP or SCTs, so any is unsolicited: <c>unsupported_extension</c>, RFC 8446 section 4.2), a
    /// usable leaf key, and when verification is on a verified chain. A failed verification is recorded in
    /// <see cref="HandshakeContext.VerifyResult"/> (so the failure can be reported as a verification error) and raises
    /// the alert OpenSSL sends for it. <paramref name="requiredLeafKeyUsage"/> names the keyUsage bits the leaf must
    /// have when it has the extension (<see cref="VerifyRequest.RequiredLeafKeyUsage"/>): digitalSignature when the
    /// leaf's key signs (TLS 1.3, and TLS 1.2 with (EC)DHE), keyEncipherment when it encrypts the premaster secret
    /// (TLS 1.2 RSA key transport, RFC 5246 section 7.4.2).
    /// </summary>
    public static PeerChain CheckPeerChain(HandshakeContext cx, CertificateMessage message, int requiredLeafKeyUsage = VerifyRequest.KeyUsageDigitalSignature)
    {
        if (message.Entries.Count == 0)
        {
            throw TlsAlertException.Decode("empty certificate list");
        }

        if (message.Entries.Any(e => e.Extensions.Count > 0))
        {
            throw new TlsAlertException(AlertDescription.UnsupportedExtension, "a certificate entry carries extensions that were not requested");
        }

        byte[][] chain = message.Entries.Select(e => e.Data).ToArray();
        PublicKey leafKey = CertificatePublicKey.FromCertificate(chain[0]);
        VerifyResult? verified = null;
        if (cx.Settings.VerifyPeer)
        {
            TlsConfig s = cx.Settings;
            var request = new VerifyRequest
            {
                PeerChain = chain,
                Trust = s.Trust,
                Time = s.Clock(),
                Purpose = cx.IsClient ? VerifyPurpose.ServerAuth : VerifyPurpose.ClientAuth,
                ExpectedName = cx.IsClient && s.CheckHostname && s.ServerName is not null ? PeerNameOf(s.ServerName) : null,
                Flags = s.VerifyFlags,
                HostnameChecksCommonName = s.HostnameChecksCommonName,

                // OpenSSL's security level judges the peer's keys and signature digests (decision 0028).
                SecurityLevel = s.SecurityLevel,

                // The leaf's key signs CertificateVerify (or, in TLS 1.2, the key exchange parameters) or decrypts the
                // premaster secret: RFC 8446 section 4.4.2.2 and RFC 5246 section 7.4.2 want the matching keyUsage bit
                // when the leaf has keyUsage. Like every other rule about the certificate's contents this is part of
                // verification and is not applied with verification off, as OpenSSL 3.0 and Python do (with CERT_NONE
                // a leaf whose keyUsage is only cRLSign completes the handshake); the signature (or the Finished
                // exchange, for RSA key transport) still proves that the peer holds the key.
                RequiredLeafKeyUsage = requiredLeafKeyUsage,
            };
            verified = CertificateVerifier.Verify(request);
            if (!verified.IsValid)
            {
                cx.VerifyResult = verified;
                throw new TlsAlertException(AlertFor(verified.Error), $"certificate verify failed: {verified.Message} (depth {verified.ErrorDepth})");
            }
        }

        return new PeerChain(chain, verified, leafKey);
    }

    /// <summary>The alert for a verify error, as OpenSSL chooses it.</summary>
    public static AlertDescription AlertFor(VerifyError error) => error switch
    {
        VerifyError.UnableToGetIssuerCert or VerifyError.UnableToGetIssuerCertLocally or VerifyError.DepthZeroSelfSignedCert
            or VerifyError.SelfSignedCertInChain or VerifyError.CertUntrusted => AlertDescription.UnknownCa,
        VerifyError.CertHasExpired or VerifyError.CertNotYetValid => AlertDescription.CertificateExpired,
        VerifyError.CertRevoked => AlertDescription.CertificateRevoked,
        VerifyError.InvalidPurpose => AlertDescription.UnsupportedCertificate,
        _ => AlertDescription.BadCertificate,
    };

    /// <summary>A host name or IP literal as the name the certificate must carry.</summary>
    public static PeerName PeerNameOf(string serverName) =>
        IsIpLiteral(serverName) ? PeerName.Ip(serverName) : PeerName.Dns(serverName);

    /// <summary>True for an IPv4 or IPv6 literal (never sent in server_name, RFC 6066 section 3).</summary>
    public static bool IsIpLiteral(string name) =>
        (name.Contains(':') || name.Count(c => c == '.') == 3) && System.Net.IPAddress.TryParse(name, out _);
}
