using ManagedTls.Ssl;

namespace ManagedTls.AspNetCore.Tests;

/// <summary><see cref="SslObject.TargetHostName"/>, which <c>ITlsHandshakeFeature.HostName</c> reports, over memory BIOs.</summary>
public sealed class TargetHostNameTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData(null)]
    public void Both_sides_report_the_name_of_the_server_name_extension(string? name)
    {
        var client = new SslContext(SslProtocol.TlsClient);
        client.LoadVerifyLocations(TestPki.Shared.AuthorityFile);
        if (name is null)
        {
            client.CheckHostname = false;
        }

        SslContext server = TestPki.Shared.ServerContext();
        MemoryBio ci = new(), co = new(), si = new(), so = new();
        SslObject c = client.WrapBio(ci, co, serverHostname: name);
        SslObject s = server.WrapBio(si, so, serverSide: true);
        Assert.Null(s.TargetHostName);

        for (int i = 0; i < 10 && !(c.IsHandshakeComplete && s.IsHandshakeComplete); i++)
        {
            Step(c);
            si.Write(co.Read());
            Step(s);
            ci.Write(so.Read());
        }

        Assert.True(c.IsHandshakeComplete && s.IsHandshakeComplete);
        Assert.Equal(name, s.TargetHostName);
        Assert.Equal(name, c.TargetHostName);
        s.Dispose();
        Assert.Null(s.TargetHostName);
    }

    private static void Step(SslObject ssl)
    {
        try
        {
            ssl.DoHandshake();
        }
        catch (SslWantReadException)
        {
        }
    }
}
