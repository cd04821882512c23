using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Record;

/// <summary>FsCheck generators of plaintext fragments for <see cref="RecordCompressionProperties"/>.</summary>
public static class CompressionArbitraries
{
    /// <summary>One fragment: text, noise, a run of one byte, or empty, of a length anywhere from 0 to 2^14.</summary>
    public static Arbitrary<byte[]> Fragments() => Arb.From(
        from kind in Gen.Choose(0, 3)
        from length in Gen.Frequency((3, Gen.Choose(0, 300)), (2, Gen.Choose(0, RecordLimits.MaxPlaintext)), (1, Gen.Choose(RecordLimits.MaxPlaintext - 16, RecordLimits.MaxPlaintext)))
        from seed in Gen.Choose(0, 1000)
        select kind switch
        {
            0 => RecordCompressionTests.Text(length, seed),
            1 => RecordCompressionTests.Noise(length, seed),
            2 => Enumerable.Repeat((byte)seed, length).ToArray(),
            _ => [],
        });
}

/// <summary>
/// Any sequence of fragments, compressible or not, of any length up to 2^14, round-trips through one stream with
/// every record decompressed on arrival; arbitrary bytes end in an alert, never another exception.
/// </summary>
public class RecordCompressionProperties
{

    [Property(MaxTest = 60, Arbitrary = [typeof(CompressionArbitraries)])]
    public bool Arbitrary_sequences_of_fragments_round_trip(byte[][] fragments)
    {
        using var sender = RecordCompression.Create(CompressionMethod.Deflate);
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] record = new byte[sender.MaxCompressedLength(RecordLimits.MaxPlaintext)];
        byte[] plaintext = new byte[RecordLimits.MaxPlaintext];
        foreach (byte[] fragment in fragments)
        {
            int n = sender.Compress(fragment, record);
            if (n > RecordLimits.MaxCompressed || !record.AsSpan(0, n).EndsWith(DeflateRecordCompression.SyncFlushMarker))
            {
                return false;
            }

            int m = receiver.Decompress(record.AsSpan(0, n), plaintext);
            if (!plaintext.AsSpan(0, m).SequenceEqual(fragment))
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 200)]
    public bool Arbitrary_bytes_never_escape_as_anything_but_an_alert(byte[] garbage, bool withHeader)
    {
        using var receiver = RecordCompression.Create(CompressionMethod.Deflate);
        byte[] input = withHeader ? [0x78, 0x9C, .. garbage] : garbage;
        try
        {
            int n = receiver.Decompress(input, new byte[RecordLimits.MaxPlaintext]);
            return n <= RecordLimits.MaxPlaintext;
        }
        catch (TlsAlertException e)
        {
            return e.Description is AlertDescription.DecompressionFailure or AlertDescription.RecordOverflow;
        }
    }
}
