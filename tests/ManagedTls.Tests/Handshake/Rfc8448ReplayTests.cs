using ManagedTls.Tests.Vectors;
using Xunit.Abstractions;

namespace ManagedTls.Tests.Handshake;

/// <summary>RFC 8448 sections 3 to 7 replayed through the key schedule, transcript hash and record protection.</summary>
public class Rfc8448ReplayTests(ITestOutputHelper output)
{
    public static TheoryData<int> Sections() => [3, 5, 6, 7];

    [Theory]
    [MemberData(nameof(Sections))]
    public void Section_replays_byte_for_byte(int section) =>
        Report(Rfc8448Replay.Run(Rfc8448Trace.Load(section)), section);

    [Fact]
    public void Section4_resumes_with_the_psk_of_section3_ticket()
    {
        Rfc8448Replay full = Rfc8448Replay.Run(Rfc8448Trace.Load(3));
        Assert.NotNull(full.ResumptionPsk);
        Report(Rfc8448Replay.Run(Rfc8448Trace.Load(4), full.ResumptionPsk), 4);
    }

    private void Report(Rfc8448Replay replay, int section)
    {
        output.WriteLine($"RFC 8448 section {section}: {replay.ValuesCompared} of {replay.ValuesInTrace} values compared, "
            + $"{replay.Inputs} used as inputs; {replay.TotalChecks} checks by category:");
        foreach ((string category, int count) in replay.Checks)
        {
            output.WriteLine($"  {count,4}  {category}");
        }

        Assert.Empty(replay.Unexamined);
        Assert.Equal(replay.ValuesInTrace, replay.ValuesCompared + replay.Inputs);
        Assert.True(replay.Checks.GetValueOrDefault("protected record") > 0);
        Assert.True(replay.Checks.GetValueOrDefault("Finished verify_data") >= 2);
    }
}
