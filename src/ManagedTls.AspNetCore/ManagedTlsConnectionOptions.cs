using ManagedTls.Ssl;
using Microsoft.AspNetCore.Connections;

namespace ManagedTls.AspNetCore;

/// <summary>
/// How a Kestrel endpoint serves TLS through ManagedTls: the counterpart of Kestrel's
/// <c>HttpsConnectionAdapterOptions</c> for <see cref="ManagedTlsListenOptionsExtensions.UseManagedTls(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions, ManagedTlsConnectionOptions)"/>.
/// Everything about TLS itself (versions, suites, certificates, client authentication, ALPN, tickets, key log) is set
/// on the <see cref="SslContext"/>s, as in any ManagedTls server; these options only say which context serves a
/// connection and how long its handshake may take.
/// </summary>
public sealed class ManagedTlsConnectionOptions
{
    private TimeSpan _handshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The server context connections are made from (a <see cref="SslProtocol.TlsServer"/> context, or any context
    /// that is not a client's). With <see cref="ContextSelector"/> it is the base of every handshake: its versions,
    /// suites, groups, options and ticket settings apply to all connections, and its certificate is served when the
    /// selector returns null. Without a selector it is required.
    /// </summary>
    public SslContext? Context { get; set; }

    /// <summary>
    /// Chooses the context of a connection by the server name the client asked for (SNI), like Kestrel's
    /// <c>ServerCertificateSelector</c>. Called once per handshake, while the client's hello is processed, with the
    /// connection and the name (null when the client sent none). The connection is switched to the returned context
    /// (its certificate chains, trust store, client-certificate policy and ALPN protocols; decision 0027 of ManagedTls
    /// lists what a switch takes: client certificates are then verified against the selected context's trust store,
    /// and requested when either context asks for them); null keeps <see cref="Context"/>. A selector that throws fails that handshake
    /// (handshake_failure). When <see cref="Context"/> is null, the base is a default <see cref="SslProtocol.TlsServer"/>
    /// context without a certificate, so a null answer fails the handshake as Kestrel's selector does. The selector is
    /// installed as the base context's <see cref="SslContext.SniCallback"/>, so that context must not have a callback
    /// of its own.
    /// </summary>
    public Func<ConnectionContext, string?, SslContext?>? ContextSelector { get; set; }

    /// <summary>
    /// How long a handshake may take before the connection is closed (default 10 seconds, as Kestrel's
    /// <c>HandshakeTimeout</c>); <see cref="Timeout.InfiniteTimeSpan"/> for no limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive and not infinite.</exception>
    public TimeSpan HandshakeTimeout
    {
        get => _handshakeTimeout;
        set => _handshakeTimeout = value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the handshake timeout must be positive or infinite");
    }
}
