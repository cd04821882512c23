using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.Record;
using HandshakeMessage = ManagedTls.Wire.Messages.HandshakeMessage;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Tls13;

/// <summary>
/// A state after the version decision of a TLS 1.3 handshake: its messages parse with TLS 1.3 rules, and before
/// the peer's Finished it drops the one unprotected change_cipher_spec a middlebox-compatible peer sends.
/// </summary>
internal abstract class Tls13State : HandshakeState
{
    /// <summary>
    /// RFC 8446 section 5: an unprotected change_cipher_spec of the single byte 0x01, after the first ClientHello and
    /// before the peer's Finished, is dropped; any other, and a second one, is <c>unexpected_message</c>. Traffic
    /// states refuse it.
    /// </summary>
    public override HandshakeState HandleChangeCipherSpec(HandshakeContext cx, ReadOnlySpan<byte> body) =>
        IsTraffic ? base.HandleChangeCipherSpec(cx, body) : Tls13Common.DropCompatibilityCcs(this, cx, body);

    /// <summary>Parses a TLS 1.3 handshake message whose type was already checked.</summary>
    protected static T Parse<T>(ReadOnlySpan<byte> encoded)
        where T : HandshakeMessage => Tls13Common.Parse<T>(encoded);

    /// <summary>
    /// Parses a Finished whose verify_data must be exactly the suite's hash length (RFC 8446 section 4.4.4); any
    /// other length is <c>decode_error</c>, not a failed verification.
    /// </summary>
    public static Finished ParseFinished(ReadOnlySpan<byte> encoded, CipherSuiteInfo suite) =>
        (Finished)HandshakeMessage.Read(encoded, WireContext.Tls13 with { FinishedLength = Hashes.OutputSize(suite.PrfHash) });
}

/// <summary>TLS 1.3 pieces both roles share: CertificateVerify content and checks, CertificateRequest, the compatibility change_cipher_spec, record keys.</summary>
internal static class Tls13Common
{
    /// <summary>Parses a TLS 1.3 handshake message whose type was already checked.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> encoded)
        where T : HandshakeMessage => (T)HandshakeMessage.Read(encoded, WireContext.Tls13);

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
    public static CertificateRequest13 BuildCertificateRequest(TlsConfig s, byte[] context)
    {
        SignatureScheme[] schemes = s.SignatureSchemes.Where(SignatureSchemes.AllowedInTls13).ToArray();
        var ext = new ExtensionBlock().Add(new SignatureAlgorithmsExtension(schemes));
        if (s.SendCertificateAuthorities)
        {
            IReadOnlyList<byte[]> names = HandshakeCommon.AnchorSubjects(s.Trust);

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

    /// <summary>Our certificate chain as TLS 1.3 certificate entries.</summary>
    public static CertificateEntry[] OwnEntries(TlsConfig settings) =>
        settings.CertificateChain.Select(c => new CertificateEntry(c)).ToArray();

    /// <summary>Derives traffic protection for a suite from a secret.</summary>
    public static AeadAlgorithm AeadOf(CipherSuiteInfo suite) =>
        suite.Aead ?? throw TlsAlertException.Internal($"{suite.IanaName} is not an AEAD suite");

    /// <summary>
    /// Drops the one compatibility change_cipher_spec (the single byte 0x01) a TLS 1.3 peer may send before its
    /// Finished; a second one or any other body is <c>unexpected_message</c>. Returns <paramref name="state"/>.
    /// </summary>
    public static HandshakeState DropCompatibilityCcs(HandshakeState state, HandshakeContext cx, ReadOnlySpan<byte> body)
    {
        if (body.Length != 1 || body[0] != 0x01)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "change_cipher_spec not allowed here");
        }

        if (cx.CompatibilityCcsReceived)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "a second change_cipher_spec in a TLS 1.3 handshake");
        }

        cx.CompatibilityCcsReceived = true;
        return state;
    }

    /// <summary>Protection for records we send under <paramref name="secret"/>, with our key-update interval when one is configured.</summary>
    public static RecordProtection WriteProtection(HandshakeContext cx, CipherSuiteInfo suite, Tls13TrafficSecret secret)
    {
        AeadAlgorithm aead = AeadOf(suite);
        SequenceLimits? limits = cx.Settings.KeyUpdateAfterRecords is ulong records
            ? new SequenceLimits(Math.Min(records, SequenceLimits.For(aead).KeyUpdateThreshold), SequenceLimits.For(aead).Limit)
            : null;
        return Tls13RecordProtection.FromTrafficSecret(aead, suite.PrfHash, secret.Secret, limits);
    }

    /// <summary>Protection for records the peer sends under <paramref name="secret"/>: on receive only sequence wrap is fatal.</summary>
    public static RecordProtection ReadProtection(CipherSuiteInfo suite, Tls13TrafficSecret secret) =>
        Tls13RecordProtection.FromTrafficSecret(AeadOf(suite), suite.PrfHash, secret.Secret, SequenceLimits.Receive);

    /// <summary>Flushes what was queued under the old keys, then protects what we send next with <paramref name="secret"/>.</summary>
    public static void SetWriteKeys(HandshakeContext cx, CipherSuiteInfo suite, Tls13TrafficSecret secret) =>
        cx.Records.SetWriteProtection(WriteProtection(cx, suite, secret));

    /// <summary>Opens the records after the current one with <paramref name="secret"/>.</summary>
    public static void SetReadKeys(HandshakeContext cx, CipherSuiteInfo suite, Tls13TrafficSecret secret) =>
        cx.Records.SetReadProtection(ReadProtection(suite, secret));
}
