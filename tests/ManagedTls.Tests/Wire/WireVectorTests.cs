using System.Text;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Wire;

/// <summary>Real handshake messages (RFC 8448 traces, local openssl captures): parse, check fields, re-encode to the same bytes.</summary>
public class WireVectorTests
{
    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var v in WireVectors.All)
        {
            d.Add(v.Name);
        }

        return d;
    }

    internal static WireContext ContextOf(string context) => context switch
    {
        "tls13" => WireContext.Tls13,
        "tls12-ecdhe" => WireContext.Tls12(KeyExchangeKind.Ecdhe),
        "tls12-dhe" => WireContext.Tls12(KeyExchangeKind.Dhe),
        "tls12-rsa" => WireContext.Tls12(KeyExchangeKind.Rsa),
        _ => throw new ArgumentException(context),
    };

    private static HandshakeMessage Parse(string name, out byte[] bytes)
    {
        var v = WireVectors.All.Single(x => x.Name == name);
        bytes = CryptoUtil.FromHex(v.Hex);
        return HandshakeMessage.Read(bytes, ContextOf(v.Context));
    }

    private static T Parse<T>(string name)
        where T : HandshakeMessage
        => Assert.IsType<T>(Parse(name, out _));

    [Theory]
    [MemberData(nameof(Names))]
    public void Vector_parses_and_reencodes_to_the_same_bytes(string name)
    {
        HandshakeMessage m = Parse(name, out byte[] bytes);
        Assert.Equal((HandshakeType)bytes[0], m.Type);
        string expectedClass = name.Split('-').Last().TrimEnd('2', '3');
        string actual = m.GetType().Name;
        Assert.StartsWith(expectedClass == "Certificate" ? "CertificateMessage" : expectedClass, actual == "EcdheServerKeyExchange" || actual == "DheServerKeyExchange" ? "ServerKeyExchange" : actual);
        Assert.Equal(CryptoUtil.ToHex(bytes), CryptoUtil.ToHex(m.Encode()));
    }

    [Fact]
    public void Rfc8448_ClientHello_fields()
    {
        ClientHello ch = Parse<ClientHello>("rfc8448-s3-client-ClientHello");
        Assert.Equal(ProtocolVersion.Tls12, ch.LegacyVersion);
        Assert.Equal("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7", CryptoUtil.ToHex(ch.Random));
        Assert.Empty(ch.SessionId);
        Assert.Equal([TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384], ch.CipherSuites);
        Assert.Equal([0], ch.CompressionMethods);
        Assert.Equal("server", ch.Extensions.Get<ServerNameExtension>()!.HostName);
        Assert.Equal(
            [NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.Secp384r1, NamedGroup.Secp521r1, NamedGroup.Ffdhe2048, NamedGroup.Ffdhe3072, NamedGroup.Ffdhe4096, NamedGroup.Ffdhe6144, NamedGroup.Ffdhe8192],
            ch.Extensions.Get<SupportedGroupsExtension>()!.Groups);
        KeyShareEntry share = Assert.Single(ch.Extensions.Get<KeyShareClientHello>()!.Shares);
        Assert.Equal(NamedGroup.X25519, share.Group);
        Assert.Equal("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c", CryptoUtil.ToHex(share.KeyExchange));
        Assert.Equal([ProtocolVersion.Tls13], ch.Extensions.Get<SupportedVersionsClientHello>()!.Versions);
        Assert.Equal(15, ch.Extensions.Get<SignatureAlgorithmsExtension>()!.Schemes.Count);
        Assert.Equal([1], ch.Extensions.Get<PskKeyExchangeModesExtension>()!.Modes);
        Assert.Equal(0x4001, ch.Extensions.Get<RecordSizeLimitExtension>()!.Limit);
        Assert.Empty(ch.Extensions.Get<RenegotiationInfoExtension>()!.RenegotiatedConnection);
        Assert.Empty(ch.Extensions.Get<SessionTicketExtension>()!.Ticket);
        Assert.Equal(0, ch.BindersLength);
        Assert.Equal(
            [ExtensionType.ServerName, ExtensionType.RenegotiationInfo, ExtensionType.SupportedGroups, ExtensionType.SessionTicket, ExtensionType.KeyShare, ExtensionType.SupportedVersions, ExtensionType.SignatureAlgorithms, ExtensionType.PskKeyExchangeModes, ExtensionType.RecordSizeLimit],
            ch.Extensions.Select(e => e.Type));
    }

    [Fact]
    public void Rfc8448_resumption_ClientHello_has_psk_last_with_binder()
    {
        ClientHello ch = Parse<ClientHello>("rfc8448-s4-client-ClientHello");
        Assert.Equal(ExtensionType.PreSharedKey, ch.Extensions[^1].Type);
        var psk = ch.Extensions.Get<PreSharedKeyClientHello>()!;
        Assert.Single(psk.Identities);
        Assert.Equal(0xfad6aacbu, psk.Identities[0].ObfuscatedTicketAge);
        Assert.Equal(32, Assert.Single(psk.Binders).Length);
        Assert.Equal(2 + 1 + 32, ch.BindersLength);
        Assert.NotNull(ch.Extensions.Get<EarlyDataExtension>());
        Assert.Null(ch.Extensions.Get<EarlyDataExtension>()!.MaxEarlyDataSize);
    }

    [Fact]
    public void Rfc8448_ServerHello_and_HelloRetryRequest()
    {
        ServerHello sh = Parse<ServerHello>("rfc8448-s3-server-ServerHello");
        Assert.False(sh.IsHelloRetryRequest);
        Assert.Equal(ProtocolVersion.Tls13, sh.SelectedVersion);
        Assert.Equal(TlsCipherSuite.TLS_AES_128_GCM_SHA256, sh.CipherSuite);
        Assert.Equal(NamedGroup.X25519, sh.Extensions.Get<KeyShareServerHello>()!.Share.Group);

        ServerHello hrr = Parse<ServerHello>("rfc8448-s5-server-ServerHello");
        Assert.True(hrr.IsHelloRetryRequest);
        Assert.Equal(NamedGroup.Secp256r1, hrr.Extensions.Get<KeyShareHelloRetryRequest>()!.SelectedGroup);
        Assert.Equal(0x72, hrr.Extensions.Get<CookieExtension>()!.Cookie.Length);
        Assert.Equal(ProtocolVersion.Tls13, hrr.SelectedVersion);

        ServerHello resumed = Parse<ServerHello>("rfc8448-s4-server-ServerHello");
        Assert.Equal(0, resumed.Extensions.Get<PreSharedKeyServerHello>()!.SelectedIdentity);
    }

    [Fact]
    public void Rfc8448_EncryptedExtensions_Certificate_CertificateVerify_Finished()
    {
        EncryptedExtensions ee = Parse<EncryptedExtensions>("rfc8448-s3-server-EncryptedExtensions");
        Assert.Null(ee.Extensions.Get<ServerNameExtension>()!.HostNameBytes);
        Assert.Equal(NamedGroup.X25519, ee.Extensions.Get<SupportedGroupsExtension>()!.Groups[0]);

        CertificateMessage cert = Parse<CertificateMessage>("rfc8448-s3-server-Certificate");
        Assert.True(cert.IsTls13);
        Assert.Empty(cert.RequestContext!);
        CertificateEntry entry = Assert.Single(cert.Entries);
        Assert.Equal(0x1b0, entry.Data.Length);
        Assert.Equal(0x30, entry.Data[0]);
        Assert.Empty(entry.Extensions);

        CertificateVerify cv = Parse<CertificateVerify>("rfc8448-s3-server-CertificateVerify");
        Assert.Equal(SignatureScheme.RsaPssRsaeSha256, cv.Algorithm);
        Assert.Equal(128, cv.Signature.Length);

        Finished fin = Parse<Finished>("rfc8448-s3-server-Finished");
        Assert.Equal("9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718", CryptoUtil.ToHex(fin.VerifyData));

        Assert.IsType<EndOfEarlyData>(Parse("rfc8448-s4-client-EndOfEarlyData", out _));
    }

    [Fact]
    public void Rfc8448_NewSessionTicket_and_CertificateRequest()
    {
        NewSessionTicket13 nst = Parse<NewSessionTicket13>("rfc8448-s3-server-NewSessionTicket");
        Assert.Equal(30u, nst.Lifetime);
        Assert.Equal(0xfad6aac5u, nst.AgeAdd);
        Assert.Equal([0, 0], nst.Nonce);
        Assert.Equal(0xb2, nst.Ticket.Length);
        Assert.Equal(0x400u, nst.MaxEarlyDataSize);

        CertificateRequest13 cr = Parse<CertificateRequest13>("rfc8448-s6-server-CertificateRequest");
        Assert.Empty(cr.Context);
        Assert.NotNull(cr.Extensions.Get<SignatureAlgorithmsExtension>());
    }

    [Fact]
    public void Openssl_ClientHello_from_s_client()
    {
        ClientHello ch = Parse<ClientHello>("openssl-t13-client-ClientHello");
        Assert.Equal(32, ch.SessionId.Length);
        Assert.Equal("localhost", ch.Extensions.Get<ServerNameExtension>()!.HostName);
        Assert.Contains(ProtocolVersion.Tls13, ch.Extensions.Get<SupportedVersionsClientHello>()!.Versions);
        Assert.Contains(TlsCipherSuite.TLS_AES_256_GCM_SHA384, ch.CipherSuites);
        Assert.NotEmpty(ch.Extensions.Get<KeyShareClientHello>()!.Shares);
    }

    [Fact]
    public void Openssl_tls12_key_exchanges()
    {
        var ecdhe = Parse<EcdheServerKeyExchange>("openssl-t12ecdhe-server-ServerKeyExchange");
        Assert.Equal(NamedGroup.X25519, ecdhe.Group);
        Assert.Equal(32, ecdhe.PublicPoint.Length);
        Assert.Equal(ecdhe.EncodeBody().AsSpan(0, 4 + 32).ToArray(), ecdhe.EncodeParams());

        var dhe = Parse<DheServerKeyExchange>("openssl-t12dhe-server-ServerKeyExchange");
        Assert.True(dhe.P.Length >= 256);
        Assert.Equal([2], dhe.G);

        Assert.Equal(KeyExchangeKind.Ecdhe, Parse<ClientKeyExchange>("openssl-t12ecdhe-client-ClientKeyExchange").Kind);
        Assert.True(Parse<ClientKeyExchange>("openssl-t12dhe-client-ClientKeyExchange").ExchangeKeys.Length >= 256);
        Assert.Equal(256, Parse<ClientKeyExchange>("openssl-t12rsa-client-ClientKeyExchange").ExchangeKeys.Length);

        ServerHello sh = Parse<ServerHello>("openssl-t12ecdhe-server-ServerHello");
        Assert.Equal(ProtocolVersion.Tls12, sh.SelectedVersion);
        Assert.NotNull(sh.Extensions.Get<RenegotiationInfoExtension>());

        CertificateMessage cert = Parse<CertificateMessage>("openssl-t12ecdhe-server-Certificate");
        Assert.False(cert.IsTls13);
        Assert.Single(cert.Entries);

        var cr = Parse<CertificateRequest12>("openssl-t12cr-server-CertificateRequest");
        Assert.Contains((byte)64, cr.CertificateTypes);
        Assert.NotEmpty(cr.SignatureAlgorithms);
        Assert.Single(cr.Authorities);

        Assert.Equal(12, Parse<Finished>("openssl-t12ecdhe-client-Finished").VerifyData.Length);
        Assert.IsType<NewSessionTicket12>(Parse("openssl-t12ecdhe-server-NewSessionTicket", out _));
        Assert.IsType<ServerHelloDone>(Parse("openssl-t12ecdhe-server-ServerHelloDone", out _));
    }

    [Fact]
    public void Openssl_ocsp_stapling_in_both_versions()
    {
        var ch = Parse<ClientHello>("openssl-t12ocsp-client-ClientHello");
        var req = ch.Extensions.Get<StatusRequestExtension>()!;
        Assert.Equal(StatusRequestForm.Request, req.Form);
        Assert.Equal(1, req.StatusType);
        Assert.Equal(StatusRequestForm.Empty, Parse<ServerHello>("openssl-t12ocsp-server-ServerHello").Extensions.Get<StatusRequestExtension>()!.Form);
        CertificateStatus status = Parse<CertificateStatus>("openssl-t12ocsp-server-CertificateStatus");
        Assert.Equal(0x30, status.OcspResponse[0]);

        CertificateMessage cert = Parse<CertificateMessage>("openssl-t13ocsp-server-Certificate");
        var stapled = cert.Entries[0].Extensions.Get<StatusRequestExtension>()!;
        Assert.Equal(StatusRequestForm.Response, stapled.Form);
        Assert.Equal(status.OcspResponse, stapled.OcspResponse);
    }

    [Fact]
    public void Building_a_ClientHello_matches_rfc8448_bytes()
    {
        ClientHello original = Parse<ClientHello>("rfc8448-s3-client-ClientHello");
        var built = new ClientHello(
            ProtocolVersion.Tls12,
            original.Random,
            [],
            [TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384],
            [0],
            new ExtensionBlock()
                .Add(new ServerNameExtension("server"))
                .Add(new RenegotiationInfoExtension([]))
                .Add(new SupportedGroupsExtension([NamedGroup.X25519, NamedGroup.Secp256r1, NamedGroup.Secp384r1, NamedGroup.Secp521r1, NamedGroup.Ffdhe2048, NamedGroup.Ffdhe3072, NamedGroup.Ffdhe4096, NamedGroup.Ffdhe6144, NamedGroup.Ffdhe8192]))
                .Add(new SessionTicketExtension([]))
                .Add(new KeyShareClientHello([new KeyShareEntry(NamedGroup.X25519, CryptoUtil.FromHex("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"))]))
                .Add(new SupportedVersionsClientHello([ProtocolVersion.Tls13]))
                .Add(new SignatureAlgorithmsExtension(original.Extensions.Get<SignatureAlgorithmsExtension>()!.Schemes))
                .Add(new PskKeyExchangeModesExtension([1]))
                .Add(new RecordSizeLimitExtension(0x4001)));
        Assert.Equal(CryptoUtil.ToHex(original.Encode()), CryptoUtil.ToHex(built.Encode()));
        Assert.Equal("server", Encoding.ASCII.GetString(built.Extensions.Get<ServerNameExtension>()!.HostNameBytes!));
    }
}
