namespace ManagedTls.Ssl;

/// <content>What the stream's channel holds between operations, for tests and measurements.</content>
public sealed partial class TlsStream
{
    /// <summary>True while a record buffer for received bytes is held (only with a partial record kept, or during a read).</summary>
    internal bool HoldsReadBuffer => _channel?.HoldsReadBuffer == true;

    /// <summary>True while records taken for writing and not yet all written are held.</summary>
    internal bool HoldsWriteBuffer => _channel?.HoldsWriteBuffer == true;

    /// <summary>Bytes of a partial record received and kept for the next read.</summary>
    internal int BufferedInput => _channel?.BufferedInput ?? 0;
}
