using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// RFC 8446 section 4.2: an extension response the peer never asked for is unsupported_extension; RFC 6066: the
/// server's server_name acknowledgement is empty.
/// </summary>
public class UnsolicitedExtensionTests
{
    [Fact]
    public void AServerCertificateEntryWithAnOcspResponseTheClientDidNotAskForIsUnsupportedExtension()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions
            {
                Edit = m => m.Type == HandshakeType.Certificate
                    ? TlsMessages.CertificateWithEntries([TlsMessages.CertificateEntry(EngineTargets.Pki.Chain[0], TlsExtensions.StatusRequestResponse())], context: [])
                    : m,
            })
            .ExpectAlert(AlertDescription.UnsupportedExtension), seed: 801);
        Assert.Equal(AlertDescription.UnsupportedExtension, failure?.Description);
    }

    [Fact]
    public void AServerCertificateEntryWithSctsTheClientDidNotAskForIsUnsupportedExtension()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions
            {
                Edit = m => m.Type == HandshakeType.Certificate
                    ? TlsMessages.CertificateWithEntries([TlsMessages.CertificateEntry(EngineTargets.Pki.Chain[0], TlsExtensions.SignedCertificateTimestamp([1, 2, 3]))], context: [])
                    : m,
            })
            .ExpectAlert(AlertDescription.UnsupportedExtension), seed: 802);
        Assert.Equal(AlertDescription.UnsupportedExtension, failure?.Description);
    }

    [Fact]
    public void AClientCertificateEntryWithExtensionsTheServerDidNotAskForIsUnsupportedExtension()
    {
        TlsAlertException? failure = EngineTargets.AgainstServer(
            script => script
                .ClientHello()
                .ExpectServerFlight()
                .ClientCertificate(edit: m => m.Type == HandshakeType.Certificate
                    ? TlsMessages.CertificateWithEntries([TlsMessages.CertificateEntry(EngineTargets.Pki.Chain[0], TlsExtensions.StatusRequestResponse())], context: [])
                    : m)
                .ExpectAlert(AlertDescription.UnsupportedExtension),
            seed: 803,
            configure: s => s with { RequestClientCertificate = true, Trust = new TrustStore([EngineTargets.Pki.Authority.CertificateDer]) });
        Assert.Equal(AlertDescription.UnsupportedExtension, failure?.Description);
    }

    [Fact]
    public void ANonEmptyServerNameInEncryptedExtensionsIsDecodeError()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions
            {
                Edit = m => m.Type == HandshakeType.EncryptedExtensions ? TlsMessages.EncryptedExtensions(TlsExtensions.ServerName("localhost")) : m,
            })
            .ExpectAlert(AlertDescription.DecodeError), seed: 804);
        Assert.Equal(AlertDescription.DecodeError, failure?.Description);
    }

    [Fact]
    public void AnEmptyServerNameInEncryptedExtensionsIsAccepted()
    {
        TlsAlertException? failure = EngineTargets.AgainstClient(script => script
            .Expect(HandshakeType.ClientHello)
            .ServerFlight(new ServerFlightOptions
            {
                Edit = m => m.Type == HandshakeType.EncryptedExtensions ? TlsMessages.EncryptedExtensions(TlsExtensions.ServerNameAck()) : m,
            })
            .Expect(HandshakeType.Finished, f => f.Verified == true, "verified"), seed: 805);
        Assert.Null(failure);
    }
}
