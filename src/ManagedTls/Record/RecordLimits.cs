namespace ManagedTls.Record;

/// <summary>
/// Record sizes fixed by the RFCs. A record is a 5-byte header followed by a fragment whose length is
/// bounded by the protocol version and by whether the record is protected.
/// </summary>
internal static class RecordLimits
{
    /// <summary>Length of the record header: type(1) legacy_record_version(2) length(2).</summary>
    public const int HeaderSize = 5;

    /// <summary>Largest plaintext fragment, 2^14 (RFC 8446 section 5.1, RFC 5246 section 6.2.1).</summary>
    public const int MaxPlaintext = 1 << 14;

    /// <summary>
    /// Largest TLS 1.2 TLSCompressed fragment, 2^14 + 1024 (RFC 5246 section 6.2.2): compression may not grow
    /// the content by more than 1024 bytes. A longer compressed fragment from the peer is <c>record_overflow</c>.
    /// </summary>
    public const int MaxCompressed = MaxPlaintext + 1024;

    /// <summary>Largest TLS 1.3 TLSCiphertext fragment, 2^14 + 256 (RFC 8446 section 5.2).</summary>
    public const int MaxTls13Ciphertext = MaxPlaintext + 256;

    /// <summary>Largest TLS 1.2 TLSCiphertext fragment, 2^14 + 2048 (RFC 5246 section 6.2.3).</summary>
    public const int MaxTls12Ciphertext = MaxPlaintext + 2048;

    /// <summary>Largest record on the wire, header included.</summary>
    public const int MaxRecordSize = HeaderSize + MaxTls12Ciphertext;

    /// <summary>
    /// How much rejected 0-RTT data a server skips before it gives up (RFC 8446 section 4.2.10 bounds the skipping
    /// by max_early_data_size; we never accept early data, so this is the budget for a client that sends it anyway,
    /// OpenSSL's default of 2^14 bytes).
    /// </summary>
    public const int MaxRejectedEarlyData = MaxPlaintext;

    /// <summary>Smallest record_size_limit a peer may announce (RFC 8449 section 4).</summary>
    public const int MinRecordSizeLimit = 64;

    /// <summary>
    /// The largest content (before protection) to put in one record when the peer announced
    /// <paramref name="recordSizeLimit"/> (RFC 8449). In TLS 1.3 the limit covers TLSInnerPlaintext, so the
    /// content type byte takes one octet of it; in TLS 1.2 it bounds the plaintext. Never more than 2^14.
    /// </summary>
    /// <param name="recordSizeLimit">The peer's record_size_limit, or null when it sent none.</param>
    /// <param name="tls13">True for TLS 1.3.</param>
    public static int MaxFragmentLength(int? recordSizeLimit, bool tls13)
    {
        if (recordSizeLimit is not int limit)
        {
            return MaxPlaintext;
        }

        if (limit < MinRecordSizeLimit)
        {
            throw TlsAlertException.Illegal($"record_size_limit {limit} is below the minimum of {MinRecordSizeLimit}");
        }

        int content = tls13 ? limit - 1 : limit;
        return Math.Min(content, MaxPlaintext);
    }
}
