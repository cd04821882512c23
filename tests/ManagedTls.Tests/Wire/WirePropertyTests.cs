using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Wire;

/// <summary>Codec round trips for every message and extension, and hostile input into every decoder.</summary>
public class WirePropertyTests
{
    public static TheoryData<string> MessageKinds()
    {
        var d = new TheoryData<string>();
        foreach (string k in WireGenerators.Messages.Keys)
        {
            d.Add(k);
        }

        return d;
    }

    public static TheoryData<int> ExtensionContexts()
    {
        var d = new TheoryData<int>();
        foreach (ExtensionContext c in Enum.GetValues<ExtensionContext>())
        {
            d.Add((int)c);
        }

        return d;
    }

    private static void Check<T>(Gen<T> gen, int cases, Action<T> property)
        => FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(cases), Prop.ForAll(Arb.From(gen), (T x) =>
        {
            property(x);
            return true;
        }));

    [Theory]
    [MemberData(nameof(MessageKinds))]
    public void Message_decode_of_encode_is_identity(string kind)
        => Check(WireGenerators.Messages[kind], 200, x =>
        {
            byte[] bytes = x.Message.Encode();
            HandshakeMessage back = HandshakeMessage.Read(bytes, x.Context);
            WireEquality.AssertSame(x.Message, back);
            Assert.Equal(bytes, back.Encode());
        });

    [Theory]
    [MemberData(nameof(ExtensionContexts))]
    public void Extension_block_decode_of_encode_is_identity(int context)
        => Check(WireGenerators.Block((ExtensionContext)context), 200, block =>
        {
            byte[] bytes = block.Encode();
            var r = new TlsReader(bytes);
            ExtensionBlock back = ExtensionBlock.Read(ref r, (ExtensionContext)context, "extensions");
            r.ExpectEnd("extensions");
            WireEquality.AssertSame(block, back);
        });

    private static readonly Gen<byte[]> AnyBytes = WireGenerators.Bytes(0, 300);

    [Property(MaxTest = 300)]
    public void Arbitrary_bytes_into_every_decoder_raise_only_alerts(byte selector, byte[] data)
    {
        byte[] input = [selector, .. data ?? []];
        foreach (WireFuzzTarget target in WireFuzzTargets.All.Values)
        {
            Run(target, input);
        }
    }

    [Fact]
    public void Longer_random_bytes_into_every_decoder_raise_only_alerts()
        => Check(AnyBytes, 300, data =>
        {
            foreach (WireFuzzTarget target in WireFuzzTargets.All.Values)
            {
                Run(target, data);
            }
        });

    [Property(MaxTest = 500)]
    public void Mutated_real_messages_raise_only_alerts(int vectorIndex, int position, byte value, bool truncate)
    {
        var v = WireVectors.All[(int)((uint)vectorIndex % (uint)WireVectors.All.Length)];
        byte[] msg = CryptoUtil.FromHex(v.Hex);
        int p = (int)((uint)position % (uint)msg.Length);
        if (truncate)
        {
            msg = msg.AsSpan(0, p).ToArray();
        }
        else
        {
            msg[p] = value;
        }

        WireContext ctx = WireVectorTests.ContextOf(v.Context);
        try
        {
            HandshakeMessage m = HandshakeMessage.Read(msg, ctx);
            Assert.Equal(msg, m.Encode());
        }
        catch (TlsAlertException)
        {
        }
    }

    private static void Run(WireFuzzTarget target, byte[] input)
    {
        try
        {
            target(input);
        }
        catch (TlsAlertException)
        {
        }
    }
}
