namespace ManagedTls.Ssl;

/// <content>Python's <c>selected_npn_protocol()</c>: NPN is never negotiated.</content>
public partial class SslObject
{
    /// <summary>
    /// Python's <c>selected_npn_protocol()</c>: always null, before and after the handshake, as Python 3.11 returns
    /// <c>None</c>. Next Protocol Negotiation is not offered or accepted (<see cref="Ssl.HasNpn"/> is false); ALPN
    /// (<see cref="SelectedAlpnProtocol"/>) is its successor. Python warns (<c>DeprecationWarning: ssl NPN is deprecated,
    /// use ALPN instead</c>), so the member is obsolete here.
    /// </summary>
    /// <returns>Null.</returns>
    [Obsolete("ssl NPN is deprecated, use ALPN instead")]
    public string? SelectedNpnProtocol() => null;
}
