namespace ManagedTls.Ssl;

/// <content>The byte path of <see cref="TlsChannel"/>: input taken from the channel's buffer, output handed over whole.</content>
public partial class SslObject
{
    private ChannelInput? _channelInput;

    /// <summary>
    /// From now on input comes from <paramref name="input"/> (records opened where the transport put them) instead of
    /// the incoming <see cref="MemoryBio"/>, and output stays in the engine for <see cref="TakeChannelOutgoing"/>
    /// instead of moving to the outgoing one. Set once, before anything is sent or received.
    /// </summary>
    internal void UseChannelInput(ChannelInput input)
    {
        lock (_lock)
        {
            _channelInput = input;
        }
    }

    /// <summary>Bytes queued to send (under the lock).</summary>
    internal int ChannelOutgoingLength => _disposed ? 0 : _conn.OutgoingLength;

    /// <summary>Hands over the array of queued records (under the lock); see <see cref="Connection.TlsConnection.TakeOutgoingBuffer"/>.</summary>
    internal bool TakeChannelOutgoing(out byte[] array, out int offset, out int count)
    {
        if (_disposed)
        {
            array = [];
            offset = 0;
            count = 0;
            return false;
        }

        return _conn.TakeOutgoingBuffer(out array, out offset, out count);
    }
}
