using ManagedTls.SelfTest;
using ManagedTls.Connection;

namespace ManagedTls.Tests.Connection;

public class ConnectionKnownAnswerTests
{
    public static TheoryData<string> Names => new(ConnectionKnownAnswers.All().Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void KnownAnswer(string name) => ConnectionKnownAnswers.All().Single(t => t.Name == name).Run();
}
