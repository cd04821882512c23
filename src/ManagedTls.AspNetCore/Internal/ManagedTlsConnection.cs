using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ManagedTls.Ssl;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace ManagedTls.AspNetCore.Internal;

/// <summary>
/// One connection served over ManagedTls, and the TLS features Kestrel and the app read from it. Everything is read
/// from the engine; the one exception is <see cref="ClientCertificate"/>, an <see cref="X509Certificate2"/> made on
/// first access only, because making one loads OpenSSL on Linux.
/// </summary>
internal sealed class ManagedTlsConnection : ITlsConnectionFeature, ITlsApplicationProtocolFeature, ITlsHandshakeFeature, IManagedTlsFeature
{
    private readonly ManagedTlsSettings _settings;
    private readonly ConnectionContext _connection;
    private readonly object _certificateLock = new();
    private X509Certificate2? _clientCertificate;
    private bool _clientCertificateLoaded;
    private string? _requestedName;
    private SuiteDetails? _suite;
    private ReadOnlyMemory<byte> _alpnBytes;

    public ManagedTlsConnection(TlsStream stream, ManagedTlsSettings settings, ConnectionContext connection)
    {
        Stream = stream;
        _settings = settings;
        _connection = connection;
    }

    // IManagedTlsFeature

    public TlsStream Stream { get; }

    public SslObject Ssl => Stream.Ssl ?? throw new InvalidOperationException("the handshake has not started");

    public SslContext Context => Ssl.Context;

    public string? HostName => _requestedName ?? Stream.Ssl?.TargetHostName;

    public string? ApplicationProtocol { get; private set; }

    public byte[]? PeerCertificate => Ssl.GetPeerCert(binaryForm: true) as byte[];

    public IReadOnlyList<byte[]> PeerCertificateChain => Stream.GetUnverifiedChain();

    public IReadOnlyList<byte[]> VerifiedChain => Stream.GetVerifiedChain();

    // ITlsApplicationProtocolFeature

    ReadOnlyMemory<byte> ITlsApplicationProtocolFeature.ApplicationProtocol => _alpnBytes;

    // ITlsConnectionFeature

    /// <summary>The client's certificate, made from its DER on first access (this is what loads OpenSSL on Linux).</summary>
    public X509Certificate2? ClientCertificate
    {
        get
        {
            lock (_certificateLock)
            {
                if (!_clientCertificateLoaded)
                {
                    _clientCertificateLoaded = true;
                    if (PeerCertificate is { } der)
                    {
#if NET9_0_OR_GREATER
                        _clientCertificate = X509CertificateLoader.LoadCertificate(der);
#else
                        _clientCertificate = new X509Certificate2(der);
#endif
                    }
                }

                return _clientCertificate;
            }
        }

        set
        {
            lock (_certificateLock)
            {
                _clientCertificateLoaded = true;
                _clientCertificate = value;
            }
        }
    }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    // ITlsHandshakeFeature

    public SslProtocols Protocol => Ssl.Version() switch
    {
        "TLSv1.3" => SslProtocols.Tls13,
        "TLSv1.2" => SslProtocols.Tls12,
        _ => SslProtocols.None,
    };

#pragma warning disable SYSLIB0058 // The algorithm-type properties are obsolete on .NET 10; Kestrel's interface still has them.
    public CipherAlgorithmType CipherAlgorithm => Suite.Cipher;

    public int CipherStrength => Suite.CipherBits;

    public HashAlgorithmType HashAlgorithm => Suite.Hash;

    public int HashStrength => Suite.HashBits;

    public ExchangeAlgorithmType KeyExchangeAlgorithm => Suite.Exchange;

    public int KeyExchangeStrength => 0;
#pragma warning restore SYSLIB0058

    public System.Net.Security.TlsCipherSuite? NegotiatedCipherSuite => Suite.Code is { } code ? (System.Net.Security.TlsCipherSuite)code : null;

    string ITlsHandshakeFeature.HostName => HostName ?? string.Empty;

    private SuiteDetails Suite => _suite ??= SuiteDetails.Of(Ssl, _settings.BaseContext);

    /// <summary>Called by the server-name dispatch during the handshake: runs the endpoint's selector and switches.</summary>
    public void OnServerName(string? serverName)
    {
        _requestedName = serverName;
        if (_settings.Selector is not { } selector || selector(_connection, serverName) is not { } chosen)
        {
            return;
        }

        ManagedTlsSettings.CheckServerContext(chosen, "context");
        _settings.EnsureAlpn(chosen);
        Ssl.Context = chosen;
    }

    /// <summary>Called once the handshake is complete: fixes what Kestrel reads on every request.</summary>
    public void OnHandshakeComplete()
    {
        ApplicationProtocol = Ssl.SelectedAlpnProtocol();
        _alpnBytes = ApplicationProtocol is null ? ReadOnlyMemory<byte>.Empty : Encoding.ASCII.GetBytes(ApplicationProtocol);
    }
}
