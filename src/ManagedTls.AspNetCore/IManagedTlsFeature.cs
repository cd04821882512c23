using ManagedTls.Ssl;

namespace ManagedTls.AspNetCore;

/// <summary>
/// The ManagedTls connection behind a Kestrel connection served by <c>UseManagedTls</c>, from
/// <c>HttpContext.Features.Get&lt;IManagedTlsFeature&gt;()</c> (or the connection's features). Everything here comes
/// from the managed engine and never loads native code; in particular the peer's certificates are DER bytes, where
/// <c>ITlsConnectionFeature.ClientCertificate</c> makes an <c>X509Certificate2</c> (which loads OpenSSL on Linux).
/// </summary>
public interface IManagedTlsFeature
{
    /// <summary>The TLS stream the connection's bytes go through.</summary>
    TlsStream Stream { get; }

    /// <summary>The TLS connection, for its information methods: <see cref="SslObject.Version"/>,
    /// <see cref="SslObject.Cipher"/>, <see cref="SslObject.Group"/>, <see cref="SslObject.SessionReused"/>,
    /// <see cref="SslObject.GetPeerCert"/>, <see cref="SslObject.GetChannelBinding"/>...</summary>
    SslObject Ssl { get; }

    /// <summary>The context the connection was served with: the one <c>ContextSelector</c> chose, or the endpoint's.</summary>
    SslContext Context { get; }

    /// <summary>The host name the client asked for (SNI), or null when it sent none.</summary>
    string? HostName { get; }

    /// <summary>The negotiated application protocol (<c>"h2"</c>, <c>"http/1.1"</c>), or null when ALPN was not used.</summary>
    string? ApplicationProtocol { get; }

    /// <summary>The peer's leaf certificate as DER, or null when it sent none.</summary>
    byte[]? PeerCertificate { get; }

    /// <summary>The certificates the peer sent, leaf first, as DER (<see cref="SslObject.GetUnverifiedChain"/>); empty when it sent none.</summary>
    IReadOnlyList<byte[]> PeerCertificateChain { get; }

    /// <summary>The chain the verifier built, leaf first and trust anchor last, as DER (<see cref="SslObject.GetVerifiedChain"/>);
    /// empty when the peer sent no certificate, was not verified, or the session was resumed.</summary>
    IReadOnlyList<byte[]> VerifiedChain { get; }
}
