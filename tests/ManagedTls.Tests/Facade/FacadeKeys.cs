namespace ManagedTls.Tests.Facade;

/// <summary>A P-256 self-signed certificate for localhost, its key (plain and encrypted with "secret"), and an unrelated key (made with openssl 3.0).</summary>
internal static class FacadeKeys
{
    public const string Certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBgDCCASWgAwIBAgIUczVUfVIIydsutQUbjo5C1wnG/wwwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzE1MzgyOVoYDzIxMjYxMDMw
        MTUzODI5WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAAT+kyIBx5VcRbgOhU7roDZRHqml5CX3o5Qn8+vqBpEhMCp6qvq8qvZ3
        Wk6X2fv0WSAXfFpNREwSISbEtpD6zZKuo1MwUTAdBgNVHQ4EFgQUKqd4Xglm1RBy
        xE+s2EMZmnr6U3QwHwYDVR0jBBgwFoAUKqd4Xglm1RByxE+s2EMZmnr6U3QwDwYD
        VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAsI1u7UF+LDp2Vp4XDFTY
        PI35UgvSpoPXtawAxNb5Ml4CIQDIF2SPIkiVqfgD+i2vbhZxqZ6a+/6wgrNOeQPt
        z4rqSw==
        -----END CERTIFICATE-----
        """;

    public const string Key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcNhLBvdFKojSj57k
        U0FY2pCxo4OSPSzJYAH16gKavvuhRANCAAT+kyIBx5VcRbgOhU7roDZRHqml5CX3
        o5Qn8+vqBpEhMCp6qvq8qvZ3Wk6X2fv0WSAXfFpNREwSISbEtpD6zZKu
        -----END PRIVATE KEY-----
        """;

    public const string OtherKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/tPAYIoVrIN1/tBY
        w4NMo+vOxxG7dWXJRlDR/dkn0KmhRANCAASmhtXRIeExcsAr17tU9JTmNPEutgWN
        gfkC/ucFIsMCjuj9Q3cpix5vNbo/UDg31dB3pkMPg6gVQNaTedWtzxiY
        -----END PRIVATE KEY-----
        """;

    public const string EncryptedKey = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAi9LaKJAuO/dwICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEAmglFPL49GrUEMdtC1W4jMEgZAJ
        s95dSUssW5Tbsqh+jrz5OIVRZRkVeUKQtlbBRd39XsUoYDQQ+/RnfLbSJNxCfzte
        E9j8ewAMpSzdZ8eLnKBa7kEB+/gks2HeFcqoCT6BILhV13Cd/f5PaT4mFiBPqHJx
        ldZFQgcpK878aew5vOwvwd+cmU6KZFHmxRWfTbTkzDnQY62+0SWRHmHFqe2BC9k=
        -----END ENCRYPTED PRIVATE KEY-----
        """;

    /// <summary>Writes the four PEM files into a new temporary directory and returns its path.</summary>
    public static string WriteFiles()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mtls-facade-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cert.pem"), Certificate + "\n");
        File.WriteAllText(Path.Combine(dir, "key.pem"), Key + "\n");
        File.WriteAllText(Path.Combine(dir, "other.pem"), OtherKey + "\n");
        File.WriteAllText(Path.Combine(dir, "enc.pem"), EncryptedKey + "\n");
        File.WriteAllText(Path.Combine(dir, "combined.pem"), Certificate + "\n" + Key + "\n");
        string base64 = string.Concat(Key.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim()));
        File.WriteAllBytes(Path.Combine(dir, "key.der"), Convert.FromBase64String(base64));
        return dir;
    }
}
