using ManagedTls.Ssl;

namespace ManagedTls.Tests.SslFacade;

/// <summary>How Python's exception names map onto the facade's exception types (docs/python-mapping.md, Exceptions).</summary>
public sealed class PythonExceptionNamesTests
{
    [Fact]
    public void CertificateErrorIsTheVerificationErrorItself()
    {
        // Python: ssl.CertificateError is ssl.SSLCertVerificationError (one class, two names).
        string? live = Oracles.Python("import ssl; print(ssl.CertificateError is ssl.SSLCertVerificationError)");
        if (live is not null)
        {
            Assert.Equal("True", live.Trim());
        }

        // .NET has no type aliases across assemblies, and a subclass would not catch what the facade throws, so the
        // facade has no second name: catching SslCertVerificationException is catching CertificateError.
        Type[] types = typeof(SslException).Assembly.GetExportedTypes();
        Assert.DoesNotContain(types, t => t.Name is "CertificateError" or "CertificateException" or "SslCertificateException");
        Assert.True(typeof(SslCertVerificationException).IsSubclassOf(typeof(SslException)));
    }
}
