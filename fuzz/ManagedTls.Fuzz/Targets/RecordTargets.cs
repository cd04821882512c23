using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Fuzz.Targets;

/// <summary>Fuzz targets for the record layer.</summary>
public static class RecordTargets
{
    private static readonly byte[] Key16 = new byte[16];
    private static readonly byte[] Key32 = new byte[32];
    private static readonly byte[] Iv12 = new byte[12];

    /// <summary>
    /// Feeds bytes through the deframer, in chunk sizes taken from the input, into the handshake reassembler
    /// and record protection. The first byte picks the read state and the protection (plaintext, TLS 1.3
    /// AES-GCM, TLS 1.2 AES-GCM, TLS 1.2 CBC MAC-then-encrypt or encrypt-then-MAC); the second the chunk size.
    /// Only <see cref="TlsAlertException"/> may escape the record layer; it is the expected outcome for bad input.
    /// </summary>
    [FuzzTarget("record")]
    public static void Deframe(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            return;
        }

        int mode = data[0] % 5;
        int chunk = 1 + data[1];
        data = data.Slice(2);
        var rules = mode switch
        {
            0 => RecordReadRules.Initial,
            1 => new RecordReadRules(RecordReadState.Tls13Protected, RecordVersionCheck.Exact),
            _ => new RecordReadRules(RecordReadState.Tls12Protected, RecordVersionCheck.Exact),
        };

        try
        {
            using RecordProtection protection = mode switch
            {
                0 => new PlaintextRecordProtection(),
                1 => new Tls13RecordProtection(AeadAlgorithm.Aes128Gcm, Key16, Iv12),
                2 => new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, Key16, Iv12.AsSpan(0, 4)),
                3 => new Tls12CbcRecordProtection(Key16, HashAlgorithm.Sha256, Key32, false, new ZeroEntropy()),
                _ => new Tls12CbcRecordProtection(Key16, HashAlgorithm.Sha1, Key32.AsSpan(0, 20), true, new ZeroEntropy()),
            };
            using var deframer = new RecordDeframer(rules);
            using var reassembler = new HandshakeReassembler(maxMessageSize: 1 << 16);
            while (!data.IsEmpty)
            {
                int taken = deframer.Write(data.Slice(0, Math.Min(chunk, data.Length)));
                data = data.Slice(taken);
                while (deframer.TryRead(out TlsRecord record))
                {
                    bool plaintextCcs = mode == 1 && record.Type == ContentType.ChangeCipherSpec;
                    Span<byte> content = record.Fragment;
                    ContentType type = plaintextCcs
                        ? record.Type
                        : protection.Open(record.Type, record.LegacyVersion, record.Fragment, out content);
                    reassembler.CheckInterleaving(type);
                    if (type == ContentType.Handshake)
                    {
                        reassembler.AddFragment(content);
                        while (reassembler.TryReadMessage(out HandshakeMessage message))
                        {
                            _ = message.Type;
                            _ = message.Body.Length;
                        }
                    }
                }
            }
        }
        catch (TlsAlertException)
        {
            // The record layer refused the input with an alert, as it should.
        }
    }

    private sealed class ZeroEntropy : IEntropySource
    {
        public void GetBytes(Span<byte> destination) => destination.Clear();
    }
}
