using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Wire;

/// <summary>Malformed and misplaced input ends in the alert the RFCs name.</summary>
public class WireStrictnessTests
{
    private static byte[] Hex(string h) => CryptoUtil.FromHex(h.Replace(" ", "", StringComparison.Ordinal));

    private static TlsAlertException ReadBlock(string hex, ExtensionContext ctx)
        => Assert.Throws<TlsAlertException>(() =>
        {
            byte[] b = Hex(hex);
            var r = new TlsReader(b);
            ExtensionBlock.Read(ref r, ctx, "extensions");
            r.ExpectEnd("extensions");
        });

    private static ExtensionBlock Block(string hex, ExtensionContext ctx)
    {
        byte[] b = Hex(hex);
        var r = new TlsReader(b);
        ExtensionBlock block = ExtensionBlock.Read(ref r, ctx, "extensions");
        r.ExpectEnd("extensions");
        return block;
    }

    private static byte[] MinimalClientHello(string extensionsHex, string suites = "0002 1301")
        => Hex("0303" + new string('1', 64) + "00" + suites + "0100" + extensionsHex);

    [Fact]
    public void Duplicate_extension_is_illegal_parameter()
    {
        var ex = ReadBlock("0008 0017 0000 0017 0000", ExtensionContext.ClientHello);
        Assert.Equal(AlertDescription.IllegalParameter, ex.Description);
        Assert.Contains("duplicate", ex.Message);
    }

    [Fact]
    public void Extension_in_the_wrong_tls13_message_is_illegal_parameter()
    {
        // key_share in EncryptedExtensions, psk_key_exchange_modes in a CertificateRequest, cookie in ServerHello.
        Assert.Equal(AlertDescription.IllegalParameter, ReadBlock("0006 0033 0002 001d", ExtensionContext.EncryptedExtensions).Description);
        Assert.Equal(AlertDescription.IllegalParameter, ReadBlock("0006 002d 0002 0101", ExtensionContext.CertificateRequest).Description);
        Assert.Equal(AlertDescription.IllegalParameter, ReadBlock("0007 002c 0003 0001 aa", ExtensionContext.ServerHello).Description);
        Assert.Equal(AlertDescription.IllegalParameter, ReadBlock("0004 0017 0000", ExtensionContext.EncryptedExtensions).Description);
    }

    [Fact]
    public void Tls13_only_extension_in_a_tls12_ServerHello_is_unsupported_extension()
    {
        // ServerHello without supported_versions (TLS 1.2) carrying a pre_shared_key.
        byte[] sh = Hex("0303" + new string('2', 64) + "00 c02f 00 0006 0029 0002 0000");
        var ex = Assert.Throws<TlsAlertException>(() => ServerHello.Read(sh));
        Assert.Equal(AlertDescription.UnsupportedExtension, ex.Description);
    }

    [Fact]
    public void Unknown_extensions_are_kept_in_order_in_any_message()
    {
        ExtensionBlock b = Block("000e 0a0a 0000 fe00 0002 abcd 0017 0000", ExtensionContext.ClientHello);
        Assert.Equal([(ExtensionType)0x0a0a, (ExtensionType)0xfe00, ExtensionType.ExtendedMasterSecret], b.Select(e => e.Type));
        Assert.Equal(Hex("abcd"), Assert.IsType<UnknownExtension>(b[1]).Data);
        Assert.Equal(Hex("000e 0a0a 0000 fe00 0002 abcd 0017 0000"), b.Encode());
        Assert.Single(Block("0004 fe00 0000", ExtensionContext.EncryptedExtensions));
    }

    [Fact]
    public void Pre_shared_key_must_be_last_in_ClientHello()
    {
        string psk = "0029 002f 000a 0004 01020304 00000001 0021 20" + new string('a', 64);
        string ems = "0017 0000";
        var ex = Assert.Throws<TlsAlertException>(() => ClientHello.Read(MinimalClientHello("0037" + psk + ems)));
        Assert.Equal(AlertDescription.IllegalParameter, ex.Description);
        Assert.Contains("last", ex.Message);
        ClientHello ok = ClientHello.Read(MinimalClientHello("0037" + ems + psk));
        Assert.Equal(35, ok.BindersLength);
    }

    [Fact]
    public void Psk_identities_and_binders_must_pair_up()
    {
        string psk = "0029 0050 000a 0004 01020304 00000001 0042 20" + new string('a', 64) + "20" + new string('b', 64);
        Assert.Equal(AlertDescription.IllegalParameter, ReadBlock("0054" + psk, ExtensionContext.ClientHello).Description);
    }

    [Theory]
    [InlineData("0003 1301 01", "cipher_suites")] // odd-length cipher_suites
    [InlineData("0000", "cipher_suites")]         // empty cipher_suites
    public void Bad_cipher_suites_are_decode_errors(string suites, string field)
    {
        byte[] ch = Hex("0303" + new string('1', 64) + "00" + suites + "0100");
        var ex = Assert.Throws<TlsAlertException>(() => ClientHello.Read(ch));
        Assert.Equal(AlertDescription.DecodeError, ex.Description);
        Assert.Contains(field, ex.Message);
    }

    [Theory]
    [InlineData("0006 000a 0002 0000", "supported_groups")]           // empty named_group_list
    [InlineData("0007 000a 0003 0001 00", "supported_groups")]         // odd list
    [InlineData("000a 0010 0006 0003 02 6832 00", "alpn")]            // trailing byte inside the extension
    [InlineData("0008 0010 0004 0002 00 00", "alpn")]                 // empty protocol name
    [InlineData("0006 000d 0002 0000", "signature_algorithms")]       // empty list
    [InlineData("0005 000b 0001 00", "ec_point_formats")]             // empty formats
    [InlineData("0005 0017 0001 00", "ExtendedMasterSecret")]         // must be empty
    [InlineData("0006 0000 0002 0000", "server_name")]                // empty server_name_list
    [InlineData("0004 0000 0004", "extension_data")]                  // extension longer than the block
    [InlineData("0005 002b 0001 02", "supported_versions")]           // one-byte versions
    public void Malformed_extensions_are_decode_errors(string block, string field)
    {
        var ex = ReadBlock(block, ExtensionContext.ClientHello);
        Assert.Equal(AlertDescription.DecodeError, ex.Description);
        Assert.Contains(field, ex.Message);
    }

    [Theory]
    [InlineData("0006 001c 0002 003f", (int)ExtensionContext.ClientHello)]           // record_size_limit 63
    [InlineData("0005 0001 0001 05", (int)ExtensionContext.ClientHello)]             // max_fragment_length 5
    [InlineData("0005 0015 0001 01", (int)ExtensionContext.ClientHello)]             // non-zero padding
    [InlineData("0010 0033 000c 000a 001d 0001 aa 001d 0001 bb", (int)ExtensionContext.ClientHello)] // two shares, one group
    [InlineData("000c 0010 0008 0006 02 6832 02 6833", (int)ExtensionContext.EncryptedExtensions)] // server picks two ALPN
    [InlineData("000e 0000 000a 0008 00 0001 61 00 0001 62", (int)ExtensionContext.ClientHello)] // two host_names
    public void Illegal_values_are_illegal_parameter(string block, int context)
        => Assert.Equal(AlertDescription.IllegalParameter, ReadBlock(block, (ExtensionContext)context).Description);

    [Fact]
    public void Extension_forms_follow_the_message()
    {
        // key_share: list in CH, entry in SH, group in HRR.
        Assert.Empty(Assert.IsType<KeyShareClientHello>(Block("0006 0033 0002 0000", ExtensionContext.ClientHello)[0]).Shares);
        Assert.IsType<KeyShareServerHello>(Block("0009 0033 0005 001d 0001 aa", ExtensionContext.ServerHello)[0]);
        Assert.Equal(NamedGroup.Secp384r1, Assert.IsType<KeyShareHelloRetryRequest>(Block("0006 0033 0002 0018", ExtensionContext.HelloRetryRequest)[0]).SelectedGroup);
        // supported_versions: list in CH, selected in SH.
        Assert.IsType<SupportedVersionsClientHello>(Block("0007 002b 0003 02 0304", ExtensionContext.ClientHello)[0]);
        Assert.IsType<SupportedVersionsServerHello>(Block("0006 002b 0002 0304", ExtensionContext.ServerHello)[0]);
        // early_data: empty in CH/EE, max size in NST.
        Assert.Equal(1024u, Assert.IsType<EarlyDataExtension>(Block("0008 002a 0004 00000400", ExtensionContext.NewSessionTicket)[0]).MaxEarlyDataSize);
        Assert.Equal(AlertDescription.DecodeError, ReadBlock("0008 002a 0004 00000400", ExtensionContext.EncryptedExtensions).Description);
        // status_request: request in CH, empty in CR, OCSP response in a certificate entry.
        var req = Assert.IsType<StatusRequestExtension>(Block("0009 0005 0005 01 0000 0000", ExtensionContext.ClientHello)[0]);
        Assert.Equal(StatusRequestForm.Request, req.Form);
        Assert.Equal(StatusRequestForm.Empty, Assert.IsType<StatusRequestExtension>(Block("0004 0005 0000", ExtensionContext.CertificateRequest)[0]).Form);
        var resp = Assert.IsType<StatusRequestExtension>(Block("000b 0005 0007 01 000003 300100", ExtensionContext.Certificate)[0]);
        Assert.Equal(Hex("300100"), resp.OcspResponse);
        // certificate_authorities.
        var ca = Assert.IsType<CertificateAuthoritiesExtension>(Block("000b 002f 0007 0005 0003 300100", ExtensionContext.CertificateRequest)[0]);
        Assert.Equal(Hex("300100"), Assert.Single(ca.Authorities));
    }

    [Fact]
    public void Message_level_errors()
    {
        Assert.Equal(AlertDescription.IllegalParameter, Assert.Throws<TlsAlertException>(() => KeyUpdate.Read([2])).Description);
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => KeyUpdate.Read([0, 0])).Description);
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => ServerHelloDone.Read([0])).Description);
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => Finished.Read(new byte[31], 32)).Description);
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => Finished.Read([])).Description);
        Assert.Equal(AlertDescription.MissingExtension, Assert.Throws<TlsAlertException>(() => CertificateRequest13.Read(Hex("00 0004 fe00 0000"))).Description);
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => CertificateMessage.Read(Hex("00 000004 000000 0000"), true)).Description);
        Assert.Equal(AlertDescription.IllegalParameter, Assert.Throws<TlsAlertException>(() => ServerKeyExchange.Read(Hex("01 0017 01 04 0403 0000"), KeyExchangeKind.Ecdhe)).Description);
        Assert.Equal(AlertDescription.UnexpectedMessage, Assert.Throws<TlsAlertException>(() => ServerKeyExchange.Read([], KeyExchangeKind.Rsa)).Description);
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => CertificateStatus.Read(Hex("02 000001 00"))).Description);
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => NewSessionTicket13.Read(Hex("00000001 00000002 00 0000 0000"))).Description);
    }

    [Theory]
    [InlineData(HandshakeType.ServerKeyExchange, true)]
    [InlineData(HandshakeType.ServerHelloDone, true)]
    [InlineData(HandshakeType.HelloRequest, true)]
    [InlineData(HandshakeType.EncryptedExtensions, false)]
    [InlineData(HandshakeType.KeyUpdate, false)]
    [InlineData(HandshakeType.EndOfEarlyData, false)]
    [InlineData(HandshakeType.MessageHash, true)]
    [InlineData((HandshakeType)99, false)]
    public void Message_type_not_in_the_version_is_unexpected_message(HandshakeType type, bool tls13)
    {
        var ctx = tls13 ? WireContext.Tls13 : WireContext.Tls12(KeyExchangeKind.Ecdhe);
        Assert.Equal(AlertDescription.UnexpectedMessage, Assert.Throws<TlsAlertException>(() => HandshakeMessage.ReadBody(type, [], ctx)).Description);
    }

    [Fact]
    public void Framing_finds_whole_messages_and_bounds_length()
    {
        byte[] buf = Hex("14 000003 aabbcc 0e");
        Assert.True(HandshakeFraming.TryReadMessage(buf, 1 << 16, out HandshakeType t, out int total));
        Assert.Equal(HandshakeType.Finished, t);
        Assert.Equal(7, total);
        Assert.False(HandshakeFraming.TryReadMessage(buf.AsSpan(0, 6), 1 << 16, out _, out _));
        Assert.False(HandshakeFraming.TryReadMessage(buf.AsSpan(0, 3), 1 << 16, out _, out _));
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => HandshakeFraming.TryReadMessage(Hex("01 ffffff"), 1 << 16, out _, out _)).Description);
        Assert.Equal(Hex("fe 000002 0102"), HandshakeFraming.MessageHash([1, 2]));
        Assert.Equal(AlertDescription.DecodeError, Assert.Throws<TlsAlertException>(() => HandshakeMessage.Read(Hex("14 000001 aa bb"), WireContext.Tls13)).Description);
    }

    [Fact]
    public void Tls12_ClientHello_without_extensions_round_trips()
    {
        byte[] ch = Hex("0303" + new string('1', 64) + "00 0002 c02f 0100");
        ClientHello m = ClientHello.Read(ch);
        Assert.False(m.HasExtensionBlock);
        Assert.Equal(ch, m.EncodeBody());
    }

    [Fact]
    public void Downgrade_marker_is_recognised()
    {
        byte[] random = new byte[32];
        ServerHello.SetDowngradeMarker(random, ProtocolVersion.Tls12);
        Assert.Equal("444f574e47524401", CryptoUtil.ToHex(random.AsSpan(24)));
        var sh = new ServerHello(ProtocolVersion.Tls12, random, [], TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 0, new ExtensionBlock());
        Assert.Equal(ProtocolVersion.Tls12, sh.DowngradeMarker);
        ServerHello.SetDowngradeMarker(random, ProtocolVersion.Tls11);
        Assert.Equal(ProtocolVersion.Tls11, new ServerHello(ProtocolVersion.Tls12, random, [], 0, 0, new ExtensionBlock()).DowngradeMarker);
        Assert.Null(new ServerHello(ProtocolVersion.Tls12, new byte[32], [], 0, 0, new ExtensionBlock()).DowngradeMarker);
    }

    [Fact]
    public void HelloRetryRequest_random_is_recognised_and_writable()
    {
        var hrr = new ServerHello(ProtocolVersion.Tls12, ServerHello.HelloRetryRequestRandom, [], TlsCipherSuite.TLS_AES_128_GCM_SHA256, 0,
            new ExtensionBlock().Add(new SupportedVersionsServerHello(ProtocolVersion.Tls13)).Add(new KeyShareHelloRetryRequest(NamedGroup.Secp256r1)));
        ServerHello back = ServerHello.Read(hrr.EncodeBody());
        Assert.True(back.IsHelloRetryRequest);
        Assert.Equal(NamedGroup.Secp256r1, back.Extensions.Get<KeyShareHelloRetryRequest>()!.SelectedGroup);
    }
}
