using ManagedTls.Tests.Vectors;

namespace ManagedTls.Tests.Handshake;

/// <summary>The committed JSON vectors are well formed and complete.</summary>
public class Rfc8448VectorFileTests
{
    [Theory]
    [InlineData(3, "Simple 1-RTT Handshake", 55)]
    [InlineData(4, "Resumed 0-RTT Handshake", 60)]
    [InlineData(5, "HelloRetryRequest", 54)]
    [InlineData(6, "Client Authentication", 52)]
    [InlineData(7, "Compatibility Mode", 51)]
    public void Sections_load_with_all_steps(int section, string title, int steps)
    {
        Rfc8448Trace trace = Rfc8448Trace.Load(section);
        Assert.Equal(section, trace.Section);
        Assert.Equal(title, trace.Title);
        Assert.Equal(steps, trace.Steps.Count);
        Assert.Equal(Enumerable.Range(0, steps), trace.Steps.Select(s => s.Index));
        Assert.All(trace.Steps, s => Assert.True(s.IsSameAs ^ s.Values.Count > 0, s.ToString()));
        Assert.All(trace.Steps.SelectMany(s => s.Values), v => Assert.Equal(v.Length, v.Bytes.Length));
    }

    [Fact]
    public void Lookup_by_actor_and_label()
    {
        Rfc8448Trace trace = Rfc8448Trace.Load(5);
        Assert.Equal(2, trace.Find("client", "construct a ClientHello handshake message").Count());
        Assert.Equal(512, trace.Get("client", "construct a ClientHello handshake message", 1)["ClientHello"].Length);
        Assert.Throws<KeyNotFoundException>(() => trace.Steps[0]["nothing"]);
    }
}
