using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Testing;

/// <summary>The high-level steps: messages whose content the kit computes (keys, binders, signatures, Finished).</summary>
public sealed partial class TlsScript
{
    private static readonly NamedGroup[] ServerGroupPreference =
    [
        NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.X448, NamedGroup.Secp384r1, NamedGroup.Secp521r1,
        NamedGroup.Ffdhe2048, NamedGroup.Ffdhe3072, NamedGroup.Ffdhe4096, NamedGroup.Ffdhe6144, NamedGroup.Ffdhe8192, NamedGroup.X25519MLKEM768,
    ];

    /// <summary>
    /// Client: a complete TLS 1.3 handshake as a real client: <see cref="ClientHello"/>, the server's flight
    /// (<see cref="ExpectServerFlight"/>), <see cref="ClientFinished"/>.
    /// Server: <see cref="Expect(HandshakeType, Func{ReceivedMessage, bool}?, string?)"/> ClientHello,
    /// <see cref="ServerFlight"/>, then the client's Finished.
    /// </summary>
    /// <returns>This script.</returns>
    public TlsScript Handshake() => IsClient
        ? ClientHello().ExpectServerFlight().ClientFinished()
        : Expect(HandshakeType.ClientHello).ServerFlight().Expect(HandshakeType.Finished, m => m.Verified == true, "verified");

    /// <summary>
    /// Client: a TLS 1.3 ClientHello with real key shares (the private keys are kept to derive the handshake
    /// secrets). After a HelloRetryRequest it is the second ClientHello: same random and session id, a share for the
    /// requested group, the cookie echoed, and a change_cipher_spec first in compatibility mode. With
    /// <see cref="ClientHelloOptions.Resume"/> it offers the ticket as a PSK with a real binder.
    /// </summary>
    /// <param name="options">How to build it; null for the defaults.</param>
    /// <returns>This script.</returns>
    public TlsScript ClientHello(ClientHelloOptions? options = null)
    {
        RequireRole(client: true, nameof(ClientHello));
        options ??= new ClientHelloOptions();
        return Add("ClientHello", run => run.Channel.QueueHandshake(BuildClientHello(run, options).Encode(), SendOptions.Default));
    }

    /// <summary>
    /// Client: expects the server's flight: ServerHello, EncryptedExtensions, then (unless a PSK was accepted) an optional
    /// CertificateRequest, Certificate and CertificateVerify, and a Finished that verifies.
    /// </summary>
    /// <returns>This script.</returns>
    public TlsScript ExpectServerFlight()
    {
        RequireRole(client: true, nameof(ExpectServerFlight));
        return Add("ExpectServerFlight", run =>
        {
            run.ExpectMessage(HandshakeType.ServerHello, m => !m.IsHelloRetryRequest, "ServerHello");
            run.ExpectMessage(HandshakeType.EncryptedExtensions, null, "EncryptedExtensions");
            if (!run.Peer.Resumed)
            {
                ReceivedMessage next = run.ExpectMessage(m => m.Type is HandshakeType.CertificateRequest or HandshakeType.Certificate, "CertificateRequest or Certificate");
                if (next.Type == HandshakeType.CertificateRequest)
                {
                    run.ExpectMessage(HandshakeType.Certificate, null, "Certificate");
                }

                run.ExpectMessage(HandshakeType.CertificateVerify, null, "CertificateVerify");
            }

            run.ExpectMessage(HandshakeType.Finished, m => m.Verified == true, "Finished that verifies");
        });
    }

    /// <summary>
    /// Client: answers a CertificateRequest: Certificate (the kit's chain, or empty) and, with a certificate, a
    /// CertificateVerify signed with the kit's key (change_cipher_spec first in compatibility mode). In TLS 1.2 only the
    /// Certificate: its CertificateVerify follows the ClientKeyExchange (<see cref="CertificateVerify"/>, or
    /// <see cref="ClientFlight12"/> for the whole flight).
    /// </summary>
    /// <param name="sendCertificate">False for an empty Certificate.</param>
    /// <param name="edit">Edits each message before it is sent (return null to leave it out).</param>
    /// <returns>This script.</returns>
    public TlsScript ClientCertificate(bool sendCertificate = true, Func<HandshakeBuilder, HandshakeBuilder?>? edit = null)
    {
        RequireRole(client: true, nameof(ClientCertificate));
        return Add("ClientCertificate", run =>
        {
            if (run.Peer.IsTls12)
            {
                run.SendEdited(TlsMessages.Certificate12(sendCertificate ? run.Peer.Pki.Chain : []), edit);
                return;
            }

            run.SendCompatibilityCcs(force: false);
            byte[] context = run.Peer.CertificateRequest?.Context ?? [];
            run.SendEdited(TlsMessages.Certificate(sendCertificate ? run.Peer.Pki.Chain : [], context), edit);
            if (sendCertificate)
            {
                run.SendEdited(BuildCertificateVerify(run), edit);
            }
        });
    }

    /// <summary>
    /// Client: the client's Finished, computed over the transcript (TLS 1.3: change_cipher_spec first in compatibility
    /// mode; TLS 1.2: from the master secret, and protected only after <see cref="SendChangeCipherSpec"/>).
    /// </summary>
    /// <param name="edit">Edits the message before it is sent (the verify_data is already computed).</param>
    /// <returns>This script.</returns>
    public TlsScript ClientFinished(Action<HandshakeBuilder>? edit = null)
    {
        RequireRole(client: true, nameof(ClientFinished));
        return Add("ClientFinished", run =>
        {
            run.SendCompatibilityCcs(force: false);
            HandshakeBuilder finished = BuildFinished(run);
            edit?.Invoke(finished);
            run.Channel.QueueHandshake(finished.Encode(), SendOptions.Default);
        });
    }

    /// <summary>
    /// Sends a Finished with the given verify_data (wrong on purpose, usually), in either role (a TLS 1.3 client sends
    /// change_cipher_spec first in compatibility mode; TLS 1.2 sends nothing else).
    /// </summary>
    /// <param name="verifyData">The verify_data.</param>
    /// <returns>This script.</returns>
    public TlsScript Finished(byte[] verifyData)
    {
        HandshakeBuilder message = TlsMessages.Finished(verifyData);
        return Add("Finished(given verify_data)", run =>
        {
            if (IsClient)
            {
                run.SendCompatibilityCcs(force: false);
            }

            run.Channel.QueueHandshake(message.Encode(), SendOptions.Default);
        });
    }

    /// <summary>
    /// Server: a HelloRetryRequest for the received ClientHello: the client's first TLS 1.3 suite, supported_versions,
    /// key_share naming <paramref name="group"/> (by default the first supported group the client sent no share for),
    /// and a cookie when given; change_cipher_spec after it in compatibility mode.
    /// </summary>
    /// <param name="group">The group to ask for; null to choose.</param>
    /// <param name="cookie">A cookie to include; null for none.</param>
    /// <param name="edit">Edits the message before it is sent.</param>
    /// <returns>This script.</returns>
    public TlsScript HelloRetryRequest(NamedGroup? group = null, byte[]? cookie = null, Action<HandshakeBuilder>? edit = null)
    {
        RequireRole(client: false, nameof(HelloRetryRequest));
        return Add("HelloRetryRequest", run =>
        {
            ClientHello ch = run.RequirePeerHello();
            CipherSuiteInfo suite = ChooseSuite(ch, null);
            NamedGroup selected = group
                ?? ServerGroupPreference.Where(g => SupportedGroupsOf(ch).Contains(g) && !SharesOf(ch).Any(s => s.Group == g)).Cast<NamedGroup?>().FirstOrDefault()
                ?? throw new InvalidOperationException("the client supports no group it has not already sent a share for; name the group to ask for");
            HandshakeBuilder hrr = TlsMessages.HelloRetryRequest(selected, suite.Suite, cookie, ch.SessionId);
            edit?.Invoke(hrr);
            run.Channel.QueueHandshake(hrr.Encode(), SendOptions.Default);
            if (ch.SessionId.Length > 0)
            {
                run.SendCompatibilityCcs(force: false);
            }
        });
    }

    /// <summary>
    /// Server: the whole first flight as a real server: ServerHello (real key share), change_cipher_spec in
    /// compatibility mode, then EncryptedExtensions, [CertificateRequest], Certificate (the kit's chain),
    /// CertificateVerify (signed) and Finished coalesced under the handshake keys.
    /// </summary>
    /// <param name="options">Choices and an edit hook; null for the defaults.</param>
    /// <returns>This script.</returns>
    public TlsScript ServerFlight(ServerFlightOptions? options = null)
    {
        RequireRole(client: false, nameof(ServerFlight));
        options ??= new ServerFlightOptions();
        return Add("ServerFlight", run =>
        {
            ClientHello ch = run.RequirePeerHello();
            SendOptions records = options.Records ?? SendOptions.Default;
            run.SendEdited(BuildServerHello(run, options), options.Edit, records);
            if (ch.SessionId.Length > 0 && !records.SingleRecord)
            {
                run.SendCompatibilityCcs(force: false);
            }

            run.SendEdited(BuildEncryptedExtensions(ch, options), options.Edit, records);
            if (options.RequestClientCertificate)
            {
                run.SendEdited(TlsMessages.CertificateRequest(), options.Edit, records);
            }

            run.SendEdited(TlsMessages.Certificate(run.Peer.Pki.Chain), options.Edit, records);
            run.SendEdited(BuildCertificateVerify(run), options.Edit, records);
            run.SendEdited(BuildFinished(run), options.Edit, records);
        });
    }

    /// <summary>Server: the ServerHello alone (real key share; the handshake keys are installed after it).</summary>
    /// <param name="options">Suite and group choices, and the edit hook; null for the defaults.</param>
    /// <returns>This script.</returns>
    public TlsScript ServerHello(ServerFlightOptions? options = null)
    {
        RequireRole(client: false, nameof(ServerHello));
        options ??= new ServerFlightOptions();
        return Add("ServerHello", run => run.SendEdited(BuildServerHello(run, options), options.Edit));
    }

    /// <summary>Server: EncryptedExtensions (ALPN when chosen, server_name acknowledged when the client sent one).</summary>
    /// <param name="options">The ALPN choice and edit hook; null for the defaults.</param>
    /// <returns>This script.</returns>
    public TlsScript EncryptedExtensions(ServerFlightOptions? options = null)
    {
        RequireRole(client: false, nameof(EncryptedExtensions));
        options ??= new ServerFlightOptions();
        return Add("EncryptedExtensions", run => run.SendEdited(BuildEncryptedExtensions(run.RequirePeerHello(), options), options.Edit));
    }

    /// <summary>Server (or an authenticating client): the kit's certificate chain (a TLS 1.2 Certificate once TLS 1.2 is negotiated).</summary>
    /// <param name="edit">Edits the message before it is sent.</param>
    /// <returns>This script.</returns>
    public TlsScript Certificate(Action<HandshakeBuilder>? edit = null) => Add("Certificate", run =>
    {
        HandshakeBuilder m = run.Peer.IsTls12
            ? TlsMessages.Certificate12(run.Peer.Pki.Chain)
            : TlsMessages.Certificate(run.Peer.Pki.Chain, IsClient ? run.Peer.CertificateRequest?.Context : null);
        edit?.Invoke(m);
        run.Channel.QueueHandshake(m.Encode(), SendOptions.Default);
    });

    /// <summary>
    /// A CertificateVerify signing the transcript so far with the kit's key: TLS 1.3, the hash with the server's or
    /// client's context string by role; TLS 1.2 (a client, after its ClientKeyExchange), the handshake messages themselves.
    /// </summary>
    /// <param name="edit">Edits the message before it is sent (the signature is already computed).</param>
    /// <returns>This script.</returns>
    public TlsScript CertificateVerify(Action<HandshakeBuilder>? edit = null) => Add("CertificateVerify", run =>
    {
        HandshakeBuilder m = BuildCertificateVerify(run);
        edit?.Invoke(m);
        run.Channel.QueueHandshake(m.Encode(), SendOptions.Default);
    });

    /// <summary>
    /// Server: the server's Finished over the transcript; TLS 1.3 application keys follow. In TLS 1.2 it is computed from
    /// the master secret and protected only after <see cref="SendChangeCipherSpec"/>.
    /// </summary>
    /// <param name="edit">Edits the message before it is sent (the verify_data is already computed).</param>
    /// <returns>This script.</returns>
    public TlsScript ServerFinished(Action<HandshakeBuilder>? edit = null)
    {
        RequireRole(client: false, nameof(ServerFinished));
        return Add("ServerFinished", run =>
        {
            HandshakeBuilder m = BuildFinished(run);
            edit?.Invoke(m);
            run.Channel.QueueHandshake(m.Encode(), SendOptions.Default);
        });
    }

    private void RequireRole(bool client, string step)
    {
        if (client != IsClient)
        {
            throw new InvalidOperationException($"{step} is a {(client ? "client" : "server")} step; this script plays the {(IsClient ? "client" : "server")}");
        }
    }

    private static HandshakeBuilder BuildClientHello(ScriptRun run, ClientHelloOptions options)
    {
        ScriptPeer peer = run.Peer;
        ServerHello? hrr = peer.RetryRequest;
        bool second = hrr is not null && peer.Phase == ScriptPhase.Hello && peer.ClientRandom.Length > 0;
        if (second)
        {
            run.SendCompatibilityCcs(force: false);
            NamedGroup? requested = hrr!.Extensions.Get<KeyShareHelloRetryRequest>()?.SelectedGroup;
            if (requested is NamedGroup g && !peer.KeyShares.ContainsKey(g))
            {
                foreach (IKeyExchange old in peer.KeyShares.Values)
                {
                    old.Dispose();
                }

                peer.KeyShares.Clear();
                peer.KeyShares[g] = GenerateShare(g, peer.Entropy);
            }
        }
        else
        {
            peer.ClientRandom = RandomBytes(peer.Entropy, 32);
            peer.SessionId = peer.Options.MiddleboxCompatibility ? RandomBytes(peer.Entropy, 32) : [];
            foreach (IKeyExchange old in peer.KeyShares.Values)
            {
                old.Dispose();
            }

            peer.KeyShares.Clear();
            foreach (NamedGroup g in options.KeyShareGroups)
            {
                peer.KeyShares[g] = GenerateShare(g, peer.Entropy);
            }
        }

        var ext = new List<ExtensionBuilder>();
        if (peer.Options.ServerName is { Length: > 0 } name)
        {
            ext.Add(TlsExtensions.ServerName(name));
        }

        ext.Add(TlsExtensions.SupportedGroups(
            (options.SupportedGroups ?? options.KeyShareGroups.Concat(TlsExtensions.DefaultGroups).Distinct().ToArray()).ToArray()));
        ext.Add(TlsExtensions.SignatureAlgorithms());
        if (options.Alpn.Count > 0)
        {
            ext.Add(TlsExtensions.Alpn([.. options.Alpn]));
        }

        ext.Add(TlsExtensions.SupportedVersions());
        if (second && hrr!.Extensions.Get<CookieExtension>() is { } cookie)
        {
            ext.Add(TlsExtensions.Cookie(cookie.Cookie));
        }

        ext.Add(TlsExtensions.KeyShareClient(peer.KeyShares.Select(p => (TlsNode)TlsExtensions.KeyShareEntry(p.Key, p.Value.PublicShare.ToArray())).ToArray()));
        ext.Add(TlsExtensions.PskKeyExchangeModes());
        if (options.PostHandshakeAuth)
        {
            ext.Add(TlsExtensions.PostHandshakeAuth());
        }

        TlsTicket? ticket = options.Resume;
        HashAlgorithm? pskHash = ticket is null ? null : Suites.Find(ticket.CipherSuite).PrfHash;
        if (ticket is not null)
        {
            ext.Add(TlsExtensions.PreSharedKey(ticket.Ticket, ticket.ObfuscatedAge(peer.Clock()), new byte[Hashes.OutputSize(pskHash!.Value)]));
        }

        peer.OfferedTicket = ticket;
        HandshakeBuilder hello = TlsMessages.ClientHello(ext, options.CipherSuites ?? TlsMessages.Tls13Suites, peer.ClientRandom, peer.SessionId);
        options.Edit?.Invoke(hello);
        if (ticket is not null && hello.TryGet("extensions.pre_shared_key.binders", out TlsNode? binders) && binders is VectorNode { Children.Count: > 0 })
        {
            byte[] encoded = hello.Encode();
            int offset = hello.Locate("extensions.pre_shared_key.binders").Offset;
            ReadOnlySpan<byte> truncated = encoded.AsSpan(0, offset);
            byte[] transcriptHash = peer.Transcript.IsAlgorithmKnown ? peer.Transcript.GetHashWith(truncated) : Hashes.Compute(pskHash!.Value, truncated);
            using Tls13EarlySecret early = Tls13EarlySecret.WithPsk(pskHash!.Value, ticket.PskSpan);
            hello.SetBytes("extensions.pre_shared_key.binders[0]", early.ComputeBinder(PskKind.Resumption, transcriptHash));
        }

        options.EditAfterBinders?.Invoke(hello);
        return hello;
    }

    private static HandshakeBuilder BuildServerHello(ScriptRun run, ServerFlightOptions options)
    {
        ScriptPeer peer = run.Peer;
        ClientHello ch = run.RequirePeerHello();
        CipherSuiteInfo suite = ChooseSuite(ch, options.CipherSuite is { } s ? s : peer.RetrySuite?.Suite);
        IReadOnlyList<KeyShareEntry> shares = SharesOf(ch);
        KeyShareEntry share = (options.Group is NamedGroup wanted
                ? shares.FirstOrDefault(e => e.Group == wanted)
                : ServerGroupPreference.Select(g => shares.FirstOrDefault(e => e.Group == g)).FirstOrDefault(e => e is not null))
            ?? throw new InvalidOperationException($"the ClientHello has no key share the kit can answer{(options.Group is null ? "" : $" for {options.Group}")}; send a HelloRetryRequest first");
        KeyExchangeGroup group = KeyExchangeGroups.Find(share.Group) ?? throw new InvalidOperationException($"{share.Group} is not implemented");
        KeyExchangeResponse response = group.Algorithm.Respond(share.KeyExchange, peer.Entropy);
        peer.PendingServerShare?.Response.Dispose();
        peer.PendingServerShare = (suite, share.Group, response);
        return TlsMessages.ServerHello(
            suite.Suite,
            [TlsExtensions.SupportedVersionsServer(), TlsExtensions.KeyShareServer(share.Group, response.Share)],
            RandomBytes(peer.Entropy, 32),
            ch.SessionId);
    }

    private static HandshakeBuilder BuildEncryptedExtensions(ClientHello ch, ServerFlightOptions options)
    {
        var ext = new List<ExtensionBuilder>();
        if (ch.Extensions.Contains(ExtensionType.ServerName))
        {
            ext.Add(TlsExtensions.ServerNameAck());
        }

        if (options.Alpn is not null)
        {
            ext.Add(TlsExtensions.Alpn(options.Alpn));
        }

        return TlsMessages.EncryptedExtensions([.. ext]);
    }

    private static HandshakeBuilder BuildCertificateVerify(ScriptRun run)
    {
        ScriptPeer peer = run.Peer;
        SignatureScheme scheme = peer.Pki.SignatureScheme;
        byte[] content = peer.IsTls12
            ? peer.Transcript.RetainedMessages.ToArray()
            : Tls13Common.CertificateVerifyContent(server: !peer.IsClient, run.RequireTranscriptHash());
        return TlsMessages.CertificateVerify(scheme, peer.Pki.Sign(scheme, content, peer.Entropy));
    }

    private static HandshakeBuilder BuildFinished(ScriptRun run)
    {
        if (run.Peer.IsTls12)
        {
            Tls12MasterSecret master = run.Peer.Master12
                ?? throw new InvalidOperationException("no TLS 1.2 master secret yet (no ClientKeyExchange the kit computed): a Finished cannot be computed (send one with Finished(verifyData))");
            return TlsMessages.Finished(master.ComputeFinished(run.Peer.IsClient, run.RequireTranscriptHash()));
        }

        Tls13TrafficSecret secret = run.Peer.OwnHandshakeTraffic
            ?? throw new InvalidOperationException("no handshake keys yet: a Finished cannot be computed (send one with Finished(verifyData))");
        return TlsMessages.Finished(secret.ComputeFinished(run.RequireTranscriptHash()));
    }

    private static CipherSuiteInfo ChooseSuite(ClientHello ch, TlsCipherSuite? wanted)
    {
        if (wanted is TlsCipherSuite w)
        {
            return Suites.Find(w);
        }

        foreach (TlsCipherSuite offered in ch.CipherSuites)
        {
            if (CipherSuiteRegistry.Find(offered) is { IsTls13: true } info)
            {
                return info;
            }
        }

        throw new InvalidOperationException("the ClientHello offers no TLS 1.3 suite the engine implements");
    }

    private static IReadOnlyList<KeyShareEntry> SharesOf(ClientHello ch) => ch.Extensions.Get<KeyShareClientHello>()?.Shares ?? [];

    private static IReadOnlyList<NamedGroup> SupportedGroupsOf(ClientHello ch) => ch.Extensions.Get<SupportedGroupsExtension>()?.Groups ?? [];

    private static IKeyExchange GenerateShare(NamedGroup group, IEntropySource entropy) =>
        (KeyExchangeGroups.Find(group) ?? throw new ArgumentException($"{group} is not a group the engine implements", nameof(group))).Algorithm.Generate(entropy);

    private static byte[] RandomBytes(IEntropySource entropy, int length)
    {
        byte[] b = new byte[length];
        entropy.GetBytes(b);
        return b;
    }
}
