using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Testing;
using ManagedTls.Tests.TestingKit;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// Every key schedule secret a connection derives is wiped by the time it is disposed, also when the handshake
/// fails halfway through a step that had just derived new secrets. <see cref="SecretTally"/> counts the secrets
/// made and not wiped on this thread (the engine and the kit both run synchronously on it).
/// </summary>
public class SecretWipingTests
{
    public static TheoryData<string> Failures => new()
    {
        "server flight in one record",
        "client hello with a message after it",
        "bad server finished",
        "bad client finished",
        "client finished in the clear",
        "complete",
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void NoSecretOutlivesTheConnection(string how)
    {
        int before = SecretTally.LiveOnThisThread;
        if (how.StartsWith("server", StringComparison.Ordinal) || how.StartsWith("bad server", StringComparison.Ordinal))
        {
            RunAgainstClient(how);
        }
        else
        {
            RunAgainstServer(how);
        }

        Assert.Equal(before, SecretTally.LiveOnThisThread);
    }

    private static void RunAgainstClient(string how)
    {
        using TlsConnection client = EngineTargets.Client(EngineTargets.Pki);
        using (DelegateTarget target = EngineTargets.For(client))
        {
            TlsScript script = TlsScript.AsServer(EngineTargets.Options(seed: 1001)).Expect(HandshakeType.ClientHello);
            script = how switch
            {
                // The ServerHello shares its record with the encrypted flight: the client fails right after deriving
                // its handshake secrets (the message spans the key change).
                "server flight in one record" => script.ServerFlight(new ServerFlightOptions { Records = SendOptions.OneRecord }),
                _ => script.ServerFlight(new ServerFlightOptions
                {
                    Edit = m => m.Type == HandshakeType.Finished ? m.SetBytes("verify_data", new byte[m.GetBytes("verify_data").Length]) : m,
                }),
            };
            script.ExpectAlert(_ => true).Run(target);
        }

        Assert.NotNull(client.Failure);
    }

    private static void RunAgainstServer(string how)
    {
        using TlsConnection server = EngineTargets.Server();
        using (DelegateTarget target = EngineTargets.For(server))
        {
            TlsScript script = TlsScript.AsClient(EngineTargets.Options(seed: 1002));
            script = how switch
            {
                // The ClientHello's record carries another message: the server fails as it installs the client's
                // handshake key, just after deriving every secret of its flight.
                "client hello with a message after it" => script
                    .Send(TlsMessages.ClientHello(), TlsMessages.Finished(new byte[32]))
                    .Expect(HandshakeType.ServerHello),
                "bad client finished" => script.ClientHello().ExpectServerFlight().Finished(new byte[32]).ExpectAlert(AlertDescription.DecryptError),
                "client finished in the clear" => script.ClientHello().ExpectServerFlight()
                    .Send(SendOptions.Plaintext, TlsMessages.Finished(new byte[32])).ExpectAlert(AlertDescription.UnexpectedMessage),
                _ => script.Handshake().SendApplicationData([1]).SendCloseNotify().ExpectNothing(TimeSpan.FromMilliseconds(5)),
            };
            script.Run(target);
        }

        Assert.True(how == "complete" || server.Failure is not null, how);
    }
}
