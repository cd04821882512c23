using ManagedTls.Testing;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Hostile;

/// <summary>
/// A battery of hostile client conversations, each ending in the alert a correct TLS 1.3 server sends, to run
/// against every way the engine is served: the sans-IO connection, the facade, and <c>managedtls s_server</c>
/// over TCP. The server under test must use the default groups (so a share for X25519MLKEM768 alone draws a
/// HelloRetryRequest).
/// </summary>
internal static class HostileBattery
{
    private static readonly ClientHelloOptions RetryFirst = new()
    {
        KeyShareGroups = [NamedGroup.X25519MLKEM768],
        SupportedGroups = [NamedGroup.X25519MLKEM768, NamedGroup.X25519],
    };

    /// <summary>Each case: a name, and the script after which the server has failed with the expected alert.</summary>
    public static IReadOnlyList<(string Name, Func<TlsScript, TlsScript> Script)> Cases { get; } =
    [
        ("legacy_version 0x0300", s => s
            .ClientHello(new ClientHelloOptions { Edit = h => h.Set("legacy_version", 0x0300) })
            .ExpectAlert(AlertDescription.ProtocolVersion)),
        ("compression methods besides null", s => s
            .ClientHello(new ClientHelloOptions { Edit = h => h.SetBytes("legacy_compression_methods", [0, 1]) })
            .ExpectAlert(AlertDescription.IllegalParameter)),
        ("empty server_name", s => s
            .ClientHello(new ClientHelloOptions { Edit = h => h.Replace("extensions.server_name", TlsExtensions.Raw((ushort)ExtensionType.ServerName, [])) })
            .ExpectAlert(AlertDescription.DecodeError)),
        ("NUL in server_name", s => s
            .ClientHello(new ClientHelloOptions { Edit = h => h.SetBytes("extensions.server_name.server_name_list[0].host_name", "a\0b"u8) })
            .ExpectAlert(AlertDescription.IllegalParameter)),
        ("a ClientHello header over 131,396 bytes", s => s
            .SendHandshakeBytes(SendOptions.Default, [(byte)HandshakeType.ClientHello, 0x02, 0x01, 0x45])
            .ExpectAlert(AlertDescription.DecodeError)),
        ("an unknown handshake type", s => s
            .SendHandshakeBytes(SendOptions.Default, [99, 0, 0, 1, 0])
            .ExpectAlert(AlertDescription.UnexpectedMessage)),
        ("close_notify before the ClientHello", s => s
            .SendCloseNotify()
            .ExpectAlert(AlertDescription.UnexpectedMessage)),
        ("HTTP instead of TLS", s => s
            .SendRaw("GET / HTTP/1.0\r\n\r\n"u8.ToArray())
            .ExpectAlert(AlertDescription.UnexpectedMessage)),
        ("user_canceled five times", s => Repeat(s, 5, x => x.SendAlert(AlertDescription.UserCanceled, AlertLevel.Warning))
            .ExpectAlert(AlertDescription.UnexpectedMessage)),
        ("a second ClientHello naming another host", s => s
            .ClientHello(RetryFirst)
            .ExpectHelloRetryRequest()
            .ClientHello(new ClientHelloOptions
            {
                KeyShareGroups = RetryFirst.KeyShareGroups,
                SupportedGroups = RetryFirst.SupportedGroups,
                Edit = h => h.Replace("extensions.server_name", TlsExtensions.ServerName("admin.test")),
            })
            .ExpectAlert(AlertDescription.IllegalParameter)),
        ("two change_cipher_spec", s => s
            .ClientHello()
            .ExpectServerFlight()
            .SendChangeCipherSpec()
            .SendChangeCipherSpec()
            .ExpectAlert(AlertDescription.UnexpectedMessage)),
        ("a client Finished one byte short", s => s
            .ClientHello()
            .ExpectServerFlight()
            .ClientFinished(f => f.SetBytes("verify_data", new byte[f.GetBytes("verify_data").Length - 1]))
            .ExpectAlert(AlertDescription.DecodeError)),
        ("too much rejected early data", s => Repeat(s.ClientHello(new ClientHelloOptions
            {
                Edit = h => h.Append("extensions", TlsExtensions.EarlyData()).Append("extensions", TlsExtensions.PreSharedKey(identity: new byte[48])),
            }), 20, x => x.SendRecord(TlsRecords.ApplicationData(new byte[1024])))
            .ExpectServerFlight()
            .ExpectAlert(AlertDescription.UnexpectedMessage)),
        ("33 empty records after the handshake", s => Repeat(s.Handshake(), 33, x => x.SendRecord(TlsRecords.ApplicationData([]), protect: true))
            .ExpectAlert(AlertDescription.UnexpectedMessage)),
        ("33 KeyUpdates after the handshake", s => Repeat(s.Handshake(), 33, x => x.SendKeyUpdate())
            .ExpectAlert(AlertDescription.UnexpectedMessage)),
        ("a record over 2^14 + 256 bytes", s => s
            .Handshake()
            .SendRecord(TlsRecords.ApplicationData(new byte[16384 + 257]))
            .ExpectAlert(AlertDescription.RecordOverflow)),
    ];

    /// <summary>The cases as xunit data: their names.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach ((string name, _) in Cases)
            {
                data.Add(name);
            }

            return data;
        }
    }

    /// <summary>The script of the case named <paramref name="name"/>.</summary>
    public static Func<TlsScript, TlsScript> Script(string name) => Cases.Single(c => c.Name == name).Script;

    private static TlsScript Repeat(TlsScript script, int times, Func<TlsScript, TlsScript> step)
    {
        for (int i = 0; i < times; i++)
        {
            script = step(script);
        }

        return script;
    }
}
