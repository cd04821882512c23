using ManagedTls.Crypto;
namespace ManagedTls.SelfTest;

/// <summary>
/// One known-answer test: a name and an action that throws when the computed value differs from the
/// published one. Each layer lists its own (<c>XxxKnownAnswers.All()</c>); the test suite runs every one
/// as a theory case and <c>managedtls selftest</c> runs them without a test runner (and so without OpenSSL).
/// </summary>
internal sealed record KnownAnswerTest(string Name, Action Run)
{
    /// <summary>Throws when <paramref name="actual"/> differs from the hex <paramref name="expectedHex"/>.</summary>
    public static void Expect(string what, string expectedHex, ReadOnlySpan<byte> actual)
    {
        string got = CryptoUtil.ToHex(actual);
        string want = CryptoUtil.ToHex(CryptoUtil.FromHex(expectedHex));
        if (got != want)
        {
            throw new InvalidOperationException($"{what}: expected {want}, got {got}");
        }
    }

    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    public static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }
}
