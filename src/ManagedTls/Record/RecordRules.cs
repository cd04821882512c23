using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>Checks on record contents shared by the deframer and every record protection.</summary>
internal static class RecordRules
{
    /// <summary>True for the four content types a record may carry (heartbeat is never accepted).</summary>
    public static bool IsKnownType(ContentType type) =>
        type is ContentType.ChangeCipherSpec or ContentType.Alert or ContentType.Handshake or ContentType.ApplicationData;

    /// <summary>
    /// Validates a record's (inner) content type and length once it is in plaintext: the type must be one
    /// of the four known types (else <c>unexpected_message</c>), the content at most 2^14 bytes (else
    /// <c>record_overflow</c>), and handshake, alert and change_cipher_spec content never empty
    /// (RFC 8446 section 5.1, RFC 5246 section 6.2.1; else <c>unexpected_message</c>).
    /// </summary>
    public static void CheckContent(ContentType type, int length, int maxPlaintext = RecordLimits.MaxPlaintext)
    {
        if (!IsKnownType(type))
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"record with unknown content type {(byte)type}");
        }

        if (length > maxPlaintext)
        {
            throw new TlsAlertException(AlertDescription.RecordOverflow, $"{type} record of {length} plaintext bytes exceeds {maxPlaintext}");
        }

        if (length == 0 && type != ContentType.ApplicationData)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"zero-length {type} record");
        }
    }
}
