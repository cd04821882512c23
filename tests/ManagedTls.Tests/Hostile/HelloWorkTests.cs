using System.Diagnostics;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// The work a ClientHello can make a server do grows with its size, never with the product of two of its lists: a
/// hello at the size limit with thousands of key shares, groups, schemes, suites and ALPN names is answered quickly.
/// </summary>
public class HelloWorkTests
{
    [Fact]
    public void AHelloFullOfSharesAndGroupsCostsLinearWork()
    {
        // 6,000 distinct key shares (unknown groups, one byte each) and 16,000 supported groups: every share is checked
        // against the group list (through a set), none is computed with, and the answer is a HelloRetryRequest for
        // x25519. Warm, this takes some tens of milliseconds here; the bound is loose for a loaded machine.
        NamedGroup[] shareGroups = Enumerable.Range(0, 6000).Select(i => (NamedGroup)(0x6000 + i)).ToArray();
        NamedGroup[] groups = [NamedGroup.X25519, .. Enumerable.Range(0, 15999).Select(i => (NamedGroup)(0x6000 + i))];
        HandshakeBuilder hello = TlsMessages.ClientHello()
            .Replace("extensions.supported_groups", TlsExtensions.SupportedGroups(groups))
            .Replace("extensions.key_share", TlsExtensions.KeyShareClient([.. shareGroups.Select(g => TlsExtensions.KeyShareEntry(g, [1]))]));
        TlsScript Script(TlsScript script) => script.Send(hello).ExpectHelloRetryRequest();

        // Once to compile the code paths, then timed.
        Assert.Null(EngineTargets.AgainstServer(Script, seed: 1401));
        var watch = Stopwatch.StartNew();
        TlsAlertException? failure = EngineTargets.AgainstServer(Script, seed: 1401);
        watch.Stop();
        Assert.Null(failure);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"the hello took {watch.ElapsedMilliseconds} ms");
    }
}
