namespace ManagedTls.Ssl;

/// <content>Asynchronous disposal.</content>
public sealed partial class TlsStream
{
    /// <summary>How long <c>DisposeAsync</c> waits for close_notify to be written before giving up (default 5 seconds).</summary>
    internal TimeSpan CloseNotifyTimeout { get; set; } = TimeSpan.FromSeconds(5);

#if NET
    /// <summary>
    /// Sends close_notify asynchronously (without waiting for the peer's), then closes the inner stream unless asked
    /// to leave it open. Bounded: a peer that does not take the bytes within a few seconds is given up on; a dead peer
    /// or a failed connection is not an error. Never throws for the transport's sake.
    /// </summary>
    /// <returns>A task completing once the stream is disposed.</returns>
    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            try
            {
                if (_channel is { } channel)
                {
                    using var timeout = new CancellationTokenSource(CloseNotifyTimeout);
                    try
                    {
                        // The token bounds streams that honour cancellation, WaitAsync those that do not.
                        await channel.CloseNotifyBestEffortAsync(new AsyncStreamAdapter(_inner, timeout.Token))
                            .WaitAsync(CloseNotifyTimeout + CloseNotifyTimeout).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        // The peer does not take bytes; closing matters more than the courtesy.
                    }
                }
            }
            finally
            {
                _channel?.Dispose();
                if (!_leaveInnerStreamOpen)
                {
                    await _inner.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        Dispose();
    }
#endif
}
