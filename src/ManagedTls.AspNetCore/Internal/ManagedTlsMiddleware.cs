using System.Buffers;
using System.IO.Pipelines;
using ManagedTls.Ssl;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace ManagedTls.AspNetCore.Internal;

/// <summary>
/// The connection middleware <c>UseManagedTls</c> adds, in the place of Kestrel's <c>HttpsConnectionMiddleware</c>:
/// wraps the transport in a <see cref="TlsStream"/>, runs the server handshake within the timeout, sets the TLS
/// features and hands the decrypted pipe to the next middleware (Kestrel's HTTP/1.1 or HTTP/2, chosen by ALPN). A
/// failed or timed-out handshake is logged and closes that connection alone.
/// </summary>
internal sealed class ManagedTlsMiddleware
{
    private static readonly Action<ILogger, string, string?, Exception?> LogFailed = LoggerMessage.Define<string, string?>(
        LogLevel.Debug, new EventId(1, "HandshakeFailed"), "TLS handshake of connection {ConnectionId} from {RemoteEndPoint} failed");

    private static readonly Action<ILogger, string, string?, TimeSpan, Exception?> LogTimedOut = LoggerMessage.Define<string, string?, TimeSpan>(
        LogLevel.Debug, new EventId(2, "HandshakeTimedOut"), "TLS handshake of connection {ConnectionId} from {RemoteEndPoint} did not complete within {Timeout}");

    private readonly ConnectionDelegate _next;
    private readonly ManagedTlsSettings _settings;
    private readonly ILogger _logger;

    public ManagedTlsMiddleware(ConnectionDelegate next, ManagedTlsSettings settings, ILogger logger)
    {
        _next = next;
        _settings = settings;
        _logger = logger;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var tls = new TlsStream(new DuplexPipeStream(context.Transport), _settings.BaseContext, leaveInnerStreamOpen: true);
        var connection = new ManagedTlsConnection(tls, _settings, context);
        if (!await HandshakeAsync(context, connection).ConfigureAwait(false))
        {
            await DisposeQuietlyAsync(tls).ConfigureAwait(false);
            return;
        }

        connection.OnHandshakeComplete();
        context.Features.Set<ITlsConnectionFeature>(connection);
        context.Features.Set<ITlsHandshakeFeature>(connection);
        context.Features.Set<ITlsApplicationProtocolFeature>(connection);
        context.Features.Set<IManagedTlsFeature>(connection);

        MemoryPool<byte> pool = context.Features.Get<IMemoryPoolFeature>()?.MemoryPool ?? MemoryPool<byte>.Shared;
        var application = new TlsDuplexPipe(tls, pool);
        IDuplexPipe transport = context.Transport;
        context.Transport = application;
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await application.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer is gone; what was left to send has nowhere to go.
            }

            await DisposeQuietlyAsync(tls).ConfigureAwait(false);
            context.Transport = transport;
        }
    }

    // Sends close_notify (bounded by TlsStream) and leaves the transport to Kestrel; a transport Kestrel has already
    // closed or completed is no error at this point.
    private static async ValueTask DisposeQuietlyAsync(TlsStream tls)
    {
        try
        {
            await tls.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
        }
    }

    private async Task<bool> HandshakeAsync(ConnectionContext context, ManagedTlsConnection connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed);
        if (_settings.HandshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(_settings.HandshakeTimeout);
        }

        bool dispatch = _settings.Selector is not null;
        if (dispatch)
        {
            ManagedTlsSettings.BeginHandshake(connection);
        }

        try
        {
            await connection.Stream.AuthenticateAsServerAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.ConnectionClosed.IsCancellationRequested)
        {
            LogTimedOut(_logger, context.ConnectionId, context.RemoteEndPoint?.ToString(), _settings.HandshakeTimeout, null);
            return false;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // SslException (a handshake alert, a certificate the context refused, the end of the stream) is an IOException.
            LogFailed(_logger, context.ConnectionId, context.RemoteEndPoint?.ToString(), ex);
            return false;
        }
        finally
        {
            if (dispatch)
            {
                ManagedTlsSettings.EndHandshake(connection);
            }
        }
    }
}
