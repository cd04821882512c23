using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using BcX509 = Org.BouncyCastle.X509;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>BouncyCastle's own TLS (Org.BouncyCastle.Tls) set up like the ManagedTls peers: one version (TLS 1.3 unless told), one suite, one group.</summary>
public static class BcTls
{
    /// <summary>One crypto provider for every BouncyCastle TLS peer.</summary>
    public static readonly BcTlsCrypto SharedCrypto = new(new SecureRandom());

    /// <summary>Runs a full handshake between a non-blocking client and server in memory; returns the bytes moved.</summary>
    public static int Handshake(ServerKey key, int suite, ProtocolVersion? version = null)
    {
        var client = new TlsClientProtocol();
        var server = new TlsServerProtocol();
        server.Accept(new Server(key, suite, version));
        client.Connect(new Client(suite, version));
        int moved = Pump(client, server);
        if (client.IsHandshaking || server.IsHandshaking)
        {
            throw new InvalidOperationException("BouncyCastle TLS handshake did not complete");
        }

        client.Close();
        server.Close();
        return moved;
    }

    /// <summary>Moves bytes both ways until neither side has output.</summary>
    public static int Pump(TlsProtocol client, TlsProtocol server)
    {
        int total = 0;
        byte[] buffer = new byte[32768];
        for (int round = 0; round < 64; round++)
        {
            int moved = Move(client, server, buffer) + Move(server, client, buffer);
            if (moved == 0)
            {
                return total;
            }

            total += moved;
        }

        throw new InvalidOperationException("the BouncyCastle pump did not settle");
    }

    private static int Move(TlsProtocol from, TlsProtocol to, byte[] buffer)
    {
        int total = 0;
        int n;
        while ((n = from.GetAvailableOutputBytes()) > 0)
        {
            if (n > buffer.Length)
            {
                buffer = new byte[n];
            }

            int got = from.ReadOutput(buffer, 0, n);
            to.OfferInput(buffer, 0, got);
            total += got;
        }

        return total;
    }

    /// <summary>
    /// A client of one version (TLS 1.3 unless given) offering one suite and x25519 (and P-256 after it on TLS 1.2, where a
    /// server's ECDSA certificate must be on a listed curve), checking the leaf against the benchmark CA.
    /// </summary>
    public class Client(int suite, ProtocolVersion? version = null) : DefaultTlsClient(SharedCrypto)
    {
        /// <inheritdoc/>
        public override TlsAuthentication GetAuthentication() => new Authentication();

        /// <inheritdoc/>
        protected override ProtocolVersion[] GetSupportedVersions() => (version ?? ProtocolVersion.TLSv13).Only();

        /// <inheritdoc/>
        protected override int[] GetSupportedCipherSuites() => [suite];

        /// <inheritdoc/>
        protected override IList<int> GetSupportedGroups(IList<int> namedGroupRoles) =>
            version is null || version.Equals(ProtocolVersion.TLSv13) ? [NamedGroup.x25519] : [NamedGroup.x25519, NamedGroup.secp256r1];

        /// <inheritdoc/>
        protected override IList<ServerName> GetSniServerNames() =>
            [new ServerName(NameType.host_name, System.Text.Encoding.ASCII.GetBytes(BenchPki.HostName))];
    }

    /// <summary>Checks the server leaf: parsed, in its validity period, signed by the benchmark CA, naming the host.</summary>
    private sealed class Authentication : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var leaf = new BcX509.X509Certificate(serverCertificate.Certificate.GetCertificateAt(0).GetEncoded());
            leaf.CheckValidity();
            leaf.Verify(BenchPki.RootPublic);
            bool named = false;
            foreach (IList<object> name in leaf.GetSubjectAlternativeNames() ?? [])
            {
                named |= name.Count == 2 && name[1] is string s && s == BenchPki.HostName;
            }

            if (!named)
            {
                throw new TlsFatalAlert(Org.BouncyCastle.Tls.AlertDescription.bad_certificate);
            }
        }

        public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) => null;
    }

    /// <summary>A server of one version (TLS 1.3 unless given) with the benchmark leaf of <paramref name="key"/>.</summary>
    public class Server(ServerKey key, int suite, ProtocolVersion? version = null) : DefaultTlsServer(SharedCrypto)
    {
        /// <summary>The connection's context once accepted (negotiated parameters).</summary>
        public TlsServerContext Context => m_context;

        /// <inheritdoc/>
        public override TlsCredentials GetCredentials()
        {
            BenchLeaf leaf = BenchPki.Leaf(key);
            TlsCertificate cert = SharedCrypto.CreateCertificate(leaf.Der);
            // TLS 1.3's Certificate has a request context (empty here); TLS 1.2's has none.
            var chain = version is null || version.Equals(ProtocolVersion.TLSv13)
                ? new Certificate(TlsUtilities.EmptyBytes, [new CertificateEntry(cert, null)])
                : new Certificate([cert]);
            SignatureAndHashAlgorithm alg = key == ServerKey.EcdsaP256
                ? SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa)
                : SignatureAndHashAlgorithm.rsa_pss_rsae_sha256;
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), SharedCrypto, leaf.Private, chain, alg);
        }

        /// <inheritdoc/>
        protected override ProtocolVersion[] GetSupportedVersions() => (version ?? ProtocolVersion.TLSv13).Only();

        /// <inheritdoc/>
        protected override int[] GetSupportedCipherSuites() => [suite];

        /// <inheritdoc/>
        public override int[] GetSupportedGroups() => [NamedGroup.x25519];
    }
}
