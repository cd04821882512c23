using ManagedTls.Ssl;
using ManagedTls.X509;

namespace ManagedTls.Tests.Facade;

/// <summary>Facade exception types and the mapping from the engine's alerts, against OpenSSL 3.0's reason strings.</summary>
public class SslErrorsTests
{
    // openssl errstr 0A0003F2 ... : OpenSSL's text for SSL reason 1000 + alert, one line per alert value (recorded with OpenSSL 3.0).
    private const string Recorded =
        "0 reason(1000)\n10 sslv3 alert unexpected message\n20 sslv3 alert bad record mac\n21 tlsv1 alert decryption failed\n" +
        "22 tlsv1 alert record overflow\n30 sslv3 alert decompression failure\n40 sslv3 alert handshake failure\n" +
        "41 sslv3 alert no certificate\n42 sslv3 alert bad certificate\n43 sslv3 alert unsupported certificate\n" +
        "44 sslv3 alert certificate revoked\n45 sslv3 alert certificate expired\n46 sslv3 alert certificate unknown\n" +
        "47 sslv3 alert illegal parameter\n48 tlsv1 alert unknown ca\n49 tlsv1 alert access denied\n50 tlsv1 alert decode error\n" +
        "51 tlsv1 alert decrypt error\n60 tlsv1 alert export restriction\n70 tlsv1 alert protocol version\n" +
        "71 tlsv1 alert insufficient security\n80 tlsv1 alert internal error\n86 tlsv1 alert inappropriate fallback\n" +
        "90 tlsv1 alert user cancelled\n100 tlsv1 alert no renegotiation\n109 tlsv13 alert missing extension\n" +
        "110 tlsv1 unsupported extension\n111 tlsv1 certificate unobtainable\n112 tlsv1 unrecognized name\n" +
        "113 tlsv1 bad certificate status response\n114 tlsv1 bad certificate hash value\n115 tlsv1 alert unknown psk identity\n" +
        "116 tlsv13 alert certificate required\n120 tlsv1 alert no application protocol";

    public static TheoryData<AlertDescription> AllAlerts()
    {
        var data = new TheoryData<AlertDescription>();
        foreach (AlertDescription a in Enum.GetValues<AlertDescription>())
        {
            data.Add(a);
        }

        return data;
    }

    [Fact]
    public void ReceivedAlertTextsMatchRecordedOpenSsl()
    {
        string ours = string.Join("\n", Enum.GetValues<AlertDescription>().Select(a => $"{(int)a} {SslErrors.ReceivedAlertText(a)}"));
        Assert.Equal(Recorded, ours);
    }

    [Fact]
    public void ReceivedAlertTextsMatchLiveOpenSslThroughPython()
    {
        // Load libssl's error strings, then ask libcrypto for ERR_reason_error_string of each SSL reason (1000 + alert).
        string codes = string.Join(",", Enum.GetValues<AlertDescription>().Select(a => ((int)a).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string script =
            "import ctypes, ctypes.util, ssl\n" +
            "ctypes.CDLL(ctypes.util.find_library('ssl')).OPENSSL_init_ssl(ctypes.c_uint64(0x00200000), None)\n" +
            "lib = ctypes.CDLL(ctypes.util.find_library('crypto'))\n" +
            "lib.ERR_reason_error_string.restype = ctypes.c_char_p\nlib.ERR_reason_error_string.argtypes = [ctypes.c_ulong]\n" +
            $"for n in ({codes},):\n" +
            "    s = lib.ERR_reason_error_string((20 << 23) | (1000 + n))\n" +
            "    print(n, s.decode() if s else 'reason(%d)' % (1000 + n))";
        Assert.Equal(Recorded, PythonOracle.Run(script)!.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AllAlerts))]
    public void EveryReceivedAlertMaps(AlertDescription alert)
    {
        SslException e = SslErrors.FromAlert(new TlsAlertException(alert, "peer said so", received: true));
        if (alert == AlertDescription.CloseNotify)
        {
            Assert.IsType<SslZeroReturnException>(e);
            Assert.Equal("TLS/SSL connection has been closed (EOF)", e.Message);
            return;
        }

        Assert.Equal(typeof(SslException), e.GetType());
        Assert.Equal("SSL", e.Library);
        Assert.NotNull(e.Reason);
        Assert.Equal(e.Reason!.ToLowerInvariant().Replace('_', ' '), SslErrors.ReceivedAlertText(alert));
        Assert.Equal($"[SSL: {e.Reason}] {SslErrors.ReceivedAlertText(alert)}", e.Message);
        Assert.IsType<TlsAlertException>(e.InnerException);
    }

    [Theory]
    [MemberData(nameof(AllAlerts))]
    public void EverySentAlertMaps(AlertDescription alert)
    {
        SslException e = SslErrors.FromAlert(new TlsAlertException(alert, "why we stopped"));
        Assert.Equal("SSL", e.Library);
        Assert.Equal(SslErrors.SentAlertReason(alert), e.Reason);
        Assert.Equal($"[SSL: {e.Reason}] why we stopped", e.Message);
    }

    [Fact]
    public void ExamplesReadAsPython()
    {
        Assert.Equal("[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version",
            SslErrors.FromAlert(new TlsAlertException(AlertDescription.ProtocolVersion, "x", received: true)).Message);
        Assert.Equal("[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure",
            SslErrors.FromAlert(new TlsAlertException(AlertDescription.HandshakeFailure, "x", received: true)).Message);
        Assert.Equal("DECODE_ERROR", SslErrors.SentAlertReason(AlertDescription.DecodeError));
        Assert.Equal("NO_APPLICATION_PROTOCOL", SslErrors.SentAlertReason(AlertDescription.NoApplicationProtocol));
        Assert.Equal("ALERT_200", SslErrors.SentAlertReason((AlertDescription)200));
        Assert.Equal("UNSUPPORTED_PROTOCOL", SslErrors.SentAlertReason(AlertDescription.ProtocolVersion));
        Assert.Equal("PEER_DID_NOT_RETURN_A_CERTIFICATE", SslErrors.FromAlert(new TlsAlertException(AlertDescription.HandshakeFailure, "x") { Reason = "PEER_DID_NOT_RETURN_A_CERTIFICATE" }).Reason);
        Assert.Equal("HANDSHAKE_FAILURE", SslErrors.FromAlert(new TlsAlertException(AlertDescription.HandshakeFailure, "x")).Reason);
        Assert.Null(SslErrors.ReceivedAlertReason((AlertDescription)200));
        Assert.Equal("reason(1200)", SslErrors.ReceivedAlertText((AlertDescription)200));
        Assert.Throws<ArgumentNullException>(() => SslErrors.FromAlert(null!));
    }

    [Fact]
    public void ExceptionTypesCarryPythonsTexts()
    {
        // python3: str(ssl.SSLWantReadError()) is empty in Python; the texts below are what OpenSSL-raised instances carry.
        Assert.IsAssignableFrom<SslException>(new SslWantReadException());
        Assert.Equal("The operation did not complete (read)", new SslWantReadException().Message);
        Assert.Equal("The operation did not complete (write)", new SslWantWriteException().Message);
        Assert.Equal("Some I/O error occurred", new SslSyscallException().Message);
        var eof = new SslEofException();
        Assert.Equal("[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol", eof.Message);
        Assert.Equal(("SSL", "UNEXPECTED_EOF_WHILE_READING"), (eof.Library, eof.Reason));
        var v = new SslCertVerificationException(VerifyError.UnableToGetIssuerCertLocally);
        Assert.Equal(VerifyError.UnableToGetIssuerCertLocally, v.VerifyCode);
        Assert.Equal("unable to get local issuer certificate", v.VerifyMessage);
        Assert.Equal("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate", v.Message);
        var h = new SslCertVerificationException(VerifyError.HostnameMismatch, "Hostname mismatch, certificate is not valid for 'x'.");
        Assert.Equal(62, (int)h.VerifyCode);
        Assert.Equal("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'x'.", h.Message);
        Assert.IsAssignableFrom<SslException>(new SslZeroReturnException());
    }
}
