using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;
using ManagedTls.X509;

namespace ManagedTls.Testing;

/// <summary>
/// TLS 1.2 steps (RFC 5246, RFC 7627, RFC 7366, RFC 8422): the kit computes key exchanges, signatures and Finished
/// messages, and switches keys at each change_cipher_spec; every message passes through an edit hook first.
/// </summary>
public sealed partial class TlsScript
{
    private static readonly NamedGroup[] Tls12CurvePreference =
        [NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.X448, NamedGroup.Secp384r1, NamedGroup.Secp521r1];

    private static readonly NamedGroup[] Tls12DefaultGroups =
    [
        NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.Secp384r1, NamedGroup.Secp521r1, NamedGroup.X448,
        NamedGroup.Ffdhe2048, NamedGroup.Ffdhe3072,
    ];

    private static readonly TlsCipherSuite[] Tls12DefaultSuites = CipherSuiteRegistry.Tls12Suites
        .OrderBy(s => s.KeyExchange.Algorithm switch { SuiteKeyExchange.Ecdhe => 0, SuiteKeyExchange.Dhe => 1, _ => 2 })
        .Select(s => s.Suite)
        .ToArray();

    /// <summary>A whole TLS 1.2 handshake with the default options (see <see cref="Handshake12(ClientHelloOptions)"/> and <see cref="Handshake12(ServerFlightOptions)"/>).</summary>
    /// <returns>This script.</returns>
    public TlsScript Handshake12() => IsClient ? Handshake12(new ClientHelloOptions()) : Handshake12(new ServerFlightOptions());

    /// <summary>
    /// Client: a complete TLS 1.2 handshake as a real client: <see cref="ClientHello12"/>, the server's flight
    /// (<see cref="ExpectServerFlight12"/>), the client's (<see cref="ClientFlight12"/>: ClientKeyExchange,
    /// change_cipher_spec, Finished), then the server's change_cipher_spec and a Finished that verifies
    /// (<see cref="ExpectFinished12"/>).
    /// </summary>
    /// <param name="options">How to build the ClientHello.</param>
    /// <returns>This script.</returns>
    public TlsScript Handshake12(ClientHelloOptions options)
    {
        RequireRole(client: true, nameof(Handshake12));
        return ClientHello12(options).ExpectServerFlight12().ClientFlight12().ExpectFinished12();
    }

    /// <summary>
    /// Server: a complete TLS 1.2 handshake as a real server: expects the ClientHello, sends <see cref="ServerFlight12"/>,
    /// expects the client's flight (<see cref="ExpectClientFlight12"/>), then sends change_cipher_spec and its Finished.
    /// </summary>
    /// <param name="options">Suite, group, extensions and the edit hook.</param>
    /// <returns>This script.</returns>
    public TlsScript Handshake12(ServerFlightOptions options)
    {
        RequireRole(client: false, nameof(Handshake12));
        return Expect(HandshakeType.ClientHello).ServerFlight12(options).ExpectClientFlight12().SendChangeCipherSpec().ServerFinished();
    }

    /// <summary>
    /// Client: a TLS 1.2 ClientHello (no supported_versions) with a fresh random: server_name, supported_groups,
    /// ec_point_formats, signature_algorithms, ALPN when asked, encrypt_then_mac and extended_master_secret unless turned
    /// off, renegotiation_info. Any ClientHello sent works for the key tracking (<c>Send(TlsMessages.ClientHello12())</c>
    /// too): the hellos as sent decide the agreement.
    /// </summary>
    /// <param name="options">Suites, groups, ALPN, the two extensions and the edit hook; null for the defaults.</param>
    /// <returns>This script.</returns>
    public TlsScript ClientHello12(ClientHelloOptions? options = null)
    {
        RequireRole(client: true, nameof(ClientHello12));
        options ??= new ClientHelloOptions();
        return Add("ClientHello12", run => run.Channel.QueueHandshake(BuildClientHello12(run, options).Encode(), SendOptions.Default));
    }

    /// <summary>
    /// Client: expects the server's TLS 1.2 flight: a TLS 1.2 ServerHello, Certificate, an optional CertificateStatus, a
    /// ServerKeyExchange whose signature verifies with the certificate's key (ECDHE and DHE suites), an optional
    /// CertificateRequest, and ServerHelloDone.
    /// </summary>
    /// <returns>This script.</returns>
    public TlsScript ExpectServerFlight12()
    {
        RequireRole(client: true, nameof(ExpectServerFlight12));
        return Add("ExpectServerFlight12", run =>
        {
            run.ExpectMessage(HandshakeType.ServerHello, _ => run.Peer.IsTls12, "a TLS 1.2 ServerHello");
            run.ExpectMessage(HandshakeType.Certificate, null, "Certificate");
            ReceivedMessage next = run.ExpectMessage(m => m.Type != HandshakeType.Certificate, "the rest of the server's flight");
            if (next.Type == HandshakeType.CertificateStatus)
            {
                next = run.ExpectMessage(_ => true, "the rest of the server's flight");
            }

            if (run.Peer.Kind12 is KeyExchangeKind.Ecdhe or KeyExchangeKind.Dhe)
            {
                Require(next, HandshakeType.ServerKeyExchange, m => m.Verified == true, "ServerKeyExchange whose signature verifies");
                next = run.ExpectMessage(_ => true, "CertificateRequest or ServerHelloDone");
            }

            if (next.Type == HandshakeType.CertificateRequest)
            {
                next = run.ExpectMessage(_ => true, "ServerHelloDone");
            }

            Require(next, HandshakeType.ServerHelloDone, null, "ServerHelloDone");

            void Require(ReceivedMessage m, HandshakeType type, Func<ReceivedMessage, bool>? predicate, string expected)
            {
                if (m.Type != type || (predicate is not null && !predicate(m)))
                {
                    throw run.Fail(expected, $"handshake {m}");
                }
            }
        });
    }

    /// <summary>
    /// Client: a ClientKeyExchange for the negotiated key exchange. ECDHE: a fresh key on the ServerKeyExchange's curve;
    /// DHE: a fresh value in its group; RSA: a premaster secret (0x0303 and 46 random bytes) encrypted to the leaf
    /// certificate's key. The kit keeps the premaster secret; the master secret and both record protections follow once
    /// the message is in the transcript (they switch on at each side's change_cipher_spec).
    /// </summary>
    /// <param name="edit">Edits the message before it is sent (the premaster secret stays the computed one).</param>
    /// <param name="rsaPremasterSecret">RSA key transport: the 48 bytes to encrypt (a wrong version, say); null for a correct one.</param>
    /// <returns>This script.</returns>
    public TlsScript ClientKeyExchange(Action<HandshakeBuilder>? edit = null, byte[]? rsaPremasterSecret = null)
    {
        RequireRole(client: true, nameof(ClientKeyExchange));
        byte[]? premaster = rsaPremasterSecret is null ? null : (byte[])rsaPremasterSecret.Clone();
        return Add("ClientKeyExchange", run =>
        {
            HandshakeBuilder m = BuildClientKeyExchange(run, premaster);
            edit?.Invoke(m);
            run.Channel.QueueHandshake(m.Encode(), SendOptions.Default);
        });
    }

    /// <summary>
    /// Client: the client's second TLS 1.2 flight as a real client: after a CertificateRequest, Certificate (the kit's
    /// chain); ClientKeyExchange (computed); after a certificate, CertificateVerify over the handshake messages;
    /// change_cipher_spec (the write keys switch); Finished (computed, protected).
    /// </summary>
    /// <param name="edit">Called with each handshake message just before it is sent: edit it and return it, return another, or return null to leave it out.</param>
    /// <returns>This script.</returns>
    public TlsScript ClientFlight12(Func<HandshakeBuilder, HandshakeBuilder?>? edit = null)
    {
        RequireRole(client: true, nameof(ClientFlight12));
        return Add("ClientFlight12", run =>
        {
            bool certificate = run.Peer.CertificateRequest12 is not null;
            if (certificate)
            {
                run.SendEdited(TlsMessages.Certificate12(run.Peer.Pki.Chain), edit);
            }

            run.SendEdited(BuildClientKeyExchange(run, null), edit);
            if (certificate)
            {
                run.SendEdited(BuildCertificateVerify(run), edit);
            }

            run.SendCompatibilityCcs(force: true);
            run.SendEdited(BuildFinished(run), edit);
        });
    }

    /// <summary>
    /// Either role: expects the peer's change_cipher_spec (after which its records are opened with the new keys) and then
    /// a Finished that verifies against the kit's transcript. A NewSessionTicket before them is recorded and kept in the
    /// transcript.
    /// </summary>
    /// <returns>This script.</returns>
    public TlsScript ExpectFinished12() => Add("ExpectFinished12", run =>
    {
        run.ExpectChangeCipherSpec();
        run.ExpectMessage(HandshakeType.Finished, m => m.Verified == true, "Finished that verifies");
    });

    /// <summary>
    /// Server: the first TLS 1.2 flight as a real server: ServerHello (<see cref="ServerHello12"/>), Certificate (the kit's
    /// chain), ServerKeyExchange (<see cref="ServerKeyExchange"/>; not for RSA key transport), CertificateRequest when
    /// asked, ServerHelloDone.
    /// </summary>
    /// <param name="options">Suite, group, extensions, records and the edit hook (called after signatures are computed); null for the defaults.</param>
    /// <returns>This script.</returns>
    public TlsScript ServerFlight12(ServerFlightOptions? options = null)
    {
        RequireRole(client: false, nameof(ServerFlight12));
        options ??= new ServerFlightOptions();
        return Add("ServerFlight12", run =>
        {
            SendOptions records = options.Records ?? SendOptions.Default;
            run.SendEdited(BuildServerHello12(run, options), options.Edit, records);
            run.SendEdited(TlsMessages.Certificate12(run.Peer.Pki.Chain), options.Edit, records);
            if (run.Peer.Kind12 != KeyExchangeKind.Rsa)
            {
                run.SendEdited(BuildServerKeyExchange(run, options), options.Edit, records);
            }

            if (options.RequestClientCertificate)
            {
                run.SendEdited(TlsMessages.CertificateRequest12(), options.Edit, records);
            }

            run.SendEdited(TlsMessages.ServerHelloDone(), options.Edit, records);
        });
    }

    /// <summary>
    /// Server: a TLS 1.2 ServerHello for the received ClientHello: a fresh random, an empty session id, the chosen suite,
    /// and the extensions a real server answers with: renegotiation_info (when the client signalled RFC 5746),
    /// extended_master_secret and encrypt_then_mac (see the options), ec_point_formats (ECDHE, when offered), ALPN
    /// when chosen, server_name when the client sent one.
    /// </summary>
    /// <param name="options">Suite, extensions and the edit hook; null for the defaults.</param>
    /// <returns>This script.</returns>
    public TlsScript ServerHello12(ServerFlightOptions? options = null)
    {
        RequireRole(client: false, nameof(ServerHello12));
        options ??= new ServerFlightOptions();
        return Add("ServerHello12", run => run.SendEdited(BuildServerHello12(run, options), options.Edit));
    }

    /// <summary>
    /// Server: a TLS 1.2 ServerKeyExchange after the ServerHello: a fresh ECDHE key (or DHE value, for a DHE suite) whose
    /// parameters are signed with the kit's key over both randoms (RFC 5246 section 7.4.3, RFC 8422 section 5.4). The
    /// kit keeps the private key to read the ClientKeyExchange.
    /// </summary>
    /// <param name="options">The group and the edit hook (called after the signature is computed); null for the defaults.</param>
    /// <returns>This script.</returns>
    public TlsScript ServerKeyExchange(ServerFlightOptions? options = null)
    {
        RequireRole(client: false, nameof(ServerKeyExchange));
        options ??= new ServerFlightOptions();
        return Add("ServerKeyExchange", run => run.SendEdited(BuildServerKeyExchange(run, options), options.Edit));
    }

    /// <summary>
    /// Server: expects the client's TLS 1.2 flight: Certificate (when the kit asked for one), ClientKeyExchange,
    /// CertificateVerify (when the client sent a certificate), change_cipher_spec and a Finished that verifies.
    /// </summary>
    /// <returns>This script.</returns>
    public TlsScript ExpectClientFlight12()
    {
        RequireRole(client: false, nameof(ExpectClientFlight12));
        return Add("ExpectClientFlight12", run =>
        {
            bool certificate = false;
            if (run.Peer.RequestedCertificate12)
            {
                certificate = run.ExpectMessage(HandshakeType.Certificate, null, "Certificate").Certificates.Count > 0;
            }

            run.ExpectMessage(HandshakeType.ClientKeyExchange, null, "ClientKeyExchange");
            if (certificate)
            {
                run.ExpectMessage(HandshakeType.CertificateVerify, null, "CertificateVerify");
            }

            run.ExpectChangeCipherSpec();
            run.ExpectMessage(HandshakeType.Finished, m => m.Verified == true, "Finished that verifies");
        });
    }

    private static HandshakeBuilder BuildClientHello12(ScriptRun run, ClientHelloOptions options)
    {
        ScriptPeer peer = run.Peer;
        var ext = new List<ExtensionBuilder>();
        if (peer.Options.ServerName is { Length: > 0 } name)
        {
            ext.Add(TlsExtensions.ServerName(name));
        }

        ext.Add(TlsExtensions.SupportedGroups([.. options.SupportedGroups ?? Tls12DefaultGroups]));
        ext.Add(TlsExtensions.EcPointFormats());
        ext.Add(TlsExtensions.SignatureAlgorithms());
        if (options.Alpn.Count > 0)
        {
            ext.Add(TlsExtensions.Alpn([.. options.Alpn]));
        }

        if (options.EncryptThenMac)
        {
            ext.Add(TlsExtensions.EncryptThenMac());
        }

        if (options.ExtendedMasterSecret)
        {
            ext.Add(TlsExtensions.ExtendedMasterSecret());
        }

        ext.Add(TlsExtensions.RenegotiationInfo(run.Peer.RenegotiationInfo12(serverHello: false)));
        HandshakeBuilder hello = TlsMessages.ClientHello12(ext, options.CipherSuites ?? Tls12DefaultSuites);
        hello.SetBytes("random", RandomBytes(peer.Entropy, 32));
        options.Edit?.Invoke(hello);
        return hello;
    }

    private static HandshakeBuilder BuildClientKeyExchange(ScriptRun run, byte[]? rsaPremaster)
    {
        ScriptPeer peer = run.Peer;
        if (!peer.IsTls12)
        {
            throw new InvalidOperationException("no TLS 1.2 ServerHello has been received: the key exchange is not known");
        }

        switch (peer.Kind12)
        {
            case KeyExchangeKind.Ecdhe:
            {
                var ske = peer.ServerKeyExchange12 as EcdheServerKeyExchange
                    ?? throw new InvalidOperationException("no ECDHE ServerKeyExchange has been received");
                KeyExchangeAlgorithm algorithm = KeyExchangeGroups.Find(ske.Group)?.Algorithm
                    ?? throw new InvalidOperationException($"the server's curve {ske.Group} is not one the engine implements");
                (byte[] share, byte[] premaster) = Respond(algorithm, algorithm.Respond(ske.PublicPoint, peer.Entropy));
                peer.SetPremaster12(premaster);
                return TlsMessages.ClientKeyExchangeEcdhe(share);
            }

            case KeyExchangeKind.Dhe:
            {
                var ske = peer.ServerKeyExchange12 as DheServerKeyExchange
                    ?? throw new InvalidOperationException("no DHE ServerKeyExchange has been received");

                // The kit talks to weak servers too: any prime from 512 bits on.
                FiniteFieldKeyExchange group = FiniteFieldKeyExchange.FromServerParameters(ske.P, ske.G, minimumPrimeBits: 512);
                (byte[] share, byte[] premaster) = Respond(group, group.RespondTls12(ske.Ys, peer.Entropy));
                peer.SetPremaster12(premaster);
                return TlsMessages.ClientKeyExchangeDhe(share);
            }

            case KeyExchangeKind.Rsa:
            {
                if (peer.PeerChain12.Count == 0)
                {
                    throw new InvalidOperationException("no server certificate has been received: there is no key to encrypt the premaster secret to");
                }

                PublicKey key = CertificatePublicKey.FromCertificate(peer.PeerChain12[0]);
                byte[] premaster = rsaPremaster is null ? [0x03, 0x03, .. RandomBytes(peer.Entropy, 46)] : (byte[])rsaPremaster.Clone();
                byte[] encrypted = RsaKeyExchange.EncryptPremaster(key, premaster, peer.Entropy);
                peer.SetPremaster12(premaster);
                return TlsMessages.ClientKeyExchangeRsa(encrypted);
            }

            default:
                throw new InvalidOperationException("the negotiated suite has no TLS 1.2 key exchange");
        }

        static (byte[] Share, byte[] Premaster) Respond(KeyExchangeAlgorithm algorithm, KeyExchangeResponse response)
        {
            using (response)
            {
                // The response wipes its secret when disposed; the premaster secret is a copy the peer owns.
                return (response.Share, algorithm.ToTls12PremasterSecret((byte[])response.SharedSecret.Clone()));
            }
        }
    }

    private static HandshakeBuilder BuildServerHello12(ScriptRun run, ServerFlightOptions options)
    {
        ScriptPeer peer = run.Peer;
        ClientHello ch = run.RequirePeerHello();
        CipherSuiteInfo suite = ChooseSuite12(ch, options.CipherSuite);
        var ext = new List<ExtensionBuilder>();
        if (ch.Extensions.Contains(ExtensionType.RenegotiationInfo) || ch.CipherSuites.Contains(TlsCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV))
        {
            ext.Add(TlsExtensions.RenegotiationInfo(peer.RenegotiationInfo12(serverHello: true)));
        }

        if (options.ExtendedMasterSecret ?? ch.Extensions.Contains(ExtensionType.ExtendedMasterSecret))
        {
            ext.Add(TlsExtensions.ExtendedMasterSecret());
        }

        if (options.EncryptThenMac ?? (ch.Extensions.Contains(ExtensionType.EncryptThenMac) && !suite.IsAead))
        {
            ext.Add(TlsExtensions.EncryptThenMac());
        }

        if (ch.Extensions.Contains(ExtensionType.EcPointFormats) && suite.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe)
        {
            ext.Add(TlsExtensions.EcPointFormats());
        }

        if (options.Alpn is not null)
        {
            ext.Add(TlsExtensions.Alpn(options.Alpn));
        }

        if (ch.Extensions.Contains(ExtensionType.ServerName))
        {
            ext.Add(TlsExtensions.ServerNameAck());
        }

        HandshakeBuilder hello = TlsMessages.ServerHello12(suite.Suite, ext);
        hello.SetBytes("random", RandomBytes(peer.Entropy, 32));
        hello.SetBytes("legacy_session_id_echo", []);
        return hello;
    }

    private static HandshakeBuilder BuildServerKeyExchange(ScriptRun run, ServerFlightOptions options)
    {
        ScriptPeer peer = run.Peer;
        Tls12Agreement agreed = peer.Agreement12
            ?? throw new InvalidOperationException("no TLS 1.2 ServerHello (with a parsable ClientHello) has been sent: the randoms to sign are not known");
        ClientHello ch = run.RequirePeerHello();
        IReadOnlyList<NamedGroup> offered = SupportedGroupsOf(ch);
        SignatureScheme scheme = peer.Pki.SignatureScheme;
        HandshakeBuilder message;
        byte[] parameters;
        switch (peer.Kind12)
        {
            case KeyExchangeKind.Ecdhe:
            {
                NamedGroup group = options.Group
                    ?? (offered.Count == 0 ? NamedGroup.Secp256r1 : Tls12CurvePreference.Cast<NamedGroup?>().FirstOrDefault(g => offered.Contains(g!.Value)))
                    ?? throw new InvalidOperationException("the client offers no curve the kit uses (x25519, secp256r1, x448, secp384r1, secp521r1); name one with Group");
                IKeyExchange key = GenerateShare(group, peer.Entropy);
                byte[] point = key.PublicShare.ToArray();
                peer.SetServerKey12(key, group);
                parameters = new EcdheServerKeyExchange(group, point, scheme, []).EncodeParams();
                message = TlsMessages.ServerKeyExchangeEcdhe(group, point, scheme);
                break;
            }

            case KeyExchangeKind.Dhe:
            {
                NamedGroup group = options.Group
                    ?? offered.Cast<NamedGroup?>().FirstOrDefault(g => KeyExchangeGroups.Find(g!.Value)?.Algorithm is FiniteFieldKeyExchange)
                    ?? NamedGroup.Ffdhe2048;
                IKeyExchange key = GenerateShare(group, peer.Entropy);
                var ffdhe = key.Algorithm as FiniteFieldKeyExchange
                    ?? throw new InvalidOperationException($"{group} is not a finite-field group");
                byte[] ys = key.PublicShare.ToArray();
                peer.SetServerKey12(key, group);
                parameters = new DheServerKeyExchange(ffdhe.Prime, ffdhe.Generator, ys, scheme, []).EncodeParams();
                message = TlsMessages.ServerKeyExchangeDhe(scheme)
                    .SetBytes("dh_p", ffdhe.Prime)
                    .SetBytes("dh_g", ffdhe.Generator)
                    .SetBytes("dh_Ys", ys);
                break;
            }

            default:
                throw new InvalidOperationException("the negotiated suite has no ServerKeyExchange (RSA key transport)");
        }

        message.SetBytes("signature", peer.Pki.Sign(scheme, Tls12Common.ServerParamsContent(agreed, parameters), peer.Entropy));
        return message;
    }

    private static CipherSuiteInfo ChooseSuite12(ClientHello ch, TlsCipherSuite? wanted)
    {
        if (wanted is TlsCipherSuite w)
        {
            return CipherSuiteRegistry.Find(w) is { IsTls13: false } named
                ? named
                : throw new ArgumentException($"{w} is not a TLS 1.2 suite the engine implements", nameof(wanted));
        }

        foreach (TlsCipherSuite offered in ch.CipherSuites)
        {
            // The kit's keys (P-256, P-384, Ed25519) make ECDSA-class signatures (RFC 8422 section 2 includes EdDSA).
            if (CipherSuiteRegistry.Find(offered) is { IsTls13: false } info
                && info.KeyExchange.Algorithm == SuiteKeyExchange.Ecdhe
                && info.Authentication.Algorithm == AuthenticationAlgorithm.Ecdsa)
            {
                return info;
            }
        }

        throw new InvalidOperationException("the ClientHello offers no ECDHE-ECDSA suite the engine implements; name the suite with CipherSuite");
    }
}
