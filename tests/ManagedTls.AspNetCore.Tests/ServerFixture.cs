namespace ManagedTls.AspNetCore.Tests;

/// <summary>One server per test class: <c>UseManagedTls</c> with the localhost certificate, HTTP/1.1 and HTTP/2.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public KestrelTlsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await KestrelTlsServer.StartAsync(listen => listen.UseManagedTls(TestPki.Shared.ServerContext()));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
