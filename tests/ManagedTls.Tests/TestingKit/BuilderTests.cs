using ManagedTls.Testing;
using ManagedTls.Wire;

namespace ManagedTls.Tests.TestingKit;

public class BuilderTests
{
    public static TheoryData<MessageForm> MessageForms() => [.. TlsForms.AllMessages];

    public static TheoryData<ExtensionForm> ExtensionForms() => [.. TlsForms.AllExtensions];

    [Theory]
    [MemberData(nameof(MessageForms))]
    public void EveryDefaultMessageParsesInTheEngineAndReencodesIdentically(MessageForm form)
    {
        byte[] encoded = TlsForms.Message(form).Encode();
        Assert.Equal(Convert.ToHexString(encoded), Convert.ToHexString(WireCheck.Reencode(form, encoded)));
    }

    [Theory]
    [MemberData(nameof(ExtensionForms))]
    public void EveryDefaultExtensionParsesInItsPlaceAndReencodesIdentically(ExtensionForm form)
    {
        byte[] encoded = TlsForms.Extension(form).Encode();
        Assert.Equal(Convert.ToHexString(encoded), Convert.ToHexString(WireCheck.ReencodeExtension(TlsForms.PlaceOf(form), encoded)));
    }

    [Fact]
    public void EveryExtensionTheEngineNamesHasAFactory()
    {
        var covered = TlsForms.AllExtensions.Select(f => TlsForms.Extension(f).Type).ToHashSet();
        foreach (ExtensionType t in Enum.GetValues<ExtensionType>())
        {
            Assert.Contains(t, covered);
        }
    }

    [Fact]
    public void TheDefaultClientHelloCarriesTheUsualExtensions()
    {
        HandshakeBuilder hello = TlsMessages.ClientHello();
        Assert.Equal(
            ["server_name", "supported_groups", "signature_algorithms", "supported_versions", "psk_key_exchange_modes", "key_share"],
            ((ContainerNode)hello.Get("extensions")).Children.Select(c => c.Name));
        Assert.Equal(HandshakeType.ClientHello, hello.Type);
    }

    [Fact]
    public void SetChangesOneIntegerField()
    {
        byte[] valid = TlsMessages.ClientHello().Encode();
        byte[] broken = TlsMessages.ClientHello().Set("legacy_version", 0x0300).Encode();
        Assert.Equal(valid.Length, broken.Length);
        Assert.Equal([0x03, 0x00], broken[4..6]);
        Assert.Equal(valid[6..], broken[6..]);
    }

    [Fact]
    public void SetLengthOverridesOnlyThePrefix()
    {
        HandshakeBuilder hello = TlsMessages.ClientHello();
        (int offset, _) = hello.Locate("cipher_suites");
        byte[] broken = hello.Clone().SetLength("cipher_suites", 3).Encode();
        byte[] valid = hello.Encode();
        Assert.Equal([0x00, 0x03], broken[offset..(offset + 2)]);
        Assert.Equal([0x00, 0x06], valid[offset..(offset + 2)]);
        Assert.Equal(valid.Length, broken.Length);
        var e = Assert.Throws<TlsAlertException>(() => WireCheck.Reencode(MessageForm.ClientHello, broken));
        Assert.Equal(AlertDescription.DecodeError, e.Description);
    }

    [Fact]
    public void AdjustAndResetLength()
    {
        ExtensionBuilder sni = TlsExtensions.ServerName("a.b");
        Assert.Equal("000000080006000003612e62", Convert.ToHexString(sni.Encode()).ToLowerInvariant());
        Assert.Equal("000000080005000003612e62", Convert.ToHexString(sni.AdjustLength("server_name_list", -1).Encode()).ToLowerInvariant());
        Assert.Equal("000000080006000003612e62", Convert.ToHexString(sni.ResetLength("server_name_list").Encode()).ToLowerInvariant());
        Assert.Equal("0000ffff0006000003612e62", Convert.ToHexString(sni.SetLength("extension_data", 0xFFFF).Encode()).ToLowerInvariant());
    }

    [Fact]
    public void TheHandshakeHeaderIsOverridable()
    {
        HandshakeBuilder done = TlsMessages.ServerHelloDone();
        Assert.Equal("0e000000", Hex(done.Encode()));
        Assert.Equal("63000000", Hex(done.Clone().Set("msg_type", 99).Encode()));
        Assert.Equal("0e000005", Hex(done.Clone().SetLength("body", 5).Encode()));
        HandshakeBuilder retyped = done.Clone();
        retyped.Type = HandshakeType.Finished;
        Assert.Equal("14000000", Hex(retyped.Encode()));
    }

    [Fact]
    public void SetBytesReplacesVectorContentRawFieldsAndIntegers()
    {
        HandshakeBuilder hello = TlsMessages.ClientHello();
        byte[] compression = hello.Clone().SetBytes("legacy_compression_methods", [0x00, 0x01]).Encode();
        int at = hello.Locate("legacy_compression_methods").Offset;
        Assert.Equal([0x02, 0x00, 0x01], compression[at..(at + 3)]);

        byte[] threeByteVersion = hello.Clone().SetBytes("legacy_version", [3, 3, 3]).Encode();
        Assert.Equal(hello.EncodedLength + 1, threeByteVersion.Length);
        Assert.Equal([3, 3, 3], threeByteVersion[4..7]);

        byte[] random = hello.Clone().SetBytes("random", new byte[31]).Encode();
        Assert.Equal(hello.EncodedLength - 1, random.Length);
    }

    [Fact]
    public void RemoveDuplicateMoveAndInsertWorkOnExtensions()
    {
        HandshakeBuilder hello = TlsMessages.ClientHello();
        string[] Names(HandshakeBuilder h) => [.. ((ContainerNode)h.Get("extensions")).Children.Select(c => c.Name)];

        Assert.DoesNotContain("server_name", Names(hello.Clone().Remove("extensions.server_name")));
        Assert.Equal(2, Names(hello.Clone().Duplicate("extensions.key_share")).Count(n => n == "key_share"));
        Assert.Equal("server_name", Names(hello.Clone().Move("extensions.server_name", -1))[^1]);
        Assert.Equal("key_share", Names(hello.Clone().Move("extensions.key_share", 0))[0]);
        Assert.Equal("padding", Names(hello.Clone().Append("extensions", TlsExtensions.Padding(4)))[^1]);
        Assert.Equal("padding", Names(hello.Clone().Prepend("extensions", TlsExtensions.Padding(4)))[0]);
        Assert.Equal("cookie", Names(hello.Clone().InsertBefore("extensions.key_share", TlsExtensions.Cookie()))[^2]);
        Assert.Equal("cookie", Names(hello.Clone().InsertAfter("extensions.server_name", TlsExtensions.Cookie()))[1]);
        Assert.Equal("early_data", Names(hello.Clone().Replace("extensions[0]", TlsExtensions.EarlyData()))[0]);

        // The engine refuses each broken form with the alert RFC 8446 asks for.
        Assert.Equal(AlertDescription.IllegalParameter, Refusal(hello.Clone().Duplicate("extensions.key_share")));
        Assert.Equal(AlertDescription.IllegalParameter, Refusal(hello.Clone().Append("extensions", TlsExtensions.PreSharedKey()).Move("extensions.pre_shared_key", 0)));
        Assert.Equal(AlertDescription.IllegalParameter, Refusal(hello.Clone().Append("extensions", TlsExtensions.KeyShareServer())));
    }

    [Fact]
    public void PathsReachNestedFieldsByNameIndexAndInlineNodes()
    {
        HandshakeBuilder hello = TlsMessages.ClientHello();
        Assert.Same(hello.Get("body.extensions"), hello.Get("extensions"));
        Assert.Equal((ulong)TlsCipherSuite.TLS_AES_128_GCM_SHA256, hello.GetInt("cipher_suites[0]"));
        Assert.Equal((ulong)TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, hello.GetInt("cipher_suites[-1]"));
        Assert.Equal((ulong)NamedGroup.X25519, hello.GetInt("extensions.key_share.client_shares[0].group"));
        Assert.Equal((ulong)NamedGroup.X25519, hello.GetInt("extensions.key_share.extension_data.client_shares[0].group"));
        Assert.Equal((ulong)ExtensionType.ServerName, hello.GetInt("extensions[0].extension_type"));
        Assert.Equal("localhost"u8.ToArray(), hello.GetBytes("extensions.server_name.server_name_list[0].host_name"));
        Assert.Equal(32, hello.GetBytes("extensions.key_share.client_shares[0].key_exchange").Length);
        Assert.True(hello.Has("extensions.supported_versions.versions[0]"));
        Assert.False(hello.Has("extensions.cookie"));
        Assert.Throws<ArgumentException>(() => hello.Get("extensions.nothing"));
        Assert.Throws<ArgumentException>(() => hello.Get("cipher_suites[9]"));
        Assert.Throws<ArgumentException>(() => hello.Get("cipher_suites[x]"));
        Assert.Throws<ArgumentException>(() => hello.Set("random", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => hello.Set("legacy_version", 0x10000));
        Assert.Throws<ArgumentException>(() => hello.Remove(""));
    }

    [Fact]
    public void CloneIsDeep()
    {
        HandshakeBuilder original = TlsMessages.ClientHello();
        byte[] before = original.Encode();
        HandshakeBuilder copy = original.Clone();
        copy.Set("extensions.key_share.client_shares[0].group", 23).Remove("extensions.server_name").SetLength("cipher_suites", 1);
        Assert.Equal(before, original.Encode());
        Assert.NotEqual(before, copy.Encode());
        Assert.IsType<ExtensionBuilder>(((ContainerNode)copy.Get("extensions")).Children[0]);
    }

    [Fact]
    public void RecordsAreBuiltAndBroken()
    {
        Assert.Equal("1503030002022f", Hex(TlsRecords.Alert(AlertDescription.IllegalParameter).Encode()));
        Assert.Equal("1503030002012f", Hex(TlsRecords.Alert(AlertDescription.IllegalParameter).Set("level", 1).Encode()));
        Assert.Equal("1503030002010a", Hex(TlsRecords.Alert(AlertDescription.CloseNotify).Set("description", 10).Encode()));
        Assert.Equal("140303000101", Hex(TlsRecords.ChangeCipherSpec().Encode()));
        Assert.Equal("14030300ff01", Hex(TlsRecords.ChangeCipherSpec().SetLength("fragment", 0xff).Encode()));
        Assert.Equal("170301000161", Hex(TlsRecords.ApplicationData("a"u8.ToArray()).Set("legacy_record_version", 0x0301).Encode()));
        RecordBuilder handshake = TlsRecords.Handshake(TlsMessages.ServerHelloDone(), TlsMessages.HelloRequest());
        Assert.Equal("16030300080e00000000000000", Hex(handshake.Encode()));
        Assert.Equal((ulong)HandshakeType.HelloRequest, handshake.GetInt("fragment[1].msg_type"));
    }

    [Fact]
    public void DumpListsNamesSizesAndOverrides()
    {
        string dump = TlsExtensions.ServerName("x").SetLength("server_name_list", 9).Dump();
        Assert.Contains("server_name_list <2-byte length = 9 (overridden)>", dump);
        Assert.Contains("name_type uint8 = 0x00", dump);
        Assert.Contains("data opaque[1] = 78", dump);
    }

    private static AlertDescription Refusal(HandshakeBuilder message) =>
        Assert.Throws<TlsAlertException>(() => WireCheck.Reencode(MessageForm.ClientHello, message.Encode())).Description;

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
