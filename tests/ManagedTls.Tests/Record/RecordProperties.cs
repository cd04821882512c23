using System.Buffers;
using FsCheck.Xunit;
using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Record;

public class RecordProperties
{
    private static readonly ContentType[] Types = [ContentType.Handshake, ContentType.Alert, ContentType.ApplicationData];

    /// <summary>A matching sealer and opener for one of the eleven kinds of record protection.</summary>
    private static (RecordProtection Sealer, RecordProtection Opener) Pair(int kind)
    {
        kind = Math.Abs(kind % 11);
        byte[] key16 = Enumerable.Range(kind, 16).Select(i => (byte)i).ToArray();
        byte[] key32 = Enumerable.Range(kind, 32).Select(i => (byte)i).ToArray();
        byte[] iv12 = Enumerable.Range(90, 12).Select(i => (byte)i).ToArray();
        var entropy = new FixedEntropy([9, 8, 7]);
        RecordProtection Make() => kind switch
        {
            0 => new Tls13RecordProtection(AeadAlgorithm.Aes128Gcm, key16, iv12),
            1 => new Tls13RecordProtection(AeadAlgorithm.Aes256Gcm, key32, iv12),
            2 => new Tls13RecordProtection(AeadAlgorithm.ChaCha20Poly1305, key32, iv12),
            3 => new Tls13RecordProtection(AeadAlgorithm.Aes128Ccm, key16, iv12),
            4 => new Tls13RecordProtection(AeadAlgorithm.Aes128Ccm8, key16, iv12),
            5 => new Tls12AeadRecordProtection(AeadAlgorithm.Aes128Gcm, key16, iv12.AsSpan(0, 4)),
            6 => new Tls12AeadRecordProtection(AeadAlgorithm.ChaCha20Poly1305, key32, iv12),
            7 => new Tls12CbcRecordProtection(key16, HashAlgorithm.Sha1, key32.AsSpan(0, 20), false, entropy),
            8 => new Tls12CbcRecordProtection(key16, HashAlgorithm.Sha256, key32, false, entropy),
            9 => new Tls12CbcRecordProtection(key32, HashAlgorithm.Sha384, [.. key32, .. key16], false, entropy),
            _ => new Tls12CbcRecordProtection(key16, HashAlgorithm.Sha256, key32, true, entropy),
        };
        return (Make(), Make());
    }

    private static byte[] Content(int seed, int length)
    {
        byte[] b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Property(MaxTest = 200)]
    public bool Seal_then_open_returns_the_content(int kind, int typeIndex, int seed, byte records)
    {
        var (sealer, opener) = Pair(kind);
        using (sealer)
        using (opener)
        {
            ContentType type = Types[Math.Abs(typeIndex % 3)];
            // FsCheck keeps generated integers small; draw the length from the seed to cover 0 .. 2^14.
            int length = new Random(seed).Next(4) == 0 ? RecordLimits.MaxPlaintext - new Random(seed + 1).Next(64) : new Random(seed + 2).Next(RecordLimits.MaxPlaintext + 1);
            if (length == 0 && type != ContentType.ApplicationData)
            {
                length = 1;
            }

            // Several records in a row so that sequence numbers advance in step.
            for (int r = 0; r <= records % 4; r++)
            {
                byte[] content = Content(seed + r, length);
                byte[] buffer = new byte[sealer.MaxRecordLength(length)];
                int n = sealer.Seal(type, content, buffer);
                RecordHeader.TryRead(buffer, out RecordHeader h);
                if (h.Length != n - 5 || n > 5 + RecordLimits.MaxTls12Ciphertext)
                {
                    return false;
                }

                ContentType got = opener.Open(h.Type, h.LegacyVersion, buffer.AsSpan(5, h.Length), out Span<byte> plain);
                if (got != type || !plain.SequenceEqual(content))
                {
                    return false;
                }
            }

            return sealer.SequenceNumber == opener.SequenceNumber;
        }
    }

    [Property(MaxTest = 300)]
    public void Any_single_bit_flip_is_bad_record_mac(int kind, int seed, int bit)
    {
        var (sealer, opener) = Pair(kind);
        using (sealer)
        using (opener)
        {
            byte[] content = Content(seed, new Random(seed).Next(2000));
            byte[] buffer = new byte[sealer.MaxRecordLength(content.Length)];
            int n = sealer.Seal(ContentType.ApplicationData, content, buffer);

            // Flip one bit of the fragment or of legacy_record_version (part of the authenticated data).
            int positions = (n - 5 + 2) * 8;
            int p = (int)((uint)(bit ^ (seed * 7919)) % (uint)positions);
            int index = p / 8 < 2 ? 1 + (p / 8) : 5 + (p / 8) - 2;
            buffer[index] ^= (byte)(1 << (p % 8));
            RecordHeader.TryRead(buffer, out RecordHeader h);
            var e = Assert.Throws<TlsAlertException>(() => opener.Open(h.Type, h.LegacyVersion, buffer.AsSpan(5, n - 5), out _));
            Assert.Equal(AlertDescription.BadRecordMac, e.Description);
        }
    }

    [Property(MaxTest = 100)]
    public bool Any_split_of_a_stream_yields_the_same_messages(int seed, byte messageCount)
    {
        var random = new Random(seed);
        int count = 1 + (messageCount % 12);
        var messages = new List<byte[]>();
        using var writer = new RecordWriter { MaxFragmentLength = random.Next(2) == 0 ? RecordLimits.MaxPlaintext : 1 + random.Next(RecordLimits.MaxPlaintext) };
        for (int i = 0; i < count; i++)
        {
            int body = random.Next(4) == 0 ? random.Next(20000) : random.Next(300);
            byte[] m = HandshakeFramingTests.Message((HandshakeType)random.Next(1, 25), body, (byte)i);
            messages.Add(m);
            writer.QueueHandshake(m);
        }

        var stream = new ArrayBufferWriter<byte>();
        using var plain = new PlaintextRecordProtection();
        writer.FlushHandshake(plain, stream);

        using var deframer = new RecordDeframer(RecordReadRules.Initial);
        using var reassembler = new HandshakeReassembler(maxMessageSize: 0xFFFFFF);
        var seen = new List<byte[]>();
        ReadOnlySpan<byte> rest = stream.WrittenSpan;
        while (!rest.IsEmpty)
        {
            int chunk = Math.Min(rest.Length, 1 + random.Next(random.Next(2) == 0 ? 10 : 40000));
            int taken = deframer.Write(rest.Slice(0, chunk));
            rest = rest.Slice(taken);
            while (deframer.TryRead(out TlsRecord record))
            {
                reassembler.AddFragment(record.Fragment);
                while (reassembler.TryReadMessage(out HandshakeMessage m))
                {
                    seen.Add(m.Encoded.ToArray());
                }
            }
        }

        return !deframer.HasPartialRecord && reassembler.IsEmpty
            && seen.Count == messages.Count && seen.Zip(messages).All(p => p.First.AsSpan().SequenceEqual(p.Second));
    }

    [Property(MaxTest = 300)]
    public void Mutated_streams_only_raise_alerts(int kind, int seed, byte mutations)
    {
        // A valid stream of records, then random byte changes, truncation and chunking: the record layer may
        // refuse it only with an alert.
        var random = new Random(seed);
        var (sealer, opener) = Pair(kind);
        using (sealer)
        using (opener)
        {
            var stream = new ArrayBufferWriter<byte>();
            using var writer = new RecordWriter { MaxFragmentLength = 1 + random.Next(3000) };
            writer.QueueHandshake(HandshakeFramingTests.Message(HandshakeType.Certificate, random.Next(5000)));
            writer.QueueHandshake(HandshakeFramingTests.Message(HandshakeType.Finished, 32));
            writer.FlushHandshake(sealer, stream);
            writer.Write(ContentType.ApplicationData, Content(seed, random.Next(4000)), sealer, stream);
            byte[] bytes = stream.WrittenSpan.ToArray();
            for (int i = 0; i < mutations % 8; i++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            bytes = bytes.AsSpan(0, random.Next(bytes.Length + 1)).ToArray();
            var rules = sealer.Version == ProtocolVersion.Tls13
                ? new RecordReadRules(RecordReadState.Tls13Protected, RecordVersionCheck.Exact)
                : new RecordReadRules(RecordReadState.Tls12Protected, RecordVersionCheck.Exact);
            try
            {
                using var deframer = new RecordDeframer(rules);
                using var reassembler = new HandshakeReassembler();
                ReadOnlySpan<byte> rest = bytes;
                while (!rest.IsEmpty)
                {
                    rest = rest.Slice(deframer.Write(rest.Slice(0, Math.Min(rest.Length, 1 + random.Next(5000)))));
                    while (deframer.TryRead(out TlsRecord record))
                    {
                        ContentType type = opener.Open(record.Type, record.LegacyVersion, record.Fragment, out Span<byte> content);
                        reassembler.CheckInterleaving(type);
                        if (type == ContentType.Handshake)
                        {
                            reassembler.AddFragment(content);
                            while (reassembler.TryReadMessage(out _))
                            {
                            }
                        }
                    }
                }
            }
            catch (TlsAlertException)
            {
                // Refused with an alert: the only acceptable failure.
            }
        }
    }
}
