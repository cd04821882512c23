namespace ManagedTls.Ssl;

/// <content>Python's <c>selected_npn_protocol()</c>: NPN is never negotiated.</content>
public partial class SslSocket
{
    /// <summary>
    /// Python's <c>selected_npn_protocol()</c>: always null, also after the socket is closed, as Python 3.11's
    /// <c>SSLSocket</c> returns <c>None</c>; see <see cref="SslObject.SelectedNpnProtocol"/>.
    /// </summary>
    /// <returns>Null.</returns>
    [Obsolete("ssl NPN is deprecated, use ALPN instead")]
    public string? SelectedNpnProtocol() => null;
}
