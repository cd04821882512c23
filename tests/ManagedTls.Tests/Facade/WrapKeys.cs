namespace ManagedTls.Tests.Facade;

/// <summary>
/// A P-256 self-signed certificate for localhost with subjectAltName DNS:localhost and its key (openssl 3.0), written
/// to a temporary directory as cert.pem and key.pem. Python's values for it are recorded in the tests that use it.
/// </summary>
internal static class WrapKeys
{
    public const string Certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBlTCCATugAwIBAgIUHfk/egN8tsEXHXSpnH5ysAdkl5YwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzE2MTcxMloYDzIxMjYxMDMw
        MTYxNzEyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAASF04OoqzYyqYZCZpDBH158gOU+bZRtBvwHBBxpL0YtSOVGoKWnBTYS
        xMRBnPIz7ndt/DZyOwn7IAOXnH4rBpiyo2kwZzAdBgNVHQ4EFgQU5GM+KESCMelw
        TLXUhwvVEtopgR0wHwYDVR0jBBgwFoAU5GM+KESCMelwTLXUhwvVEtopgR0wDwYD
        VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
        SAAwRQIhAJBnNcDVkKBfrnb1uVsfmG9aRCdJXGeCLf1fjMS810kLAiAauzD+f8Gr
        DvWYR8RY8beVLih7Srcr++JDhNUdFyO4Wg==
        -----END CERTIFICATE-----
        """;

    public const string Key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgR9Q28AlVZxvSNSEc
        Dm0Guk5N3wHYvWuEhohHHjQXk7KhRANCAASF04OoqzYyqYZCZpDBH158gOU+bZRt
        BvwHBBxpL0YtSOVGoKWnBTYSxMRBnPIz7ndt/DZyOwn7IAOXnH4rBpiy
        -----END PRIVATE KEY-----
        """;

    /// <summary>Writes cert.pem and key.pem into a new temporary directory and returns its path.</summary>
    public static string WriteFiles()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mtls-wrap-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cert.pem"), Certificate + "\n");
        File.WriteAllText(Path.Combine(dir, "key.pem"), Key + "\n");
        return dir;
    }
}
