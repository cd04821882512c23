using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ManagedTls.Testing;

namespace ManagedTls.Tests.TestingKit;

/// <summary>
/// The kit's arbitraries against the engine's parsers: every valid generated message and extension parses and
/// re-encodes to the same bytes; every near-valid mutation either parses or raises only <see cref="TlsAlertException"/>.
/// </summary>
public class KitProperties
{
    /// <summary>The replayed FsCheck seed: the same cases on every run.</summary>
    private const string ReplaySeed = "(1234567891234567891,98765432198765431)";

    [Property(Arbitrary = [typeof(TlsArbitraries)], MaxTest = 400, Replay = ReplaySeed)]
    public void ValidMessagesParseAndReencodeIdentically(GeneratedMessage generated)
    {
        byte[] encoded = generated.Message.Encode();
        Assert.Equal(Convert.ToHexString(encoded), Convert.ToHexString(WireCheck.Reencode(generated.Form, encoded)));
    }

    [Property(Arbitrary = [typeof(TlsArbitraries)], MaxTest = 400, Replay = ReplaySeed)]
    public void ValidExtensionsParseAndReencodeIdentically(GeneratedExtension generated)
    {
        byte[] encoded = generated.Extension.Encode();
        Assert.Equal(Convert.ToHexString(encoded), Convert.ToHexString(WireCheck.ReencodeExtension(generated.Place, encoded)));
    }

    [Property(Arbitrary = [typeof(TlsArbitraries)], MaxTest = 1500, Replay = ReplaySeed)]
    public void MutatedMessagesParseOrRaiseOnlyAlerts(MutatedMessage mutated) =>
        ParsesOrRaisesAnAlert(() => WireCheck.Reencode(mutated.Form, mutated.Bytes));

    [Property(Arbitrary = [typeof(TlsArbitraries)], MaxTest = 1500, Replay = ReplaySeed)]
    public void MutatedExtensionsParseOrRaiseOnlyAlerts(MutatedExtension mutated) =>
        ParsesOrRaisesAnAlert(() => WireCheck.ReencodeExtension(mutated.Place, mutated.Bytes));

    [Fact]
    public void EveryFormIsGeneratedAndEveryMutationKindApplies()
    {
        foreach (MessageForm form in TlsForms.AllMessages)
        {
            HandshakeBuilder sample = TlsGen.Message(form).Sample(1, 1)[0];
            Assert.Equal(Convert.ToHexString(sample.Encode()), Convert.ToHexString(WireCheck.Reencode(form, sample.Encode())));
        }

        foreach (ExtensionForm form in TlsForms.AllExtensions)
        {
            ExtensionBuilder sample = TlsGen.Extension(form).Sample(1, 1)[0];
            Assert.Equal(Convert.ToHexString(sample.Encode()), Convert.ToHexString(WireCheck.ReencodeExtension(TlsForms.PlaceOf(form), sample.Encode())));
        }

        HandshakeBuilder hello = TlsMessages.ClientHello();
        foreach (MutationKind kind in Enum.GetValues<MutationKind>())
        {
            (byte[] bytes, string mutation) = TlsMutations.Mutate(hello, kind).Sample(1, 1)[0];
            Assert.NotEqual(hello.Encode(), bytes);
            Assert.False(string.IsNullOrEmpty(mutation));
        }
    }

    [Fact]
    public void MutationDescriptionsArePathsThatFindTheNode()
    {
        HandshakeBuilder hello = TlsMessages.ClientHello();
        for (int i = 0; i < 20; i++)
        {
            (byte[] bytes, string mutation) = TlsMutations.Mutate(hello, MutationKind.LengthPlusOne).Sample(10, 1)[0];
            string path = mutation.Split('"')[1];
            Assert.Equal(bytes, hello.Clone().AdjustLength(path, 1).Encode());
        }
    }

    private static void ParsesOrRaisesAnAlert(Action parse)
    {
        try
        {
            parse();
        }
        catch (TlsAlertException)
        {
        }
    }
}
