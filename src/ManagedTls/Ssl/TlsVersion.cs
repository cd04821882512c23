namespace ManagedTls.Ssl;

/// <summary>Protocol versions for <c>MinimumVersion</c> / <c>MaximumVersion</c>, with Python's <c>ssl.TLSVersion</c> values.</summary>
#pragma warning disable CA1707 // names follow Python's ssl module
public enum TlsVersion
{
    /// <summary><c>MINIMUM_SUPPORTED</c> (-2): the lowest version this library speaks (TLS 1.2).</summary>
    MinimumSupported = -2,
    /// <summary><c>MAXIMUM_SUPPORTED</c> (-1): the highest version this library speaks (TLS 1.3).</summary>
    MaximumSupported = -1,
    /// <summary>SSL 3.0 (768); never negotiated.</summary>
    SslV3 = 0x0300,
    /// <summary>TLS 1.0 (769); never negotiated.</summary>
    TlsV1 = 0x0301,
    /// <summary>TLS 1.1 (770); never negotiated.</summary>
    TlsV1_1 = 0x0302,
    /// <summary>TLS 1.2 (771).</summary>
    TlsV1_2 = 0x0303,
    /// <summary>TLS 1.3 (772).</summary>
    TlsV1_3 = 0x0304,
}
#pragma warning restore CA1707

/// <summary>Peer certificate checking, with Python's <c>ssl.VerifyMode</c> values.</summary>
public enum VerifyMode
{
    /// <summary><c>CERT_NONE</c> (0): no certificate is requested (server) or checked (client).</summary>
    CertNone = 0,
    /// <summary><c>CERT_OPTIONAL</c> (1): the server asks for a client certificate and checks it when one is sent.</summary>
    CertOptional = 1,
    /// <summary><c>CERT_REQUIRED</c> (2): a valid peer certificate is required.</summary>
    CertRequired = 2,
}
