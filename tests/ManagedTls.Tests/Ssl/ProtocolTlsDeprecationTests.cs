using System.Reflection;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.SslFacade;

/// <summary>
/// <c>PROTOCOL_TLS</c> is deprecated in Python 3.10 and later: <see cref="SslProtocol.Tls"/> is [Obsolete] with Python's
/// warning text, and still makes a context for either side. Python's <c>SSLContext()</c> without a protocol warns too;
/// <see cref="SslContext"/> has no constructor without one.
/// </summary>
public sealed class ProtocolTlsDeprecationTests
{
    // Python 3.11.7 with warnings always shown: the messages of SSLContext(PROTOCOL_TLS), then of SSLContext().
    private const string Recorded = """
        ssl.PROTOCOL_TLS is deprecated
        ssl.SSLContext() without protocol argument is deprecated.|ssl.PROTOCOL_TLS is deprecated
        """;

    private const string Script = """
        import ssl, warnings
        for make in (lambda: ssl.SSLContext(ssl.PROTOCOL_TLS), lambda: ssl.SSLContext()):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                make()
            print('|'.join(str(x.message) for x in w))
        """;

    [Fact]
    public void TheObsoleteTextIsPythonsWarning()
    {
        ObsoleteAttribute obsolete = typeof(SslProtocol).GetField("Tls")!
            .GetCustomAttribute<ObsoleteAttribute>()!;
        string[] python = (Oracles.Python(Script) ?? Recorded).Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd().Split('\n');
        Assert.Equal(Recorded.Split('\n'), python);
        Assert.StartsWith(python[0], obsolete.Message, StringComparison.Ordinal);

        // The alias carries the same deprecation, and the members that are not deprecated carry none.
        Assert.NotNull(typeof(SslProtocol).GetField("SslV23")!.GetCustomAttribute<ObsoleteAttribute>());
        Assert.Null(typeof(SslProtocol).GetField(nameof(SslProtocol.TlsClient))!.GetCustomAttribute<ObsoleteAttribute>());
        Assert.Null(typeof(SslProtocol).GetField(nameof(SslProtocol.TlsServer))!.GetCustomAttribute<ObsoleteAttribute>());

        // Python's second warning has no counterpart: there is no constructor without a protocol.
        Assert.Null(typeof(SslContext).GetConstructor(Type.EmptyTypes));
    }

    [Fact]
    public void TheDeprecatedProtocolStillServesEitherSide()
    {
#pragma warning disable CS0618 // ssl.PROTOCOL_TLS is deprecated: this test is about it.
        var context = new SslContext(SslProtocol.Tls);
        Assert.Equal(SslProtocol.Tls, context.Protocol);
#pragma warning restore CS0618
        string dir = ManagedTls.Tests.Facade.WrapKeys.WriteFiles();
        try
        {
            context.LoadCertChain(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
            ManagedTls.Tests.Facade.BioPair pair = ManagedTls.Tests.Facade.BioPair.Connect(context, context);
            Assert.Equal("TLSv1.3/TLSv1.3", pair.Outcome);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
