using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;
using static ManagedTls.Tests.Record.Rfc8448Records;

namespace ManagedTls.Tests.Record;

public class Tls13RecordProtectionTests
{
    private static Tls13RecordProtection Protection(string key, string iv, ulong seq = 0)
    {
        var p = new Tls13RecordProtection(AeadAlgorithm.Aes128Gcm, CryptoUtil.FromHex(key), CryptoUtil.FromHex(iv));
        p.SequenceNumber = seq;
        return p;
    }

    public static TheoryData<string, string, string, string, ulong, ContentType, string> Rfc8448Section3()
    {
        return new()
        {
            { "server handshake", ServerHsKey, ServerHsIv, ServerHsPayload, 0, ContentType.Handshake, ServerHsRecord },
            { "client finished", ClientHsKey, ClientHsIv, ClientFinishedPayload, 0, ContentType.Handshake, ClientFinishedRecord },
            { "new session ticket", ServerApKey, ServerApIv, TicketPayload, 0, ContentType.Handshake, TicketRecord },
            { "client application data", ClientApKey, ClientApIv, ClientAppPayload, 0, ContentType.ApplicationData, ClientAppRecord },
            { "server application data", ServerApKey, ServerApIv, ServerAppPayload, 1, ContentType.ApplicationData, ServerAppRecord },
            { "client close_notify", ClientApKey, ClientApIv, ClientAlertPayload, 1, ContentType.Alert, ClientAlertRecord },
            { "server close_notify", ServerApKey, ServerApIv, ServerAlertPayload, 2, ContentType.Alert, ServerAlertRecord },
        };
    }

    [Theory]
    [MemberData(nameof(Rfc8448Section3))]
    public void Seal_reproduces_rfc8448_record(string name, string key, string iv, string payload, ulong seq, ContentType type, string record)
    {
        using var p = Protection(key, iv, seq);
        byte[] content = CryptoUtil.FromHex(payload);
        byte[] buffer = new byte[p.MaxRecordLength(content.Length)];
        int n = p.Seal(type, content, buffer);
        Assert.True(record == CryptoUtil.ToHex(buffer.AsSpan(0, n)), name);
        Assert.Equal(seq + 1, p.SequenceNumber);
    }

    [Theory]
    [MemberData(nameof(Rfc8448Section3))]
    public void Open_decrypts_rfc8448_record(string name, string key, string iv, string payload, ulong seq, ContentType type, string record)
    {
        using var p = Protection(key, iv, seq);
        byte[] wire = CryptoUtil.FromHex(record);
        Assert.True(RecordHeader.TryRead(wire, out RecordHeader header), name);
        ContentType got = p.Open(header.Type, header.LegacyVersion, wire.AsSpan(RecordLimits.HeaderSize, header.Length), out Span<byte> content);
        Assert.Equal(type, got);
        Assert.Equal(payload, CryptoUtil.ToHex(content));
    }

    [Fact]
    public void Seal_in_place_matches_rfc8448_server_handshake_record()
    {
        using var p = Protection(ServerHsKey, ServerHsIv);
        byte[] content = CryptoUtil.FromHex(ServerHsPayload);
        byte[] buffer = new byte[p.MaxRecordLength(content.Length)];
        content.CopyTo(buffer, p.ContentOffset);
        int n = p.Seal(ContentType.Handshake, buffer.AsSpan(p.ContentOffset, content.Length), buffer);
        Assert.Equal(ServerHsRecord, CryptoUtil.ToHex(buffer.AsSpan(0, n)));
    }

    [Fact]
    public void FromTrafficSecret_derives_rfc8448_server_handshake_keys()
    {
        // {server} derive write traffic keys for handshake data: PRK = server_handshake_traffic_secret.
        byte[] secret = CryptoUtil.FromHex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
        using var p = Tls13RecordProtection.FromTrafficSecret(AeadAlgorithm.Aes128Gcm, HashAlgorithm.Sha256, secret);
        byte[] content = CryptoUtil.FromHex(ServerHsPayload);
        byte[] buffer = new byte[p.MaxRecordLength(content.Length)];
        int n = p.Seal(ContentType.Handshake, content, buffer);
        Assert.Equal(ServerHsRecord, CryptoUtil.ToHex(buffer.AsSpan(0, n)));
    }
}
