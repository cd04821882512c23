namespace ManagedTls.Ssl;

/// <content>The server name of the connection's server_name extension, as <c>SslStream.TargetHostName</c> reports it.</content>
public partial class SslObject
{
    /// <summary>
    /// <c>SslStream.TargetHostName</c> (OpenSSL's <c>SSL_get_servername</c>): on a server, the host name the client's
    /// hello asked for in its server_name extension (RFC 6066), known once the hello has been processed (inside
    /// <see cref="SslContext.SniCallback"/> the name is the callback's argument); on a client, the name it was wrapped with (<see cref="ServerHostname"/>).
    /// Python's <c>server_hostname</c> is null on a server; this is the .NET way to learn the name there.
    /// </summary>
    /// <value>The name, or null when none was sent or the hello has not been processed yet.</value>
    public string? TargetHostName
    {
        get
        {
            lock (_lock)
            {
                return _disposed ? null : _conn.ServerName;
            }
        }
    }
}
