namespace ManagedTls;

/// <summary>
/// The one exception the engine raises for a protocol failure: it carries the alert that is sent to the
/// peer (or was received from it) and a human-readable reason. Every layer throws it at the point of
/// detection; the facade maps it to the Python-style exception.
/// </summary>
public class TlsAlertException : Exception
{
    /// <summary>Creates an alert exception.</summary>
    /// <param name="description">The alert to send (or that was received).</param>
    /// <param name="message">Why, in words.</param>
    /// <param name="received">True when the peer sent this alert; false when we detected the failure.</param>
    public TlsAlertException(AlertDescription description, string message, bool received = false)
        : base(message)
    {
        Description = description;
        Received = received;
    }

    /// <summary>Creates an alert exception wrapping an inner cause.</summary>
    /// <param name="description">The alert to send.</param>
    /// <param name="message">Why, in words.</param>
    /// <param name="inner">The underlying exception.</param>
    public TlsAlertException(AlertDescription description, string message, Exception inner)
        : base(message, inner)
    {
        Description = description;
    }

    /// <summary>The alert description sent to (or received from) the peer.</summary>
    public AlertDescription Description { get; }

    /// <summary>True when the peer sent the alert, false when this side detected the failure.</summary>
    public bool Received { get; }

    /// <summary>
    /// OpenSSL's reason code name for a failure this side detected, when OpenSSL names it more precisely than the alert
    /// it sends (<c>PEER_DID_NOT_RETURN_A_CERTIFICATE</c> for handshake_failure); null to use the alert's name.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>Shorthand for a <c>decode_error</c> alert.</summary>
    /// <param name="message">Why the input could not be decoded.</param>
    /// <returns>The exception, for <c>throw</c>.</returns>
    public static TlsAlertException Decode(string message) => new(AlertDescription.DecodeError, message);

    /// <summary>Shorthand for an <c>illegal_parameter</c> alert.</summary>
    /// <param name="message">Which parameter was illegal.</param>
    /// <returns>The exception, for <c>throw</c>.</returns>
    public static TlsAlertException Illegal(string message) => new(AlertDescription.IllegalParameter, message);

    /// <summary>Shorthand for an <c>internal_error</c> alert.</summary>
    /// <param name="message">What went wrong locally.</param>
    /// <returns>The exception, for <c>throw</c>.</returns>
    public static TlsAlertException Internal(string message) => new(AlertDescription.InternalError, message);
}
