using ManagedTls.CipherSuites;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Handshake.Tls13;

/// <summary>
/// After both Finished messages: application traffic. Accepts KeyUpdate (both roles) and, on the client,
/// NewSessionTicket, which is checked and dropped because this engine does not resume sessions.
/// </summary>
internal sealed class ExpectTraffic : HandshakeState
{
    private readonly CipherSuiteInfo _suite;
    private readonly Tls13TrafficSecret _read;
    private readonly Tls13TrafficSecret _write;
    private int _keyUpdatesWithoutData;

    /// <summary>Creates the traffic state; it owns both application traffic secrets.</summary>
    public ExpectTraffic(CipherSuiteInfo suite, Tls13TrafficSecret read, Tls13TrafficSecret write)
    {
        _suite = suite;
        _read = read;
        _write = write;
    }

    /// <inheritdoc/>
    public override bool IsTraffic => true;

    /// <summary>How many times our write keys were updated.</summary>
    public int WriteGeneration => _write.Generation;

    /// <summary>How many times the peer's keys were updated.</summary>
    public int ReadGeneration => _read.Generation;

    /// <summary>Call when application data arrives: resets the count of consecutive KeyUpdates.</summary>
    public void OnApplicationData() => _keyUpdatesWithoutData = 0;

    /// <inheritdoc/>
    public override HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded)
    {
        switch (TypeOf(encoded))
        {
            case HandshakeType.KeyUpdate:
                var update = Parse<KeyUpdate>(encoded);
                if (++_keyUpdatesWithoutData > cx.Settings.MaxKeyUpdatesWithoutData)
                {
                    throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"more than {cx.Settings.MaxKeyUpdatesWithoutData} KeyUpdate messages without application data");
                }

                _read.Update();
                cx.Records.SetReadKeys(_suite, _read);
                if (update.UpdateRequested)
                {
                    SendKeyUpdate(cx, requestPeerUpdate: false);
                }

                return this;
            case HandshakeType.NewSessionTicket when cx.IsClient:
                Parse<NewSessionTicket13>(encoded);
                return this;
            default:
                throw Unexpected(encoded);
        }
    }

    /// <summary>Sends KeyUpdate under the current keys, then switches our write keys to the next generation.</summary>
    public void SendKeyUpdate(HandshakeContext cx, bool requestPeerUpdate)
    {
        cx.Records.QueueHandshake(new KeyUpdate(requestPeerUpdate).Encode());
        _write.Update();
        cx.Records.SetWriteKeys(_suite, _write);
    }

    /// <summary>Wipes both traffic secrets.</summary>
    public override void Dispose()
    {
        _read.Dispose();
        _write.Dispose();
    }
}
