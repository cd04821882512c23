namespace ManagedTls.Ssl;

/// <content>Asynchronous disposal (on netstandard2.0 through Microsoft.Bcl.AsyncInterfaces' <c>IAsyncDisposable</c>).</content>
#if NET
public sealed partial class TlsStream
#else
public sealed partial class TlsStream : IAsyncDisposable
#endif
{
    /// <summary>How long <c>Dispose</c> and <c>DisposeAsync</c> wait for close_notify to be written before giving up (default 5 seconds; twice that for an inner stream that ignores cancellation).</summary>
    internal TimeSpan CloseNotifyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends close_notify asynchronously (without waiting for the peer's), then closes the inner stream unless asked
    /// to leave it open. Bounded: a peer that does not take the bytes within a few seconds is given up on; a dead peer
    /// or a failed connection is not an error. Never throws for the transport's sake.
    /// </summary>
    /// <returns>A task completing once the stream is disposed.</returns>
#if NET
    public override async ValueTask DisposeAsync()
#else
    public async ValueTask DisposeAsync()
#endif
    {
        if (Interlocked.Exchange(ref _disposeState, 1) == 0)
        {
            try
            {
                if (_channel is { } channel)
                {
                    await CloseNotifyWithinAsync(channel).ConfigureAwait(false);
                }
            }
            finally
            {
                _channel?.Dispose();
                if (!_leaveInnerStreamOpen)
                {
#if NET
                    await _inner.DisposeAsync().ConfigureAwait(false);
#else
                    _inner.Dispose();
#endif
                }
            }
        }

        Dispose();
    }

    // The token bounds streams that honour cancellation; the second, longer wait bounds those that do not.
    private async Task CloseNotifyWithinAsync(TlsChannel channel)
    {
        using var timeout = new CancellationTokenSource(CloseNotifyTimeout);
        using var giveUp = new CancellationTokenSource();
        try
        {
            Task close = channel.CloseNotifyBestEffortAsync(new AsyncStreamAdapter(_inner, timeout.Token));
            Task done = await Task.WhenAny(close, Task.Delay(CloseNotifyTimeout + CloseNotifyTimeout, giveUp.Token)).ConfigureAwait(false);
            giveUp.Cancel();
            if (done == close)
            {
                await close.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The peer does not take bytes; closing matters more than the courtesy.
        }
    }
}
