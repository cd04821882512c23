namespace ManagedTls.Ssl;

/// <summary>The fields Python's <c>ssl.Purpose</c> members carry as <c>_ASN1Object</c> tuples.</summary>
public static partial class Ssl
{
    /// <summary>
    /// <c>Purpose.X.nid</c>: OpenSSL's numeric identifier of the extended key usage, 129 for
    /// <see cref="Purpose.ServerAuth"/> and 130 for <see cref="Purpose.ClientAuth"/>.
    /// </summary>
    /// <param name="purpose">The purpose.</param>
    /// <returns>OpenSSL's NID, as Python reports it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="Purpose"/> member.</exception>
    public static int Nid(this Purpose purpose) => purpose switch
    {
        Purpose.ServerAuth => 129,
        Purpose.ClientAuth => 130,
        _ => throw UnknownPurpose(purpose),
    };

    /// <summary><c>Purpose.X.shortname</c>: <c>"serverAuth"</c> or <c>"clientAuth"</c>.</summary>
    /// <param name="purpose">The purpose.</param>
    /// <returns>OpenSSL's short name of the extended key usage.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="Purpose"/> member.</exception>
    public static string ShortName(this Purpose purpose) => purpose switch
    {
        Purpose.ServerAuth => "serverAuth",
        Purpose.ClientAuth => "clientAuth",
        _ => throw UnknownPurpose(purpose),
    };

    /// <summary><c>Purpose.X.longname</c>: <c>"TLS Web Server Authentication"</c> or <c>"TLS Web Client Authentication"</c>.</summary>
    /// <param name="purpose">The purpose.</param>
    /// <returns>OpenSSL's long name of the extended key usage.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="Purpose"/> member.</exception>
    public static string LongName(this Purpose purpose) => purpose switch
    {
        Purpose.ServerAuth => "TLS Web Server Authentication",
        Purpose.ClientAuth => "TLS Web Client Authentication",
        _ => throw UnknownPurpose(purpose),
    };

    /// <summary>
    /// <c>Purpose.X.oid</c>: the extended key usage OID in dotted form (RFC 5280 section 4.2.1.12),
    /// <c>"1.3.6.1.5.5.7.3.1"</c> (id-kp-serverAuth) or <c>"1.3.6.1.5.5.7.3.2"</c> (id-kp-clientAuth).
    /// </summary>
    /// <param name="purpose">The purpose.</param>
    /// <returns>The dotted OID.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a <see cref="Purpose"/> member.</exception>
    public static string Oid(this Purpose purpose) => purpose switch
    {
        Purpose.ServerAuth => "1.3.6.1.5.5.7.3.1",
        Purpose.ClientAuth => "1.3.6.1.5.5.7.3.2",
        _ => throw UnknownPurpose(purpose),
    };

    private static ArgumentOutOfRangeException UnknownPurpose(Purpose purpose) =>
        new(nameof(purpose), purpose, "Not a Purpose member.");
}
