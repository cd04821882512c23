using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;
using ManagedTls.X509.Store;

namespace ManagedTls.Handshake.Tls13;

/// <summary>
/// One state of a TLS 1.3 handshake: it accepts the messages legal at this point and returns the next
/// state. Anything else is <c>unexpected_message</c>, raised by <see cref="Unexpected"/>.
/// </summary>
internal abstract class HandshakeState : IDisposable
{
    /// <summary>A short name for error messages, the class name.</summary>
    public string Name => GetType().Name;

    /// <summary>True once the handshake is finished and this state carries application traffic.</summary>
    public virtual bool IsTraffic => false;

    /// <summary>
    /// Handles one complete handshake message (<paramref name="encoded"/>: header and body) and returns the
    /// next state. Throws <see cref="TlsAlertException"/> on any failure.
    /// </summary>
    public abstract HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded);

    /// <summary>
    /// Wipes the secrets this state holds. The connection calls it on the current state when it fails or is
    /// disposed; a state handed on to its successor passes its secrets along and is not disposed.
    /// </summary>
    public virtual void Dispose()
    {
    }

    /// <summary>The one place a message not legal in a state becomes <c>unexpected_message</c>.</summary>
    public TlsAlertException Unexpected(ReadOnlySpan<byte> encoded) =>
        new(AlertDescription.UnexpectedMessage, $"{(HandshakeType)encoded[0]} is not expected in {Name}");

    /// <summary>The message type of an encoded message.</summary>
    protected static HandshakeType TypeOf(ReadOnlySpan<byte> encoded) => (HandshakeType)encoded[0];

    /// <summary>Parses a TLS 1.3 handshake message whose type was already checked.</summary>
    protected static T Parse<T>(ReadOnlySpan<byte> encoded)
        where T : HandshakeMessage => (T)HandshakeMessage.Read(encoded, WireContext.Tls13);

    /// <summary>
    /// Parses a Finished whose verify_data must be exactly the suite's hash length (RFC 8446 section 4.4.4); any
    /// other length is <c>decode_error</c>, not a failed verification.
    /// </summary>
    public static Finished ParseFinished(ReadOnlySpan<byte> encoded, CipherSuiteInfo suite) =>
        (Finished)HandshakeMessage.Read(encoded, WireContext.Tls13 with { FinishedLength = Hashes.OutputSize(suite.PrfHash) });
}

/// <summary>A peer's chain that passed <see cref="HandshakeCommon.CheckPeerChain"/>: the certificates as sent, the verification result (null when verification is off), the leaf key.</summary>
internal sealed record PeerChain(IReadOnlyList<byte[]> Chain, VerifyResult? Result, PublicKey LeafKey);

/// <summary>Pieces both roles share: CertificateVerify content, chain verification, alert mapping.</summary>
internal static class HandshakeCommon
{
    private const string ServerContext = "TLS 1.3, server CertificateVerify";
    private const string ClientContext = "TLS 1.3, client CertificateVerify";

    /// <summary>
    /// The content covered by a CertificateVerify signature (RFC 8446 section 4.4.3): 64 spaces, the context
    /// string, a zero byte, then the transcript hash.
    /// </summary>
    public static byte[] CertificateVerifyContent(bool server, ReadOnlySpan<byte> transcriptHash)
    {
        string context = server ? ServerContext : ClientContext;
        byte[] content = new byte[64 + context.Length + 1 + transcriptHash.Length];
        content.AsSpan(0, 64).Fill(0x20);
        Encoding.ASCII.GetBytes(context, 0, context.Length, content, 64);
        transcriptHash.CopyTo(content.AsSpan(64 + context.Length + 1));
        return content;
    }

    /// <summary>Signs the transcript so far with our key and sends CertificateVerify.</summary>
    public static void SendCertificateVerify(HandshakeContext cx, SignatureSchemeInfo scheme) =>
        cx.Send(MakeCertificateVerify(cx, scheme, cx.Transcript));

    /// <summary>A CertificateVerify signing <paramref name="transcript"/> with our key.</summary>
    public static CertificateVerify MakeCertificateVerify(HandshakeContext cx, SignatureSchemeInfo scheme, TranscriptHash transcript)
    {
        PrivateKey key = cx.Settings.PrivateKey ?? throw TlsAlertException.Internal("no private key to sign with");
        byte[] content = CertificateVerifyContent(!cx.IsClient, transcript.GetCurrentHash());
        byte[] signature = key.Sign(scheme.Algorithm, content, cx.Settings.Entropy);
        return new CertificateVerify(scheme.Scheme, signature);
    }

    /// <summary>
    /// A server's CertificateRequest: signature_algorithms, and certificate_authorities naming the subjects
    /// of our in-memory trust anchors when there are any and they fit (RFC 8446 section 4.3.2).
    /// </summary>
    public static CertificateRequest13 BuildCertificateRequest(HandshakeSettings s, byte[] context)
    {
        SignatureScheme[] schemes = s.SignatureSchemes.Where(SignatureSchemes.AllowedInTls13).ToArray();
        var ext = new ExtensionBlock().Add(new SignatureAlgorithmsExtension(schemes));
        if (s.SendCertificateAuthorities)
        {
            IReadOnlyList<byte[]> names = AnchorSubjects(s.Trust);

            // The whole extensions block is at most 2^16 - 1 bytes: signature_algorithms takes 4 + 2 + 2n of it,
            // certificate_authorities 4 + 2 + the names with their 2-byte lengths.
            long namesLength = names.Sum(n => 2L + n.Length);
            if (names.Count > 0 && 6 + 2 * schemes.Length + 6 + namesLength <= 0xFFFF)
            {
                ext.Add(new CertificateAuthoritiesExtension(names));
            }
        }

        return new CertificateRequest13(context, ext);
    }

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
    /// Checks a received CertificateVerify against the peer's leaf key: the scheme must be one we offered, a
    /// TLS 1.3 scheme fitting the key (<c>illegal_parameter</c>), and the signature must verify (<c>decrypt_error</c>).
    /// Call before adding the message to the transcript.
    /// </summary>
    public static SignatureScheme VerifyPeerSignature(HandshakeContext cx, CertificateVerify message, PublicKey peerKey) =>
        VerifyPeerSignature(cx, message, peerKey, cx.Transcript);

    /// <summary>As <see cref="VerifyPeerSignature(HandshakeContext, CertificateVerify, PublicKey)"/>, over <paramref name="transcript"/>.</summary>
    public static SignatureScheme VerifyPeerSignature(HandshakeContext cx, CertificateVerify message, PublicKey peerKey, TranscriptHash transcript)
    {
        SignatureSchemeInfo? info = SignatureSchemes.Find(message.Algorithm);
        if (info is null || !info.Tls13 || !cx.Settings.SignatureSchemes.Contains(message.Algorithm)
            || !peerKey.CanVerify(info.Algorithm, enforceCurve: true))
        {
            throw TlsAlertException.Illegal($"CertificateVerify uses {message.Algorithm}, which was not offered or does not fit the certificate key");
        }

        byte[] content = CertificateVerifyContent(cx.IsClient, transcript.GetCurrentHash());
        if (!peerKey.Verify(info.Algorithm, content, message.Signature))
        {
            throw new TlsAlertException(AlertDescription.DecryptError, "CertificateVerify signature does not verify");
        }

        return message.Algorithm;
    }

    /// <summary>
    /// Records the peer's chain and, when verification is on, verifies it; a failed verification raises the
    /// alert OpenSSL sends for that verify error. Returns the leaf's public key.
    /// </summary>
    public static PublicKey AcceptPeerChain(HandshakeContext cx, CertificateMessage message)
    {
        PeerChain checkedChain = CheckPeerChain(cx, message);
        cx.PeerChain = checkedChain.Chain;
        cx.VerifyResult = checkedChain.Result;
        return checkedChain.LeafKey;
    }

    /// <summary>
    /// Checks a Certificate message without publishing it: not empty (<c>decode_error</c>), no per-entry extensions
    /// (we never ask for OCSP or SCTs, so any is unsolicited: <c>unsupported_extension</c>, RFC 8446 section 4.2), a
    /// usable leaf key, and when verification is on a verified chain. A failed verification is recorded in
    /// <see cref="HandshakeContext.VerifyResult"/> (so the failure can be reported as a verification error) and raises
    /// the alert OpenSSL sends for it.
    /// </summary>
    public static PeerChain CheckPeerChain(HandshakeContext cx, CertificateMessage message)
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
            HandshakeSettings s = cx.Settings;
            var request = new VerifyRequest
            {
                PeerChain = chain,
                Trust = s.Trust,
                Time = s.Clock(),
                Purpose = cx.IsClient ? VerifyPurpose.ServerAuth : VerifyPurpose.ClientAuth,
                ExpectedName = cx.IsClient && s.CheckHostname && s.ServerName is not null ? PeerNameOf(s.ServerName) : null,
                Flags = s.VerifyFlags,
                HostnameChecksCommonName = s.HostnameChecksCommonName,

                // The leaf's key signs CertificateVerify: RFC 8446 section 4.4.2.2 wants digitalSignature when the leaf
                // has keyUsage. Like every other rule about the certificate's contents this is part of verification
                // and is not applied with verification off, as OpenSSL 3.0 and Python do (with CERT_NONE a leaf whose
                // keyUsage is only cRLSign completes the handshake); the CertificateVerify signature still proves that
                // the peer holds the key.
                RequiredLeafKeyUsage = VerifyRequest.KeyUsageDigitalSignature,
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

    /// <summary>Our certificate chain as TLS 1.3 certificate entries.</summary>
    public static CertificateEntry[] OwnEntries(HandshakeSettings settings) =>
        settings.CertificateChain.Select(c => new CertificateEntry(c)).ToArray();

    /// <summary>Derives traffic protection for a suite from a secret.</summary>
    public static AeadAlgorithm AeadOf(CipherSuiteInfo suite) =>
        suite.Aead ?? throw TlsAlertException.Internal($"{suite.IanaName} is not an AEAD suite");
}
