using System.Buffers;
using ManagedTls.Ssl;

namespace ManagedTls.Http;

/// <summary>
/// The stream a TLS connection is handed to <c>SocketsHttpHandler</c> as: the <see cref="TlsStream"/>, plus what the
/// HTTP side needs of it. It takes the connection's resumable session once (for the next connection to the same
/// host:port); it reads an end of the transport without close_notify as the end of the stream, as <c>SslStream</c>
/// does; on an HTTP/2 connection it sends <c>:scheme: https</c> (see <see cref="Http2SchemeRewriter"/>).
/// </summary>
internal sealed class HttpTlsStream : Stream
{
    // How many reads may pass without a ticket before the connection is taken to have none to give.
    private const int SessionReadsToWatch = 8;

    private readonly TlsStream _tls;
    private readonly Http2SchemeRewriter? _rewriter;
    private readonly Action<SslSession>? _sessionTaken;
    private readonly SslSession? _offered;
    private readonly List<int> _patches = new();
    private int _sessionReadsLeft;

    public HttpTlsStream(TlsStream tls, bool http2, SslSession? offered, Action<SslSession>? sessionTaken)
    {
        _tls = tls;
        _offered = offered;
        _rewriter = http2 ? new Http2SchemeRewriter() : null;
        _sessionTaken = sessionTaken;
        _sessionReadsLeft = sessionTaken is null ? 0 : SessionReadsToWatch;
        TryTakeSession();
    }

    /// <summary>The TLS connection underneath.</summary>
    public TlsStream Tls => _tls;

    public override bool CanRead => _tls.CanRead;

    public override bool CanWrite => _tls.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int n;
            try
            {
                n = _tls.Read(rented, 0, buffer.Length);
            }
            catch (SslEofException)
            {
                n = 0;
            }

            rented.AsSpan(0, n).CopyTo(buffer);
            AfterRead(n);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await _tls.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (SslEofException)
        {
            // SslStream reads a transport that ended without close_notify as the end of the stream; the HTTP framing
            // (Content-Length, chunked, END_STREAM) is what tells a cut message.
            n = 0;
        }

        AfterRead(n);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(copy);
            Patch(copy.AsSpan(0, buffer.Length));
            _tls.Write(copy, 0, buffer.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_rewriter is null)
        {
            return _tls.WriteAsync(buffer, cancellationToken);
        }

        lock (_patches)
        {
            _patches.Clear();
            _rewriter.Advance(buffer.Span, _patches);
            if (_patches.Count == 0)
            {
                return _tls.WriteAsync(buffer, cancellationToken);
            }
        }

        // A HEADERS frame is in this write: the caller's buffer is not ours to change, so a copy goes out.
        return WritePatchedAsync(buffer, cancellationToken);
    }

    public override void Flush() => _tls.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _tls.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tls.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => _tls.DisposeAsync();

    private async ValueTask WritePatchedAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.Span.CopyTo(copy);
            lock (_patches)
            {
                foreach (int offset in _patches)
                {
                    copy[offset] = Http2SchemeRewriter.SchemeHttps;
                }
            }

            await _tls.WriteAsync(copy.AsMemory(0, buffer.Length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private void Patch(Span<byte> data)
    {
        if (_rewriter is null)
        {
            return;
        }

        lock (_patches)
        {
            _patches.Clear();
            _rewriter.Advance(data, _patches);
            foreach (int offset in _patches)
            {
                data[offset] = Http2SchemeRewriter.SchemeHttps;
            }
        }
    }

    private void AfterRead(int n)
    {
        if (n > 0 && _sessionReadsLeft > 0)
        {
            _sessionReadsLeft--;
            TryTakeSession();
        }
    }

    private void TryTakeSession()
    {
        if (_sessionReadsLeft == 0 || _tls.Ssl is not { } ssl)
        {
            return;
        }

        // TLS 1.3: a session that can resume comes with the server's ticket, after the handshake; TLS 1.2: the
        // handshake's own session, resumable by its id or ticket.
        SslSession? session = ssl.Session;
        bool tls12 = ssl.Version() == "TLSv1.2";
        if (session is null || !(session.HasTicket || (tls12 && session.Id.Length > 0)))
        {
            return;
        }

        if (ReferenceEquals(session, _offered))
        {
            // Resumed: TLS 1.3 servers send a fresh ticket after the handshake, TLS 1.2 ones nothing new.
            if (tls12)
            {
                _sessionReadsLeft = 0;
            }

            return;
        }

        _sessionReadsLeft = 0;
        _sessionTaken!(session);
    }
}
