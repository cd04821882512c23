using ManagedTls.Cli;

namespace ManagedTls.Tests.Cli;

/// <summary>Flags s_client and s_server refuse rather than ignore, each with a reason that is true of the tool.</summary>
public sealed class CliRefusedFlagTests
{
    [Theory]
    [InlineData("-tls1_1", "option -tls1_1 is not supported: TLS 1.1 and earlier are never spoken")]
    [InlineData("-tls1", "option -tls1 is not supported: TLS 1.1 and earlier are never spoken")]
    [InlineData("-dtls", "option -dtls is not supported")]
    public void RefusedFlagsSayWhy(string flag, string message) =>
        Assert.Equal(message, Assert.Throws<UsageException>(() => TlsCliCommon.RejectUnsupported(flag)).Message);

    [Theory]
    [InlineData("-tls1_3")]
    [InlineData("-tls1_2")]
    [InlineData("-no_tls1_3")]
    [InlineData("-reconnect")]
    [InlineData("-brief")]
    public void OtherFlagsPass(string flag) => Assert.Null(Xunit.Record.Exception(() => TlsCliCommon.RejectUnsupported(flag)));
}
