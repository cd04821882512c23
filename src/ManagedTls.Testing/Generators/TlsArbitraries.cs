using FsCheck;
using FsCheck.Fluent;

namespace ManagedTls.Testing;

/// <summary>A near-valid message: the encoding of a valid message of <paramref name="Form"/> after one mutation.</summary>
/// <param name="Form">The form of the message it came from.</param>
/// <param name="Original">The valid message.</param>
/// <param name="Bytes">The mutated encoding.</param>
/// <param name="Mutation">What was changed, in path syntax.</param>
public sealed record MutatedMessage(MessageForm Form, HandshakeBuilder Original, byte[] Bytes, string Mutation)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Form}, {Mutation}: {Hex.Format(Bytes, 96)}";
}

/// <summary>A near-valid extension: the encoding of a valid extension after one mutation.</summary>
/// <param name="Form">The form it came from.</param>
/// <param name="Place">The message it belongs in.</param>
/// <param name="Original">The valid extension.</param>
/// <param name="Bytes">The mutated encoding.</param>
/// <param name="Mutation">What was changed.</param>
public sealed record MutatedExtension(ExtensionForm Form, ExtensionPlace Place, ExtensionBuilder Original, byte[] Bytes, string Mutation)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Form} in {Place}, {Mutation}: {Hex.Format(Bytes, 96)}";
}

/// <summary>
/// FsCheck 3 arbitraries for every message and extension, valid and near-valid. Register the class with a property
/// (<c>[Property(Arbitrary = [typeof(TlsArbitraries)])]</c>) or merge it (<c>ArbMap.Default.Merge&lt;TlsArbitraries&gt;()</c>)
/// and take <see cref="GeneratedMessage"/>, <see cref="MutatedMessage"/>, <see cref="GeneratedExtension"/> or
/// <see cref="MutatedExtension"/> parameters. For one form, use <c>Arb.From(TlsGen.Message(form))</c> or
/// <c>Arb.From(TlsGen.Extension(form))</c>.
/// </summary>
public static class TlsArbitraries
{
    /// <summary>Valid messages of every form.</summary>
    /// <returns>The arbitrary.</returns>
    public static Arbitrary<GeneratedMessage> ValidMessages() => Arb.From(TlsGen.AnyMessage());

    /// <summary>Near-valid mutations of valid messages of every form.</summary>
    /// <returns>The arbitrary.</returns>
    public static Arbitrary<MutatedMessage> MutatedMessages() => Arb.From(
        TlsGen.AnyMessage().SelectMany(
            g => TlsMutations.Mutate(g.Message),
            (g, m) => new MutatedMessage(g.Form, g.Message, m.Bytes, m.Mutation)));

    /// <summary>Valid extensions of every form.</summary>
    /// <returns>The arbitrary.</returns>
    public static Arbitrary<GeneratedExtension> ValidExtensions() => Arb.From(TlsGen.AnyExtension());

    /// <summary>Near-valid mutations of valid extensions of every form.</summary>
    /// <returns>The arbitrary.</returns>
    public static Arbitrary<MutatedExtension> MutatedExtensions() => Arb.From(
        TlsGen.AnyExtension().SelectMany(
            g => TlsMutations.Mutate(g.Extension),
            (g, m) => new MutatedExtension(g.Form, g.Place, g.Extension, m.Bytes, m.Mutation)));
}
