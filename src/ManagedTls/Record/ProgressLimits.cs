namespace ManagedTls.Record;

/// <summary>
/// How many records that give the application nothing a peer may send in a row: empty application_data records,
/// warning alerts (user_canceled), KeyUpdates and change_cipher_spec records each cost us a record's work (and a
/// KeyUpdate a key derivation) while moving nothing forward, so an endless stream of them is a cheap way to keep a
/// connection and a CPU busy. Each kind has its own bound and all of them together another, as OpenSSL bounds
/// empty records (32) and warning alerts (5) and rustls bounds KeyUpdates. A record that carries application data
/// or a handshake message that moves the handshake on resets every count.
/// </summary>
/// <param name="EmptyRecords">Empty application_data records in a row (OpenSSL's MAX_EMPTY_RECORDS is 32).</param>
/// <param name="WarningAlerts">Warning alerts in a row (OpenSSL fails at the fifth).</param>
/// <param name="KeyUpdates">KeyUpdates in a row.</param>
/// <param name="Together">All of the above, mixed, in a row.</param>
internal readonly record struct ProgressLimits(int EmptyRecords, int WarningAlerts, int KeyUpdates, int Together)
{
    /// <summary>32 empty records, 4 warning alerts, 32 KeyUpdates, 32 together.</summary>
    public static ProgressLimits Default => new(32, 4, 32, 32);
}

/// <summary>Counts records without progress against <see cref="ProgressLimits"/>; a count past its bound is <c>unexpected_message</c>.</summary>
internal sealed class ProgressGuard(ProgressLimits limits)
{
    private int _empty;
    private int _warnings;
    private int _keyUpdates;
    private int _together;

    /// <summary>The bounds in force.</summary>
    public ProgressLimits Limits { get; } = limits;

    /// <summary>An application_data record with content, or a handshake message that advances the handshake.</summary>
    public void Progress()
    {
        _empty = 0;
        _warnings = 0;
        _keyUpdates = 0;
        _together = 0;
    }

    /// <summary>An application_data record with no content.</summary>
    public void EmptyRecord() => Count(ref _empty, Limits.EmptyRecords, "empty application_data records");

    /// <summary>A warning alert that is not close_notify.</summary>
    public void WarningAlert() => Count(ref _warnings, Limits.WarningAlerts, "warning alerts");

    /// <summary>A KeyUpdate message.</summary>
    public void KeyUpdate() => Count(ref _keyUpdates, Limits.KeyUpdates, "KeyUpdate messages");

    /// <summary>A change_cipher_spec record (TLS 1.3 allows one; it still counts).</summary>
    public void ChangeCipherSpec() => CountTogether();

    /// <summary>A message the protocol says to ignore (a TLS 1.2 HelloRequest during the handshake).</summary>
    public void Ignored() => CountTogether();

    private void Count(ref int count, int limit, string what)
    {
        if (++count > limit)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"more than {limit} {what} in a row");
        }

        CountTogether();
    }

    private void CountTogether()
    {
        if (++_together > Limits.Together)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"more than {Limits.Together} records in a row without data or handshake progress");
        }
    }
}
