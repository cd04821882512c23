using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Tls13;

/// <summary>
/// Post-handshake client authentication (RFC 8446 sections 4.6.2 and 4.4). Each exchange has its own
/// transcript: the handshake up to the client Finished, then the CertificateRequest, Certificate,
/// CertificateVerify; its Finished is keyed with the current client_application_traffic_secret_N.
/// </summary>
internal static class PostHandshakeAuth
{
    /// <summary>Length of the random certificate_request_context the server sends.</summary>
    public const int ContextLength = 32;

    /// <summary>
    /// Client: answers a post-handshake CertificateRequest with Certificate (empty when we have no key or no
    /// acceptable scheme), CertificateVerify and Finished under <paramref name="clientTraffic"/>. A request
    /// we did not allow by offering post_handshake_auth is <c>unexpected_message</c>; an empty context is
    /// <c>illegal_parameter</c>. After our close_notify the request is left unanswered.
    /// </summary>
    public static void Answer(HandshakeContext cx, ReadOnlySpan<byte> encoded, Tls13TrafficSecret clientTraffic)
    {
        if (!cx.Settings.PostHandshakeAuth)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "CertificateRequest after the handshake, but post_handshake_auth was not offered");
        }

        var request = (CertificateRequest13)HandshakeMessage.Read(encoded, WireContext.Tls13);
        if (request.Context.Length == 0)
        {
            throw TlsAlertException.Illegal("a post-handshake CertificateRequest needs a non-empty context");
        }

        if (cx.Records.IsClosedForWriting)
        {
            // After our close_notify nothing more may be sent (RFC 8446 section 6.1): the request goes unanswered.
            return;
        }

        TranscriptHash transcript = cx.Transcript.Clone();
        transcript.Add(encoded);
        cx.CertificateAuthorities = request.Extensions.Get<CertificateAuthoritiesExtension>()?.Authorities ?? [];
        SignatureSchemeInfo? scheme = ExpectFinished.ClientSigningScheme(cx, request);
        var certificate = new CertificateMessage(request.Context, scheme is null ? [] : Tls13Common.OwnEntries(cx.Settings));
        Queue(cx, transcript, certificate);
        if (scheme is not null)
        {
            Queue(cx, transcript, Tls13Common.MakeCertificateVerify(cx, scheme, transcript));
            cx.ClientSignatureScheme = scheme.Scheme;
        }

        var finished = new Finished(clientTraffic.ComputeFinished(transcript.GetCurrentHash()));
        Queue(cx, transcript, finished);
        cx.SentTls13Finished(finished);
    }

    /// <summary>Server: queues a CertificateRequest with a fresh context and returns the exchange waiting for the answer.</summary>
    public static PendingClientAuth Request(HandshakeContext cx)
    {
        byte[] context = cx.RandomBytes(ContextLength);
        TranscriptHash transcript = cx.Transcript.Clone();
        Queue(cx, transcript, Tls13Common.BuildCertificateRequest(cx.Settings, context));
        return new PendingClientAuth(context, transcript);
    }

    private static void Queue(HandshakeContext cx, TranscriptHash transcript, HandshakeMessage message)
    {
        byte[] encoded = message.Encode();
        transcript.Add(encoded);
        cx.Records.QueueHandshake(encoded);
    }
}

/// <summary>
/// Server: one post-handshake authentication in progress. It accepts the client's Certificate (with our
/// context), then CertificateVerify when the certificate is not empty, then Finished. The new chain, its
/// verification result and the client's signature scheme are published only once the Finished verifies: until
/// then the connection goes on reporting the previous peer, so nothing unproven is ever visible.
/// </summary>
internal sealed class PendingClientAuth(byte[] context, TranscriptHash transcript)
{
    private PeerChain? _chain;
    private SignatureScheme? _scheme;
    private bool _certificateSeen;
    private bool _verifySeen;

    /// <summary>
    /// Handles one message of the client's answer; returns true once its Finished verified (the exchange is
    /// over). A message out of order is <c>unexpected_message</c>; an empty certificate when one is required
    /// is <c>certificate_required</c>; a Finished of the wrong length is <c>decode_error</c> and one that does not
    /// verify <c>decrypt_error</c>.
    /// </summary>
    public bool Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded, Tls13TrafficSecret clientTraffic)
    {
        var type = (HandshakeType)encoded[0];
        switch (type)
        {
            case HandshakeType.Certificate when !_certificateSeen:
                var certificate = (CertificateMessage)HandshakeMessage.Read(encoded, WireContext.Tls13);
                if (certificate.RequestContext is null || !CryptoUtil.FixedTimeEquals(certificate.RequestContext, context))
                {
                    throw TlsAlertException.Illegal("client Certificate with a request context we did not send");
                }

                if (certificate.Entries.Count == 0)
                {
                    if (cx.Settings.RequireClientCertificate)
                    {
                        throw new TlsAlertException(AlertDescription.CertificateRequired, "the client sent no certificate") { Reason = "PEER_DID_NOT_RETURN_A_CERTIFICATE" };
                    }
                }
                else
                {
                    _chain = HandshakeCommon.CheckPeerChain(cx, certificate);
                }

                _certificateSeen = true;
                transcript.Add(encoded);
                return false;
            case HandshakeType.CertificateVerify when _chain is not null && !_verifySeen:
                var verify = (CertificateVerify)HandshakeMessage.Read(encoded, WireContext.Tls13);
                _scheme = Tls13Common.VerifyPeerSignature(cx, verify, _chain.LeafKey, transcript);
                _verifySeen = true;
                transcript.Add(encoded);
                return false;
            case HandshakeType.Finished when _certificateSeen && (_chain is null || _verifySeen):
                Finished finished = Tls13State.ParseFinished(encoded, cx.Suite ?? throw TlsAlertException.Internal("no suite after the handshake"));
                if (!clientTraffic.VerifyFinished(transcript.GetCurrentHash(), finished.VerifyData))
                {
                    throw new TlsAlertException(AlertDescription.DecryptError, "post-handshake client Finished does not verify");
                }

                cx.ReceivedTls13Finished(finished);

                if (_chain is not null)
                {
                    cx.PeerChain = _chain.Chain;
                    cx.VerifyResult = _chain.Result;
                    cx.ClientSignatureScheme = _scheme;
                }

                return true;
            default:
                throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"{type} is not expected during post-handshake authentication");
        }
    }
}
