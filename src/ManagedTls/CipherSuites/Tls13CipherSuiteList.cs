namespace ManagedTls.CipherSuites;

/// <summary>
/// The TLS 1.3 suite list (OpenSSL's <c>SSL_CTX_set_ciphersuites</c>, <c>openssl -ciphersuites</c>): IANA
/// names separated by <c>:</c>, in preference order. Spaces around a name are ignored, unknown names are
/// skipped, repeated names are kept as given, and the empty string means "no TLS 1.3 suite".
/// </summary>
internal static class Tls13CipherSuiteList
{
    /// <summary>OpenSSL 3.0's default TLS 1.3 list.</summary>
    public const string DefaultString = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

    /// <summary>The suites of <see cref="DefaultString"/>.</summary>
    public static readonly IReadOnlyList<CipherSuiteInfo> Default = Parse(DefaultString);

    /// <summary>Parses a TLS 1.3 suite list; throws <see cref="CipherStringException"/> when a non-empty list names no known suite.</summary>
    public static IReadOnlyList<CipherSuiteInfo> Parse(string list)
    {
        if (list is null || list.Length == 0)
        {
            return Array.Empty<CipherSuiteInfo>();
        }

        var result = new List<CipherSuiteInfo>();
        foreach (string element in list.Split(':'))
        {
            CipherSuiteInfo? suite = CipherSuiteRegistry.FindByIanaName(element.Trim(' ', '\t'));
            if (suite is { IsTls13: true })
            {
                result.Add(suite);
            }
        }

        if (result.Count == 0)
        {
            throw new CipherStringException(CipherStringError.NoCipherMatch, list, $"No TLS 1.3 cipher suite can be selected by \"{list}\".");
        }

        return result;
    }
}
