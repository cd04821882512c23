using ManagedTls.X509;

namespace ManagedTls.Ssl;

/// <summary>Python's <c>ssl.SSLZeroReturnError</c>: the peer closed the TLS connection cleanly (close_notify).</summary>
public class SslZeroReturnException : SslException
{
    /// <summary>Creates the error with Python's text <c>TLS/SSL connection has been closed (EOF)</c>.</summary>
    public SslZeroReturnException()
        : this("TLS/SSL connection has been closed (EOF)")
    {
    }

    /// <summary>Creates the error with a message; <see cref="SslException.Errno"/> is <see cref="SslErrorNumber.ZeroReturn"/> (6).</summary>
    /// <param name="message">The message.</param>
    public SslZeroReturnException(string message)
        : base(SslErrorNumber.ZeroReturn, null, null, message)
    {
    }
}

/// <summary>Python's <c>ssl.SSLWantReadError</c>: more TLS bytes must arrive before the operation can go on (non-blocking use).</summary>
public class SslWantReadException : SslException
{
    /// <summary>Creates the error with Python's text <c>The operation did not complete (read)</c>.</summary>
    /// <remarks><see cref="SslException.Errno"/> is <see cref="SslErrorNumber.WantRead"/> (2).</remarks>
    public SslWantReadException()
        : base(SslErrorNumber.WantRead, null, null, "The operation did not complete (read)")
    {
    }
}

/// <summary>Python's <c>ssl.SSLWantWriteError</c>: pending TLS bytes must be sent before the operation can go on.</summary>
public class SslWantWriteException : SslException
{
    /// <summary>Creates the error with Python's text <c>The operation did not complete (write)</c>.</summary>
    /// <remarks><see cref="SslException.Errno"/> is <see cref="SslErrorNumber.WantWrite"/> (3).</remarks>
    public SslWantWriteException()
        : base(SslErrorNumber.WantWrite, null, null, "The operation did not complete (write)")
    {
    }
}

/// <summary>Python's <c>ssl.SSLSyscallError</c>: the underlying transport failed.</summary>
public class SslSyscallException : SslException
{
    /// <summary>Creates the error with Python's text <c>Some I/O error occurred</c>.</summary>
    /// <remarks><see cref="SslException.Errno"/> is <see cref="SslErrorNumber.Syscall"/> (5).</remarks>
    public SslSyscallException()
        : base(SslErrorNumber.Syscall, null, null, "Some I/O error occurred")
    {
    }

    /// <summary>Creates the error wrapping the transport's exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The transport's exception.</param>
    public SslSyscallException(string message, Exception inner)
        : base(SslErrorNumber.Syscall, null, null, message, inner)
    {
    }
}

/// <summary>Python's <c>ssl.SSLEOFError</c>: the transport ended without close_notify (a truncation attack or a careless peer).</summary>
public class SslEofException : SslException
{
    /// <summary>Creates the error with OpenSSL 3's text <c>[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol</c>.</summary>
    /// <remarks><see cref="SslException.Errno"/> is <see cref="SslErrorNumber.Eof"/> (8).</remarks>
    public SslEofException()
        : base(SslErrorNumber.Eof, "SSL", "UNEXPECTED_EOF_WHILE_READING", "EOF occurred in violation of protocol")
    {
    }
}

/// <summary>
/// Python's <c>ssl.CertificateError</c>, which in Python is <c>ssl.SSLCertVerificationError</c> under its older name (one
/// class, two names). .NET has no type alias across assemblies, so this is the abstract base of
/// <see cref="SslCertVerificationException"/> and of nothing else (its constructors are not reachable outside
/// ManagedTls): <c>catch (CertificateError)</c> catches exactly the errors <c>catch (SslCertVerificationException)</c>
/// catches, as Python's two names do. (A subclass would not: it would miss the errors the facade throws.)
/// </summary>
public abstract class CertificateError : SslException
{
    private protected CertificateError(SslErrorNumber errno, string? library, string? reason, string text)
        : base(errno, library, reason, text)
    {
    }

    private protected CertificateError(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Python's <c>ssl.SSLCertVerificationError</c> (also a <c>ValueError</c> in Python; its older name
/// <c>ssl.CertificateError</c> is <see cref="CertificateError"/>, this type's base): the peer's certificate did not
/// verify. The message reads <c>[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate</c>.
/// </summary>
public class SslCertVerificationException : CertificateError
{
    /// <summary>Creates the error from a verification result.</summary>
    /// <param name="code">OpenSSL's <c>X509_V_*</c> code (Python's <c>verify_code</c>).</param>
    /// <param name="verifyMessage">Python's <c>verify_message</c>; by default OpenSSL's text for <paramref name="code"/>.</param>
    public SslCertVerificationException(VerifyError code, string? verifyMessage = null)
        : base(SslErrorNumber.Ssl, "SSL", "CERTIFICATE_VERIFY_FAILED", "certificate verify failed: " + (verifyMessage ?? VerifyErrors.Message(code)))
    {
        VerifyCode = code;
        VerifyMessage = verifyMessage ?? VerifyErrors.Message(code);
    }

    /// <summary>
    /// Python's <c>CertificateError(message)</c> as <c>ssl.match_hostname</c> raises it: the message alone, no errno.
    /// </summary>
    /// <param name="message">Python's text.</param>
    /// <param name="code">The mismatch code, a .NET extra.</param>
    internal SslCertVerificationException(string message, VerifyError code)
        : base(message)
    {
        VerifyCode = code;
        VerifyMessage = message;
    }

    /// <summary>Python's <c>verify_code</c>.</summary>
    public VerifyError VerifyCode { get; }

    /// <summary>
    /// The error a client raises when the server's certificate fails verification, with Python's <c>verify_message</c>:
    /// for a hostname mismatch <c>Hostname mismatch, certificate is not valid for 'b.example'.</c>, for an IP address
    /// mismatch <c>IP address mismatch, certificate is not valid for '10.0.0.1'.</c> (the name as given to the wrap call),
    /// else OpenSSL's text for <paramref name="code"/> (<c>certificate has expired</c>).
    /// </summary>
    /// <param name="code">OpenSSL's <c>X509_V_*</c> code.</param>
    /// <param name="serverHostname">Python's <c>server_hostname</c>, or null.</param>
    /// <returns>The exception.</returns>
    public static SslCertVerificationException ForPeer(VerifyError code, string? serverHostname) =>
        new(code, PeerMessage(code, serverHostname));

    /// <summary>Python's <c>verify_message</c> for a peer verification failing with <paramref name="code"/>.</summary>
    /// <param name="code">OpenSSL's <c>X509_V_*</c> code.</param>
    /// <param name="serverHostname">Python's <c>server_hostname</c>, or null.</param>
    /// <returns>The text.</returns>
    public static string PeerMessage(VerifyError code, string? serverHostname) => code switch
    {
        VerifyError.HostnameMismatch when serverHostname is not null =>
            "Hostname mismatch, certificate is not valid for '" + serverHostname + "'.",
        VerifyError.IpAddressMismatch when serverHostname is not null =>
            "IP address mismatch, certificate is not valid for '" + serverHostname + "'.",
        _ => VerifyErrors.Message(code),
    };

    /// <summary>Python's <c>verify_message</c>.</summary>
    public string VerifyMessage { get; }
}

/// <summary>Turns the engine's <see cref="TlsAlertException"/> into the exception Python's <c>ssl</c> module would raise.</summary>
public static class SslErrors
{
    // OpenSSL 3.0's reason for each alert received from the peer (ssl_err.c; SSL_R_* = 1000 + alert).
    private static readonly Dictionary<AlertDescription, string> ReceivedReasons = new()
    {
        [AlertDescription.UnexpectedMessage] = "SSLV3_ALERT_UNEXPECTED_MESSAGE",
        [AlertDescription.BadRecordMac] = "SSLV3_ALERT_BAD_RECORD_MAC",
        [AlertDescription.DecryptionFailed] = "TLSV1_ALERT_DECRYPTION_FAILED",
        [AlertDescription.RecordOverflow] = "TLSV1_ALERT_RECORD_OVERFLOW",
        [AlertDescription.DecompressionFailure] = "SSLV3_ALERT_DECOMPRESSION_FAILURE",
        [AlertDescription.HandshakeFailure] = "SSLV3_ALERT_HANDSHAKE_FAILURE",
        [AlertDescription.NoCertificate] = "SSLV3_ALERT_NO_CERTIFICATE",
        [AlertDescription.BadCertificate] = "SSLV3_ALERT_BAD_CERTIFICATE",
        [AlertDescription.UnsupportedCertificate] = "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        [AlertDescription.CertificateRevoked] = "SSLV3_ALERT_CERTIFICATE_REVOKED",
        [AlertDescription.CertificateExpired] = "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        [AlertDescription.CertificateUnknown] = "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        [AlertDescription.IllegalParameter] = "SSLV3_ALERT_ILLEGAL_PARAMETER",
        [AlertDescription.UnknownCa] = "TLSV1_ALERT_UNKNOWN_CA",
        [AlertDescription.AccessDenied] = "TLSV1_ALERT_ACCESS_DENIED",
        [AlertDescription.DecodeError] = "TLSV1_ALERT_DECODE_ERROR",
        [AlertDescription.DecryptError] = "TLSV1_ALERT_DECRYPT_ERROR",
        [AlertDescription.ExportRestriction] = "TLSV1_ALERT_EXPORT_RESTRICTION",
        [AlertDescription.ProtocolVersion] = "TLSV1_ALERT_PROTOCOL_VERSION",
        [AlertDescription.InsufficientSecurity] = "TLSV1_ALERT_INSUFFICIENT_SECURITY",
        [AlertDescription.InternalError] = "TLSV1_ALERT_INTERNAL_ERROR",
        [AlertDescription.InappropriateFallback] = "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
        [AlertDescription.UserCanceled] = "TLSV1_ALERT_USER_CANCELLED",
        [AlertDescription.NoRenegotiation] = "TLSV1_ALERT_NO_RENEGOTIATION",
        [AlertDescription.MissingExtension] = "TLSV13_ALERT_MISSING_EXTENSION",
        [AlertDescription.UnsupportedExtension] = "TLSV1_UNSUPPORTED_EXTENSION",
        [AlertDescription.CertificateUnobtainable] = "TLSV1_CERTIFICATE_UNOBTAINABLE",
        [AlertDescription.UnrecognizedName] = "TLSV1_UNRECOGNIZED_NAME",
        [AlertDescription.BadCertificateStatusResponse] = "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE",
        [AlertDescription.BadCertificateHashValue] = "TLSV1_BAD_CERTIFICATE_HASH_VALUE",
        [AlertDescription.UnknownPskIdentity] = "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY",
        [AlertDescription.CertificateRequired] = "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        [AlertDescription.NoApplicationProtocol] = "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
    };

    /// <summary>
    /// OpenSSL's reason code name for receiving <paramref name="alert"/> from the peer
    /// (<c>TLSV1_ALERT_PROTOCOL_VERSION</c>), or null for close_notify and code points OpenSSL has no name for.
    /// </summary>
    /// <param name="alert">The alert received.</param>
    /// <returns>The reason name, or null.</returns>
    public static string? ReceivedAlertReason(AlertDescription alert) =>
        ReceivedReasons.TryGetValue(alert, out string? reason) ? reason : null;

    /// <summary>
    /// OpenSSL's reason text for receiving <paramref name="alert"/>: the reason name in lower case with spaces
    /// (<c>tlsv1 alert protocol version</c>); for an alert without a name OpenSSL's <c>reason(1000 + n)</c>.
    /// </summary>
    /// <param name="alert">The alert received.</param>
    /// <returns>The text.</returns>
    public static string ReceivedAlertText(AlertDescription alert) =>
        ReceivedAlertReason(alert) is { } reason
            ? reason.ToLowerInvariant().Replace('_', ' ')
            : "reason(" + (1000 + (int)alert).ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";

    /// <summary>
    /// The facade exception for an engine failure, as Python would raise it:
    /// a received close_notify is <see cref="SslZeroReturnException"/>; another received alert is an
    /// <see cref="SslException"/> with library <c>SSL</c> and OpenSSL's reason for that alert
    /// (<c>[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca</c>); a failure detected here (the alert was sent)
    /// is an <see cref="SslException"/> with library <c>SSL</c>, the engine's OpenSSL reason when it gives one, else the
    /// alert's name upper-cased as the reason (<c>DECODE_ERROR</c>), and the engine's explanation as text.
    /// </summary>
    /// <param name="alert">The engine's exception.</param>
    /// <returns>The exception to throw; <paramref name="alert"/> is its inner exception.</returns>
    public static SslException FromAlert(TlsAlertException alert)
    {
        if (alert is null)
        {
            throw new ArgumentNullException(nameof(alert));
        }

        if (alert.Received)
        {
            if (alert.Description == AlertDescription.CloseNotify)
            {
                return new SslZeroReturnException();
            }

            string? reason = ReceivedAlertReason(alert.Description);
            return new SslException(SslErrorNumber.Ssl, "SSL", reason, ReceivedAlertText(alert.Description), alert);
        }

        return new SslException(SslErrorNumber.Ssl, "SSL", alert.Reason ?? SentAlertReason(alert.Description), alert.Message, alert);
    }

    /// <summary>
    /// The reason name used for an alert this side sent: the alert's name in OpenSSL's upper-case style (<c>DECODE_ERROR</c>),
    /// except protocol_version, which OpenSSL reports as <c>UNSUPPORTED_PROTOCOL</c> when it finds no version in common.
    /// </summary>
    /// <param name="alert">The alert sent.</param>
    /// <returns>The name, or <c>ALERT_nnn</c> for an unnamed code point.</returns>
    public static string SentAlertReason(AlertDescription alert)
    {
        if (alert == AlertDescription.ProtocolVersion)
        {
            return "UNSUPPORTED_PROTOCOL";
        }

        string name = alert.ToString();
        if (name.Length == 0 || char.IsDigit(name[0]))
        {
            return "ALERT_" + ((int)alert).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var sb = new System.Text.StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(name[i]));
        }

        return sb.ToString();
    }
}
