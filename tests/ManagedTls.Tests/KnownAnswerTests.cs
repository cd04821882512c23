using ManagedTls.SelfTest;
using ManagedTls.Crypto;

namespace ManagedTls.Tests;

[Trait("Category", "NoOpenSsl")]
public class KnownAnswerTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var t in AllTests())
        {
            data.Add(t.Name);
        }

        return data;
    }

    /// <summary>Every layer's known-answer list; the CLI's selftest runs the same lists.</summary>
    internal static IEnumerable<KnownAnswerTest> AllTests() => ManagedTls.SelfTest.SelfTest.All();

    [Theory]
    [MemberData(nameof(Names))]
    public void KnownAnswer(string name) => AllTests().Single(t => t.Name == name).Run();
}
