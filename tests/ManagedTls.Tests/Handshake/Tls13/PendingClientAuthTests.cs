using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using RecordProtection = ManagedTls.Record.RecordProtection;
using ManagedTls.Tests.Connection;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Handshake.Tls13;

/// <summary>The server's checks on a post-handshake answer, driven message by message.</summary>
public class PendingClientAuthTests
{
    private sealed class Sink : IRecordLayer
    {
        public List<byte[]> Messages { get; } = [];

        public bool IsClosedForWriting => false;

        public void QueueHandshake(ReadOnlySpan<byte> encodedMessage) => Messages.Add(encodedMessage.ToArray());

        public void SendChangeCipherSpec()
        {
        }

        public void SetWriteProtection(RecordProtection protection) => protection.Dispose();

        public void SetReadProtection(RecordProtection protection) => protection.Dispose();

        public void SendWarningAlert(AlertDescription description)
        {
        }

        public void SetRecordSizeLimits(int peerLimit, int ownLimit)
        {
        }

        public void SkipRejectedEarlyData(EarlyDataSkip mode)
        {
        }
    }

    private static (HandshakeContext Cx, PendingClientAuth Pending, byte[] Context, TranscriptHash Transcript) Start(bool required)
    {
        var sink = new Sink();
        var cx = new HandshakeContext(ConnectionTestKit.Server() with { RequireClientCertificate = required }, sink);
        cx.Suite = ConnectionTestKit.Suite("TLS_AES_128_GCM_SHA256");
        cx.Transcript.SetAlgorithm(HashAlgorithm.Sha256);
        cx.Transcript.Add(new Finished(new byte[32]).Encode());
        PendingClientAuth pending = PostHandshakeAuth.Request(cx);
        var request = (CertificateRequest13)HandshakeMessage.Read(Assert.Single(sink.Messages), WireContext.Tls13);
        Assert.Equal(PostHandshakeAuth.ContextLength, request.Context.Length);
        TranscriptHash transcript = cx.Transcript.Clone();
        transcript.Add(sink.Messages[0]);
        return (cx, pending, request.Context, transcript);
    }

    private static Tls13TrafficSecret Secret(byte fill) => Tls13TrafficSecret.FromBytes(HashAlgorithm.Sha256, Enumerable.Repeat(fill, 32).ToArray(), isApplicationSecret: true);

    [Fact]
    public void EmptyCertificateThenTheRightFinishedCompletes()
    {
        var (cx, pending, context, transcript) = Start(required: false);
        using Tls13TrafficSecret secret = Secret(7);
        byte[] certificate = new CertificateMessage(context, []).Encode();
        Assert.False(pending.Handle(cx, certificate, secret));
        transcript.Add(certificate);
        Assert.True(pending.Handle(cx, new Finished(secret.ComputeFinished(transcript.GetCurrentHash())).Encode(), secret));
    }

    [Fact]
    public void AFinishedUnderAnotherSecretIsDecryptError()
    {
        var (cx, pending, context, transcript) = Start(required: false);
        using Tls13TrafficSecret secret = Secret(7);
        using Tls13TrafficSecret other = Secret(8);
        byte[] certificate = new CertificateMessage(context, []).Encode();
        pending.Handle(cx, certificate, secret);
        transcript.Add(certificate);
        byte[] finished = new Finished(other.ComputeFinished(transcript.GetCurrentHash())).Encode();
        Assert.Equal(AlertDescription.DecryptError, Assert.Throws<TlsAlertException>(() => pending.Handle(cx, finished, secret)).Description);
    }

    [Fact]
    public void AFinishedOverAnotherTranscriptIsDecryptError()
    {
        var (cx, pending, context, _) = Start(required: false);
        using Tls13TrafficSecret secret = Secret(7);
        pending.Handle(cx, new CertificateMessage(context, []).Encode(), secret);
        byte[] finished = new Finished(secret.ComputeFinished(new byte[32])).Encode();
        Assert.Equal(AlertDescription.DecryptError, Assert.Throws<TlsAlertException>(() => pending.Handle(cx, finished, secret)).Description);
    }

    [Fact]
    public void AnotherContextIsIllegalParameter()
    {
        var (cx, pending, context, _) = Start(required: false);
        using Tls13TrafficSecret secret = Secret(7);
        byte[] wrong = (byte[])context.Clone();
        wrong[0] ^= 1;
        Assert.Equal(AlertDescription.IllegalParameter, Assert.Throws<TlsAlertException>(() => pending.Handle(cx, new CertificateMessage(wrong, []).Encode(), secret)).Description);
    }

    [Fact]
    public void EmptyCertificateWhenRequiredIsCertificateRequired()
    {
        var (cx, pending, context, _) = Start(required: true);
        using Tls13TrafficSecret secret = Secret(7);
        Assert.Equal(AlertDescription.CertificateRequired, Assert.Throws<TlsAlertException>(() => pending.Handle(cx, new CertificateMessage(context, []).Encode(), secret)).Description);
    }

    [Fact]
    public void MessagesOutOfOrderAreUnexpected()
    {
        var (cx, pending, context, _) = Start(required: false);
        using Tls13TrafficSecret secret = Secret(7);
        byte[] finished = new Finished(new byte[32]).Encode();
        Assert.Equal(AlertDescription.UnexpectedMessage, Assert.Throws<TlsAlertException>(() => pending.Handle(cx, finished, secret)).Description);
        pending.Handle(cx, new CertificateMessage(context, []).Encode(), secret);
        byte[] verify = new CertificateVerify(ManagedTls.Wire.SignatureScheme.Ed25519, new byte[64]).Encode();
        Assert.Equal(AlertDescription.UnexpectedMessage, Assert.Throws<TlsAlertException>(() => pending.Handle(cx, verify, secret)).Description);
    }
}
