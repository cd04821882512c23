using System.Text;
using ManagedTls.Connection;
using ManagedTls.Handshake;
using ManagedTls.Wire;
using ManagedTls.X509;
using ManagedTls.X509.PeerCert;

namespace ManagedTls.Ssl;

/// <summary>
/// Python's <c>ssl.SSLObject</c>: a TLS connection whose transport is two <see cref="MemoryBio"/> queues. TLS bytes
/// from the peer are written by the caller into the incoming queue; TLS bytes to send appear in the outgoing queue.
/// An operation that needs bytes not yet received throws <see cref="SslWantReadException"/>, as Python does; once the
/// incoming queue has its end (<see cref="MemoryBio.WriteEof"/>) or the connection has failed, no operation throws it
/// any more, since no further input could help. Made by <see cref="SslContext.WrapBio"/>. Every method takes an internal
/// lock, so information methods (<see cref="Cipher"/>, <see cref="GetPeerCert"/>...) may be called while another thread
/// drives the connection (as <see cref="TlsStream"/> and <see cref="SslSocket"/> do); the <see cref="MemoryBio"/>
/// queues themselves are not thread-safe.
/// </summary>
public partial class SslObject : IDisposable
{
    private TlsConnection _conn;
    private TlsConfig _config;
    private readonly MemoryBio _incoming;
    private readonly MemoryBio _outgoing;
    private readonly object _lock = new();
    private bool _sentShutdown;
    private bool _disposed;

    internal SslObject(SslContext context, MemoryBio incoming, MemoryBio outgoing, bool serverSide, string? serverHostname, SslSession? session = null)
    {
        _context = context;
        _appliedContext = context;
        _callbackOwner = this;
        _incoming = incoming;
        _outgoing = outgoing;
        ServerSide = serverSide;
        ServerHostname = serverHostname;
        _config = context.Freeze(serverSide, this);
        _conn = CreateConnection(session);
    }

    /// <summary>Python's <c>server_side</c>.</summary>
    public bool ServerSide { get; }

    /// <summary>Python's <c>server_hostname</c>: the name given when wrapping (client side), or null.</summary>
    public string? ServerHostname { get; }

    /// <summary>True once the handshake has completed.</summary>
    public bool IsHandshakeComplete
    {
        get
        {
            lock (_lock)
            {
                return _conn.IsHandshakeComplete;
            }
        }
    }

    /// <summary>The lock every method takes; <see cref="TlsChannel"/> holds it around engine steps and queue moves.</summary>
    internal object SyncRoot => _lock;

    internal MemoryBio Incoming => _incoming;

    internal MemoryBio Outgoing => _outgoing;

    /// <summary>
    /// Python's <c>do_handshake()</c>: processes the incoming bytes and queues the answer. Returns once the handshake
    /// is complete; throws <see cref="SslWantReadException"/> when it needs more bytes from the peer (the client's
    /// first call, after queueing its ClientHello; the server's first call with nothing received; the server after its flight).
    /// </summary>
    /// <exception cref="SslWantReadException">More incoming bytes are needed.</exception>
    /// <exception cref="SslCertVerificationException">The peer's certificate did not verify.</exception>
    /// <exception cref="SslEofException">The incoming queue ended during the handshake.</exception>
    /// <exception cref="SslException">Any other failure, as Python reports it.</exception>
    public void DoHandshake()
    {
        lock (_lock)
        {
            // After Renegotiate, DoHandshake runs the renegotiation to its end as it runs a first handshake.
            if (!HandshakeStep() || (_renegotiationAwaited && !PostHandshakeStep()))
            {
                throw new SslWantReadException();
            }
        }
    }

    /// <summary>
    /// Python's <c>read(len=1024)</c>: up to <paramref name="len"/> bytes of application data. Returns an empty array
    /// once the peer's close_notify was read (as Python's <c>b''</c>); after both sides sent close_notify it throws
    /// <see cref="SslZeroReturnException"/>.
    /// </summary>
    /// <param name="len">Most bytes to return.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="SslWantReadException">No data is buffered and more incoming bytes are needed.</exception>
    /// <exception cref="SslEofException">The incoming queue ended without close_notify (unless <see cref="SslOptions.IgnoreUnexpectedEof"/>).</exception>
    public byte[] Read(int len = 1024)
    {
        if (len < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(len), "size should not be negative");
        }

        byte[] buffer = new byte[len];
        int n = Read(buffer.AsSpan());
        if (n == len)
        {
            return buffer;
        }

        byte[] result = new byte[n];
        Buffer.BlockCopy(buffer, 0, result, 0, n);
        return result;
    }

    /// <summary>Python's <c>read(len, buffer)</c>: reads into <paramref name="buffer"/> and returns the byte count (0 at the end).</summary>
    /// <param name="buffer">Where the data goes.</param>
    /// <returns>How many bytes were read.</returns>
    /// <exception cref="SslWantReadException">More incoming bytes are needed.</exception>
    public int Read(Span<byte> buffer)
    {
        lock (_lock)
        {
            int n = TryRead(buffer, out bool wantRead);
            return wantRead ? throw new SslWantReadException() : n;
        }
    }

    /// <summary>Python's <c>read(len, buffer)</c> for an array.</summary>
    /// <param name="buffer">Where the data goes.</param>
    /// <returns>How many bytes were read.</returns>
    public int Read(byte[] buffer) => Read((buffer ?? throw new ArgumentNullException(nameof(buffer))).AsSpan());

    /// <summary>Python's <c>write(data)</c>: protects all of <paramref name="data"/> into the outgoing queue (completing the handshake first).</summary>
    /// <param name="data">Application data.</param>
    /// <returns>The byte count written (all of it).</returns>
    /// <exception cref="SslWantReadException">The handshake is not complete and needs more incoming bytes.</exception>
    /// <exception cref="SslException">close_notify was already sent (<c>[SSL: PROTOCOL_IS_SHUTDOWN] protocol is shutdown</c>), or another failure.</exception>
    public int Write(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (!HandshakeStep())
            {
                throw new SslWantReadException();
            }

            if (_sentShutdown)
            {
                throw new SslException(SslErrorNumber.Ssl, "SSL", "PROTOCOL_IS_SHUTDOWN", "protocol is shutdown");
            }

            try
            {
                _conn.WriteApplicationData(data);
            }
            catch (TlsAlertException e)
            {
                throw Translate(e);
            }
            finally
            {
                Flush();
            }

            return data.Length;
        }
    }

    /// <summary>Python's <c>write(data)</c> for an array.</summary>
    /// <param name="data">Application data.</param>
    /// <returns>The byte count written.</returns>
    public int Write(byte[] data) => Write((data ?? throw new ArgumentNullException(nameof(data))).AsSpan());

    /// <summary>Python's <c>pending()</c>: decrypted bytes ready to read without more input; 0 once the connection has failed (nothing can be read then, as in Python).</summary>
    /// <returns>The byte count.</returns>
    public int Pending()
    {
        lock (_lock)
        {
            return _disposed || _conn.Failure is not null ? 0 : _conn.PendingApplicationData;
        }
    }

    /// <summary>
    /// Python's <c>unwrap()</c>: queues close_notify (once) and returns when the peer's close_notify has arrived;
    /// until then throws <see cref="SslWantReadException"/>. Application data received meanwhile is discarded.
    /// </summary>
    /// <exception cref="SslWantReadException">The peer's close_notify has not arrived yet.</exception>
    /// <exception cref="SslException">The handshake is not complete (<c>[SSL: SHUTDOWN_WHILE_IN_INIT] shutdown while in init</c>).</exception>
    public void Unwrap()
    {
        lock (_lock)
        {
            if (!TryUnwrap())
            {
                throw new SslWantReadException();
            }

            EndTelemetry("unwrapped");
        }
    }

    /// <summary>
    /// Python's <c>get_channel_binding(cb_type="tls-unique")</c>: on TLS 1.2 the first Finished message's verify_data
    /// (RFC 5929 section 3), equal on both ends of one connection; null before the handshake completes. On TLS 1.3 the
    /// value Python gives, equal on both ends (decision 0029): the client's Finished verify_data after a full handshake
    /// (as long as the suite's hash, 32 or 48 bytes), the server's after a resumption, and after a post-handshake
    /// authentication of a full handshake that exchange's client Finished. RFC 8446 and RFC 9266 leave tls-unique
    /// undefined for TLS 1.3, without the analysis that backs it on TLS 1.2: on TLS 1.3 bind to <c>"tls-exporter"</c>
    /// instead. That type, a .NET extra beside Python's one, is RFC 9266's: 32 bytes exported with the label
    /// <c>EXPORTER-Channel-Binding</c>, on TLS 1.3 only (null on TLS 1.2).
    /// </summary>
    /// <param name="cbType">The channel binding type: <c>"tls-unique"</c> (Python's <c>CHANNEL_BINDING_TYPES</c>) or <c>"tls-exporter"</c>.</param>
    /// <returns>The binding data, or null.</returns>
    /// <exception cref="ArgumentException">Another type (Python's ValueError: <c>'x' channel binding type not implemented</c>).</exception>
    public byte[]? GetChannelBinding(string cbType = "tls-unique")
    {
        if (cbType is not ("tls-unique" or TlsConnection.TlsExporterBinding))
        {
            throw new ArgumentException($"'{cbType}' channel binding type not implemented", nameof(cbType));
        }

        lock (_lock)
        {
            return _conn.IsHandshakeComplete ? _conn.GetChannelBinding(cbType) : null;
        }
    }

    /// <summary>Python's <c>version()</c>: the negotiated version's name (<c>"TLSv1.2"</c>, <c>"TLSv1.3"</c>) once the handshake is complete, else null.</summary>
    /// <returns>The protocol name or null.</returns>
    public string? Version()
    {
        lock (_lock)
        {
            return _conn.IsHandshakeComplete && _conn.Version is { } v ? ProtocolVersionNames.OpenSslName(v) : null;
        }
    }

    /// <summary>
    /// Python's <c>cipher()</c>: (OpenSSL name, the suite's protocol as OpenSSL names it, secret bits), e.g.
    /// <c>("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256)</c>; the protocol is the version the suite first appeared in
    /// (<c>SSL_CIPHER_get_version</c>: "TLSv1.0" for AES128-SHA even on TLS 1.2), as Python reports it. Null before the handshake completes.
    /// </summary>
    /// <returns>The triple or null.</returns>
    public (string Name, string Protocol, int SecretBits)? Cipher()
    {
        lock (_lock)
        {
            return _conn.IsHandshakeComplete && _conn.CipherSuite is { } s ? (s.OpenSslName, s.PythonProtocol, s.StrengthBits) : null;
        }
    }

    /// <summary>
    /// Python's <c>compression()</c>: <c>"ZLIB"</c> (OpenSSL's short name for the method) once a handshake completed
    /// with TLS 1.2 DEFLATE compression, which needs <see cref="SslOptions.NoCompression"/> cleared on both sides;
    /// otherwise null.
    /// </summary>
    /// <returns>"ZLIB" or null.</returns>
    public string? Compression()
    {
        lock (_lock)
        {
            return _conn.IsHandshakeComplete && _conn.Compression == CompressionMethod.Deflate ? "ZLIB" : null;
        }
    }

    /// <summary>Python's <c>selected_alpn_protocol()</c>: the agreed protocol, or null.</summary>
    /// <returns>The protocol name or null.</returns>
    public string? SelectedAlpnProtocol()
    {
        lock (_lock)
        {
            return _conn.AlpnProtocol is { } p ? Encoding.ASCII.GetString(p) : null;
        }
    }

    /// <summary>
    /// Python's <c>getpeercert(binary_form)</c>. With <paramref name="binaryForm"/> the peer's leaf certificate as DER
    /// (<see cref="T:byte[]"/>); otherwise Python's dict (<see cref="PeerCertificate.Decode"/>) when the context verifies
    /// peers, and an empty dict when its verify mode is <see cref="VerifyMode.CertNone"/>. Null when the peer sent no certificate.
    /// </summary>
    /// <param name="binaryForm">True for the DER bytes.</param>
    /// <returns>A <see cref="T:byte[]"/>, an <see cref="IReadOnlyDictionary{TKey, TValue}"/> or null.</returns>
    /// <exception cref="InvalidOperationException">The handshake is not complete, or a post-handshake certificate request
    /// has been sent and not yet answered (Python's <c>ValueError: handshake not done yet</c>).</exception>
    public object? GetPeerCert(bool binaryForm = false)
    {
        lock (_lock)
        {
            return PeerCert(binaryForm);
        }
    }

    /// <summary>Wipes the connection's buffers and secrets.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _disposed = true;
                EndTelemetry("the connection was disposed during the handshake");
                _conn.Dispose();
                DisposeSessions();
            }
        }
    }

    private object? PeerCert(bool binaryForm)
    {
        if (!_conn.IsHandshakeComplete || (_postHandshakeRequestSent && _conn.PostHandshakeAuthPending))
        {
            throw new InvalidOperationException("handshake not done yet");
        }

        if (_conn.PeerCertificateChain.Count == 0)
        {
            return null;
        }

        byte[] leaf = _conn.PeerCertificateChain[0];
        if (binaryForm)
        {
            return (byte[])leaf.Clone();
        }

        return _config.Verification == PeerVerification.None
            ? new Dictionary<string, object>()
            : PeerCertificate.Decode(leaf);
    }

    /// <summary>One handshake step: feeds what was received, queues what to send; true once the handshake is complete.</summary>
    internal bool HandshakeStep()
    {
        ThrowIfFailed();
        if (_conn.IsHandshakeComplete)
        {
            // A post-handshake request queued since the last call goes out now, as OpenSSL sends it on the next I/O.
            Flush();
            return true;
        }

        NoteHandshakeStarted();
        Feed();
        if (_conn.IsHandshakeComplete)
        {
            NoteHandshakeCompleted();
            return true;
        }

        // Want-read only while more input may come: after the incoming end no call waits for input again.
        if (InputEnded)
        {
            throw Observed(new SslEofException());
        }

        return false;
    }

    /// <summary>Reads application data; <paramref name="wantRead"/> tells that nothing is buffered and more input is needed.</summary>
    internal int TryRead(Span<byte> buffer, out bool wantRead)
    {
        wantRead = false;
        if (!HandshakeStep())
        {
            wantRead = true;
            return 0;
        }

        while (true)
        {
            int n = _conn.ReadApplicationData(buffer);
            if (n > 0 || buffer.IsEmpty)
            {
                return n;
            }

            if (_conn.PeerClosed)
            {
                return _sentShutdown ? throw new SslZeroReturnException() : 0;
            }

            if (InputPending)
            {
                int delivered = Feed(buffer);
                if (delivered > 0)
                {
                    return delivered;
                }

                continue;
            }

            if (InputEnded)
            {
                return _config.IgnoreUnexpectedEof ? 0 : throw new SslEofException();
            }

            wantRead = true;
            return 0;
        }
    }

    /// <summary>Queues close_notify once and consumes input; true once the peer's close_notify has arrived.</summary>
    internal bool TryUnwrap()
    {
        ThrowIfFailed();
        if (!_conn.IsHandshakeComplete)
        {
            throw new SslException(SslErrorNumber.Ssl, "SSL", "SHUTDOWN_WHILE_IN_INIT", "shutdown while in init");
        }

        if (!_sentShutdown)
        {
            _sentShutdown = true;
            try
            {
                _conn.Close();
            }
            catch (TlsAlertException e)
            {
                throw Translate(e);
            }
            finally
            {
                Flush();
            }
        }

        Span<byte> discard = stackalloc byte[256];
        while (true)
        {
            while (_conn.ReadApplicationData(discard) > 0)
            {
            }

            if (_conn.PeerClosed)
            {
                return true;
            }

            if (InputPending)
            {
                Feed();
                continue;
            }

            if (InputEnded)
            {
                return _config.IgnoreUnexpectedEof ? true : throw new SslEofException();
            }

            return false;
        }
    }

    /// <summary>Queues close_notify when the handshake is complete and nothing failed; never throws (for disposal paths).</summary>
    internal void TrySendCloseNotify()
    {
        if (_disposed || _sentShutdown || _conn.Failure is not null || !_conn.IsHandshakeComplete)
        {
            return;
        }

        _sentShutdown = true;
        try
        {
            _conn.Close();
        }
        catch (TlsAlertException)
        {
            // Best effort: the connection is being torn down anyway.
        }

        Flush();
    }

    // Moves every incoming byte into the engine (records opened where they lie: in the incoming queue's segment, or in
    // the channel's buffer) and every outgoing byte to the outgoing queue. Application data goes straight into
    // `destination` while it has room (the count is returned); then the records after it wait for the next call.
    // Only a record split across two of the queue's segments is copied, into the engine's record buffer, which goes
    // back to the pool as soon as that record is complete, so an idle object keeps none.
    private int Feed(Span<byte> destination = default)
    {
        try
        {
            return _channelInput is { } input ? FeedFromChannel(input, destination) : FeedFromBio(destination);
        }
        catch (TlsAlertException e)
        {
            throw Translate(e);
        }
        finally
        {
            Flush();
        }
    }

    private int FeedFromBio(Span<byte> destination)
    {
        int delivered = 0;
        while (_incoming.Pending > 0 && !_conn.PeerClosed && (destination.IsEmpty || (delivered < destination.Length && _conn.PendingApplicationData == 0)))
        {
            Span<byte> head = _incoming.PeekHead();
            int needed = _conn.PartialRecordNeeds;
            if (needed > 0)
            {
                // The rest of a record that began in an earlier segment: through the engine's record buffer.
                int n = Math.Min(needed, head.Length);
                _conn.ReceiveBytes(head.Slice(0, n));
                _incoming.Consume(n, opened: false);
            }
            else
            {
                Span<byte> room = destination.Slice(delivered);
                int taken;
                int d;
                try
                {
                    taken = _conn.ReceiveRecords(head, room, out d);
                }
                catch (TlsAlertException)
                {
                    // Records before the one that failed were opened in the segment: none of it may be read back.
                    _incoming.Consume(head.Length, opened: true);
                    throw;
                }

                delivered += d;
                _incoming.Consume(taken, opened: true);
                bool full = !room.IsEmpty && (d == room.Length || _conn.PendingApplicationData > 0);
                if (taken < head.Length && !_conn.PeerClosed && !full)
                {
                    // A record that goes on in the next segment (or is still arriving).
                    _conn.ReceiveBytes(head.Slice(taken));
                    _incoming.Consume(head.Length - taken, opened: false);
                }
            }

            Flush();
        }

        return delivered;
    }

    private int FeedFromChannel(ChannelInput input, Span<byte> destination)
    {
        if (!input.Fresh || _conn.PeerClosed)
        {
            return 0;
        }

        input.Fresh = false;
        int taken = _conn.ReceiveRecords(input.Unread, destination, out int delivered);
        input.Consume(taken);

        // Records left after the one that filled the reader's buffer are processed by the next call.
        input.Fresh = !destination.IsEmpty && input.Length > 0 && (delivered == destination.Length || _conn.PendingApplicationData > 0);
        return delivered;
    }

    // More input to process: bytes in the incoming queue, or (for the channel) bytes that arrived since the last step.
    private bool InputPending => _channelInput is { } input ? input.Fresh : _incoming.Pending > 0;

    // No more input will come.
    private bool InputEnded => _channelInput is { } input ? input.Eof : _incoming.EofWritten;

    // Moves what the engine queued to the outgoing queue, straight from the engine's record buffer. The channel takes
    // the engine's buffer itself (TakeChannelOutgoing), so for it nothing moves here.
    private void Flush()
    {
        if (_channelInput is null)
        {
            while (_conn.HasOutgoing)
            {
                ReadOnlySpan<byte> records = _conn.PeekOutgoing;
                _outgoing.Write(records);
                _conn.SkipOutgoing(records.Length);
            }
        }

        // OpenSSL is back "in init" once a post-handshake CertificateRequest has been written, until the answer arrives.
        _postHandshakeRequestSent |= ServerSide && _conn.PostHandshakeAuthPending;
    }

    private void ThrowIfFailed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(SslObject));
        }

        if (_conn.Failure is { } failure)
        {
            throw Translate(failure);
        }
    }

    private SslException Translate(TlsAlertException e) => Observed(TranslateAlert(e));

    private SslException TranslateAlert(TlsAlertException e)
    {
        if (!e.Received && _serverNameRefused)
        {
            return new SslException(SslErrorNumber.Ssl, "SSL", "CALLBACK_FAILED", "callback failed", e);
        }

        if (!e.Received && _conn.VerifyResult is { IsValid: false } result)
        {
            return SslCertVerificationException.ForPeer(result.Error, ServerHostname);
        }

        return SslErrors.FromAlert(e);
    }
}
