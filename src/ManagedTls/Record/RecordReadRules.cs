using ManagedTls.Wire;

namespace ManagedTls.Record;

/// <summary>How the deframer checks legacy_record_version.</summary>
internal enum RecordVersionCheck
{
    /// <summary>
    /// Any 0x03xx value (SSL 3.0 and every TLS version). For records read before the version is known:
    /// the first ClientHello may carry 0x0301 (RFC 8446 section 5.1, appendix D) and a TLS 1.2 ServerHello
    /// record any value the server chose. A major version other than 3 is refused.
    /// </summary>
    MajorThree,

    /// <summary>Exactly <see cref="RecordReadRules.ExpectedVersion"/>: 0x0303 once TLS 1.2 or 1.3 is negotiated.</summary>
    Exact,

    /// <summary>Not checked (RFC 8446 section 5.1 lets a TLS 1.3 receiver ignore the field).</summary>
    Ignore,
}

/// <summary>Which limits apply to incoming records.</summary>
internal enum RecordReadState
{
    /// <summary>No keys yet: every record is TLSPlaintext (at most 2^14 bytes).</summary>
    Plaintext,

    /// <summary>TLS 1.2 keys installed: every record is TLSCiphertext (at most 2^14 + 2048 bytes).</summary>
    Tls12Protected,

    /// <summary>
    /// TLS 1.3 keys installed: application_data records are TLSCiphertext (at most 2^14 + 256 bytes); the
    /// unprotected change_cipher_spec compatibility record is TLSPlaintext.
    /// </summary>
    Tls13Protected,
}

/// <summary>The header checks the deframer applies; the connection changes them as the handshake proceeds.</summary>
internal readonly struct RecordReadRules
{
    /// <summary>Creates rules.</summary>
    public RecordReadRules(RecordReadState state, RecordVersionCheck versionCheck, ushort expectedVersion = 0x0303, int maxPlaintext = RecordLimits.MaxPlaintext)
    {
        if (maxPlaintext < 1 || maxPlaintext > RecordLimits.MaxPlaintext)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPlaintext), "plaintext limit must be between 1 and 2^14");
        }

        State = state;
        VersionCheck = versionCheck;
        ExpectedVersion = expectedVersion;
        MaxPlaintext = maxPlaintext;
    }

    /// <summary>Rules before the version is known: plaintext records, any 0x03xx legacy version.</summary>
    public static RecordReadRules Initial => new(RecordReadState.Plaintext, RecordVersionCheck.MajorThree);

    /// <summary>
    /// Rules after the first record of a TLS 1.3 connection: legacy_record_version is ignored (RFC 8446 section 5.1:
    /// "MUST be ignored for all purposes"; a protected record's header is authenticated as additional data anyway)
    /// and, once keys are installed, application_data records are ciphertext.
    /// </summary>
    /// <param name="protectedRecords">True once handshake keys are installed for reading.</param>
    /// <param name="maxPlaintext">2^14, or the record_size_limit we announced minus one (RFC 8449).</param>
    public static RecordReadRules Tls13(bool protectedRecords, int maxPlaintext = RecordLimits.MaxPlaintext) =>
        new(protectedRecords ? RecordReadState.Tls13Protected : RecordReadState.Plaintext, RecordVersionCheck.Ignore, 0x0303, maxPlaintext);

    /// <summary>Rules once TLS 1.2 is negotiated: legacy_record_version must be 0x0303; ciphertext after ChangeCipherSpec.</summary>
    /// <param name="protectedRecords">True once the peer's ChangeCipherSpec has switched on its keys.</param>
    /// <param name="maxPlaintext">2^14, or the record_size_limit we announced (RFC 8449).</param>
    public static RecordReadRules Tls12(bool protectedRecords, int maxPlaintext = RecordLimits.MaxPlaintext) =>
        new(protectedRecords ? RecordReadState.Tls12Protected : RecordReadState.Plaintext, RecordVersionCheck.Exact, 0x0303, maxPlaintext);

    /// <summary>Which limits apply.</summary>
    public RecordReadState State { get; }

    /// <summary>How legacy_record_version is checked.</summary>
    public RecordVersionCheck VersionCheck { get; }

    /// <summary>The version required when <see cref="VersionCheck"/> is <see cref="RecordVersionCheck.Exact"/>.</summary>
    public ushort ExpectedVersion { get; }

    /// <summary>Largest plaintext accepted: 2^14, or less when we announced a record_size_limit (RFC 8449).</summary>
    public int MaxPlaintext { get; }

    /// <summary>The largest fragment a record of <paramref name="type"/> may have under these rules.</summary>
    public int MaxFragment(ContentType type) => State switch
    {
        RecordReadState.Tls12Protected => MaxPlaintext + 2048,
        RecordReadState.Tls13Protected when type == ContentType.ApplicationData => MaxPlaintext + 256,
        _ => MaxPlaintext,
    };

    /// <summary>
    /// Validates a header: content type known (<c>unexpected_message</c>), legacy version acceptable
    /// (<c>protocol_version</c>), length within the limit (<c>record_overflow</c>) and, for records that
    /// arrive in plaintext, handshake, alert and change_cipher_spec not empty (<c>unexpected_message</c>).
    /// </summary>
    public void Check(in RecordHeader header)
    {
        if (!RecordRules.IsKnownType(header.Type))
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"record with unknown content type {(byte)header.Type}");
        }

        switch (VersionCheck)
        {
            case RecordVersionCheck.MajorThree when header.LegacyVersion >> 8 != 3:
                throw new TlsAlertException(AlertDescription.ProtocolVersion, $"record version 0x{header.LegacyVersion:x4} is not TLS");
            case RecordVersionCheck.Exact when header.LegacyVersion != ExpectedVersion:
                throw new TlsAlertException(AlertDescription.ProtocolVersion, $"record version 0x{header.LegacyVersion:x4}, expected 0x{ExpectedVersion:x4}");
        }

        int max = MaxFragment(header.Type);
        if (header.Length > max)
        {
            throw new TlsAlertException(AlertDescription.RecordOverflow, $"{header.Type} record of {header.Length} bytes exceeds {max}");
        }

        bool plaintext = State == RecordReadState.Plaintext
            || (State == RecordReadState.Tls13Protected && header.Type != ContentType.ApplicationData);
        if (plaintext && header.Length == 0 && header.Type != ContentType.ApplicationData)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"zero-length {header.Type} record");
        }
    }
}
