using System.Buffers;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Hello;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Record;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Connection;

/// <summary>
/// A TLS 1.3 or TLS 1.2 connection without I/O: TLS bytes go in with <see cref="ReceiveBytes"/>, TLS bytes to send come
/// out of <see cref="TakeOutgoing(Span{byte})"/>, received plaintext comes out of <see cref="ReadApplicationData"/> and
/// plaintext to send goes in with <see cref="WriteApplicationData"/>.
/// </summary>
/// <remarks>
/// <para>Every protocol failure raises <see cref="TlsAlertException"/> to the caller and queues the matching
/// fatal alert in the outgoing bytes; a fatal alert from the peer raises it with <c>Received</c> set. After
/// either, every call except <see cref="TakeOutgoing(Span{byte})"/> throws <see cref="InvalidOperationException"/>.</para>
/// <para>Writing application data before the handshake completes, or after <see cref="Close"/>, is a caller
/// error (<see cref="InvalidOperationException"/>); nothing is queued for later. A zero-length write sends nothing.</para>
/// </remarks>
internal sealed partial class TlsConnection : IRecordLayer, IDisposable
{
    private static readonly byte[] ChangeCipherSpecBody = [0x01];

    private readonly HandshakeContext _cx;
    private readonly RecordDeframer _deframer = new();
    private readonly HandshakeReassembler _reassembler = new();
    private readonly RecordWriter _writer = new();
    private readonly PlaintextRecordProtection _ccsProtection = new();
    private readonly ByteQueue _outgoing = new();
    private readonly ByteQueue _received = new();
    private HandshakeState _state;
    private RecordProtection _readProtection = new PlaintextRecordProtection();
    private RecordProtection _writeProtection = new PlaintextRecordProtection();
    private readonly ProgressGuard _progress;
    private int _maxReceivePlaintext = RecordLimits.MaxPlaintext;
    private EarlyDataSkip _earlyDataSkip;
    private int _earlyDataSkipped;
    private TlsAlertException? _failure;
    private bool _disposed;
    private bool _established;
    private bool _peerChangedKeysInRenegotiation;

    private TlsConnection(TlsConfig settings)
    {
        settings.Validate();
        _progress = new ProgressGuard(ProgressLimits.Default with
        {
            KeyUpdates = settings.MaxKeyUpdatesWithoutData,
            Together = Math.Max(ProgressLimits.Default.Together, settings.MaxKeyUpdatesWithoutData),
        });
        _cx = new HandshakeContext(settings, this);
        _state = settings.Role == TlsRole.Client ? ClientHandshake.Start(_cx) : new ExpectClientHello();

        // The first record (the ClientHello, or the server's hello) must carry major version 3 (RFC 8446
        // appendix D: any 0x03xx); after it legacy_record_version is ignored (ProcessRecords relaxes the rules).
        _writer.FlushHandshake(_writeProtection, _outgoing);
    }

    /// <summary>Creates a client; its ClientHello is ready in the outgoing bytes at once.</summary>
    public static TlsConnection CreateClient(TlsConfig settings) =>
        settings.Role == TlsRole.Client ? new TlsConnection(settings) : throw new ArgumentException("settings are for a server", nameof(settings));

    /// <summary>Creates a server waiting for a ClientHello.</summary>
    public static TlsConnection CreateServer(TlsConfig settings) =>
        settings.Role == TlsRole.Server ? new TlsConnection(settings) : throw new ArgumentException("settings are for a client", nameof(settings));

    /// <summary>True for the client side.</summary>
    public bool IsClient => _cx.IsClient;

    /// <summary>
    /// True once both Finished messages have been exchanged (from this side's point of view); it stays true while a
    /// TLS 1.2 renegotiation runs (<see cref="IsRenegotiating"/>), when application data still flows.
    /// </summary>
    public bool IsHandshakeComplete => _state.IsTraffic || _established;

    /// <summary>True while a TLS 1.2 renegotiation runs (after the first handshake, before the new one completes).</summary>
    public bool IsRenegotiating => _established && !_state.IsTraffic;

    /// <summary>
    /// True while a renegotiation we asked for has not completed or been refused: one running, or (server) a
    /// HelloRequest waiting for the client's hello.
    /// </summary>
    public bool RenegotiationPending => IsRenegotiating || (_state as Tls12Traffic)?.HelloRequestPending == true;

    /// <summary>How many TLS 1.2 renegotiations completed on this connection.</summary>
    public int RenegotiationCount => _cx.Renegotiations.Completed;

    /// <summary>How many of our renegotiation requests the peer refused with a no_renegotiation warning.</summary>
    public int RenegotiationsRefused { get; private set; }

    /// <summary>The failure that ended the connection, or null.</summary>
    public TlsAlertException? Failure => _failure;

    /// <summary>True once we sent close_notify.</summary>
    public bool IsClosedForWriting { get; private set; }

    /// <summary>True once the peer's close_notify arrived: a clean end of stream once the buffered data is read.</summary>
    public bool PeerClosed { get; private set; }

    /// <summary>True when TLS bytes wait in <see cref="TakeOutgoing(Span{byte})"/>.</summary>
    public bool HasOutgoing => _outgoing.Length > 0;

    /// <summary>How many TLS bytes wait to be sent.</summary>
    public int OutgoingLength => _outgoing.Length;

    /// <summary>Received plaintext not yet read.</summary>
    public int PendingApplicationData => _received.Length;

    /// <summary>The negotiated version once the server's hello is settled (its suite known), else null.</summary>
    public ProtocolVersion? Version => _cx.Suite is null ? null : _cx.Version;

    /// <summary>The negotiated suite, or null before it is known.</summary>
    public CipherSuiteInfo? CipherSuite => _cx.Suite;

    /// <summary>The key exchange group used, or null.</summary>
    public NamedGroup? NamedGroup => _cx.Group;

    /// <summary>The server's CertificateVerify scheme, or null.</summary>
    public SignatureScheme? SignatureScheme => _cx.SignatureScheme;

    /// <summary>The client's CertificateVerify scheme when it authenticated, or null.</summary>
    public SignatureScheme? ClientSignatureScheme => _cx.ClientSignatureScheme;

    /// <summary>The agreed ALPN protocol, or null.</summary>
    public byte[]? AlpnProtocol => _cx.Alpn;

    /// <summary>The TLS 1.2 compression method in use (null unless both sides allow compression).</summary>
    public CompressionMethod Compression => _cx.Compression;

    /// <summary>The server name: the one the client asked for (server side) or was configured with (client side).</summary>
    public string? ServerName => _cx.ServerName;

    /// <summary>The peer's certificate chain as sent, leaf first (DER); empty when none.</summary>
    public IReadOnlyList<byte[]> PeerCertificateChain => _cx.PeerChain;

    /// <summary>The result of verifying the peer's chain, or null when it was not verified.</summary>
    public VerifyResult? VerifyResult => _cx.VerifyResult;

    /// <summary>True when a HelloRetryRequest was part of the handshake.</summary>
    public bool HelloRetried => _cx.HelloRetried;

    /// <summary>True when the handshake resumed a session with a PSK instead of authenticating with certificates.</summary>
    public bool SessionReused => _cx.SessionReused;

    /// <summary>Server: the cipher suites the client offered, in its order (empty before its hello is processed).</summary>
    public IReadOnlyList<TlsCipherSuite> PeerCipherSuites => _cx.PeerCipherSuites;

    /// <summary>Server: true when the client offered a session to resume (a pre_shared_key), whether or not it was resumed.</summary>
    public bool PeerOfferedSession => _cx.PeerOfferedPsk;

    /// <summary>
    /// Client: the sessions received in NewSessionTicket messages so far, oldest first. They belong to the
    /// caller, who offers one through <see cref="TlsConfig.ResumptionSession"/> and disposes it (wiping its PSK).
    /// </summary>
    public IReadOnlyList<Tls13Session> ReceivedSessions => _cx.ReceivedSessions;

    /// <summary>Client: the most recent session received, or null.</summary>
    public Tls13Session? LatestSession => _cx.ReceivedSessions.Count == 0 ? null : _cx.ReceivedSessions[^1];

    /// <summary>Server: true when the client offered post_handshake_auth (RFC 8446 section 4.2.6).</summary>
    public bool PeerOffersPostHandshakeAuth => _cx.PeerOffersPostHandshakeAuth;

    /// <summary>
    /// Server: true while a post-handshake CertificateRequest waits for the client's answer (in TLS 1.2, while the
    /// renegotiation that asks for it has not completed).
    /// </summary>
    public bool PostHandshakeAuthPending => (_state as TrafficState)?.ClientAuthPending
        ?? (IsRenegotiating && _cx.Renegotiation?.RequestsClientCertificate == true);

    /// <summary>Server: how many post-handshake client authentications completed (TLS 1.2: renegotiations that asked for one).</summary>
    public int PostHandshakeAuthCount => _cx.Version == ProtocolVersion.Tls12
        ? _cx.Renegotiations.ClientAuthentications
        : (_state as TrafficState)?.ClientAuthCount ?? 0;

    /// <summary>
    /// Client: the certificate_authorities (DER distinguished names) of the server's latest CertificateRequest,
    /// during or after the handshake; empty when it sent none.
    /// </summary>
    public IReadOnlyList<byte[]> CertificateAuthorities => _cx.CertificateAuthorities;

    /// <summary>The record_size_limit the peer announced, when both sides sent one (RFC 8449); else null.</summary>
    public int? PeerRecordSizeLimit => _cx.PeerRecordSizeLimit;

    /// <summary>The most content one record we send carries: 2^14, or less under the peer's record_size_limit.</summary>
    public int MaxOutgoingFragmentLength => _writer.MaxFragmentLength;

    /// <summary>The keys records are opened with now (for tests of sequence-number limits).</summary>
    internal RecordProtection ReadProtection => _readProtection;

    /// <summary>How many times our write keys were updated since the handshake.</summary>
    public int WriteKeyGeneration => (_state as TrafficState)?.WriteGeneration ?? 0;

    /// <summary>How many times the peer's keys were updated since the handshake.</summary>
    public int ReadKeyGeneration => (_state as TrafficState)?.ReadGeneration ?? 0;

    /// <summary>
    /// Takes TLS bytes from the peer and processes every complete record: handshake messages advance the
    /// state machine (answers appear in the outgoing bytes), application data becomes readable, alerts end
    /// the connection. Partial records are kept for the next call. Bytes after the peer's close_notify are ignored.
    /// </summary>
    public void ReceiveBytes(ReadOnlySpan<byte> data)
    {
        ThrowIfUnusable();
        try
        {
            while (!data.IsEmpty && !PeerClosed)
            {
                int taken = _deframer.Write(data);
                data = data.Slice(taken);
                int records = ProcessRecords();
                if (taken == 0 && records == 0)
                {
                    throw TlsAlertException.Internal("record buffer full without a complete record");
                }
            }

            // Whatever was fully processed gives its buffer back to the pool: an idle connection holds none.
            _deframer.ReleaseIfEmpty();
            _reassembler.ReleaseIfEmpty();
            _writer.FlushHandshake(_writeProtection, _outgoing);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(e);
        }
    }

    /// <summary>Copies received plaintext into <paramref name="destination"/>; returns the byte count (0 when none is buffered).</summary>
    public int ReadApplicationData(Span<byte> destination)
    {
        ThrowIfDisposed();
        return _received.Read(destination);
    }

    /// <summary>Copies pending TLS bytes into <paramref name="destination"/>; returns the byte count. Works after a failure, to deliver the alert.</summary>
    public int TakeOutgoing(Span<byte> destination)
    {
        ThrowIfDisposed();
        return _outgoing.Read(destination);
    }

    /// <summary>Moves every pending TLS byte into <paramref name="output"/>; returns the byte count.</summary>
    public int TakeOutgoing(IBufferWriter<byte> output)
    {
        ThrowIfDisposed();
        int n = _outgoing.Length;
        _outgoing.Peek.CopyTo(output.GetSpan(n));
        output.Advance(n);
        _outgoing.Skip(n);
        return n;
    }

    /// <summary>
    /// Protects <paramref name="data"/> as application_data records of at most 2^14 bytes each and queues them.
    /// Updates our keys first whenever the record protection asks for it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The handshake is not complete, or we already closed.</exception>
    public void WriteApplicationData(ReadOnlySpan<byte> data)
    {
        ThrowIfUnusable();
        if (!IsHandshakeComplete)
        {
            throw new InvalidOperationException("the handshake is not complete");
        }

        if (IsClosedForWriting)
        {
            throw new InvalidOperationException("close_notify was sent; no more data may be written");
        }

        try
        {
            // Room for every record at once, so that sealing never moves records already sealed to a bigger buffer.
            int max = _writer.MaxFragmentLength;
            if (!data.IsEmpty)
            {
                _outgoing.GetSpan(RecordWriter.RecordCount(data.Length, max) * _writeProtection.MaxRecordLength(max));
            }

            while (!data.IsEmpty)
            {
                if (_writeProtection.NeedsKeyUpdate && _state is TrafficState traffic)
                {
                    traffic.UpdateWriteKeys(_cx, requestPeerUpdate: false);
                }

                int n = Math.Min(data.Length, _writer.MaxFragmentLength);
                _writer.Write(ContentType.ApplicationData, data.Slice(0, n), _writeProtection, _outgoing);
                data = data.Slice(n);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(e);
        }
    }

    /// <summary>Sends KeyUpdate and switches to new write keys; with <paramref name="requestPeerUpdate"/> the peer is asked to do the same.</summary>
    public void UpdateKeys(bool requestPeerUpdate)
    {
        TrafficState traffic = RequireTraffic();
        if (IsClosedForWriting)
        {
            throw new InvalidOperationException("close_notify was sent");
        }

        try
        {
            traffic.UpdateWriteKeys(_cx, requestPeerUpdate);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(e);
        }
    }

    /// <summary>
    /// Server: asks for the client's certificate after the handshake (RFC 8446 section 4.6.2): a
    /// CertificateRequest with a fresh context is queued at once. The client's Certificate, CertificateVerify
    /// and Finished are checked as they arrive, interleaved with application data; afterwards
    /// <see cref="PeerCertificateChain"/> and <see cref="VerifyResult"/> describe the new certificate. An empty
    /// certificate while <see cref="TlsConfig.RequireClientCertificate"/> is set fails with
    /// <c>certificate_required</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">We are the client, the handshake is not complete, the client
    /// did not offer post_handshake_auth, a request is already pending, or we closed.</exception>
    public void RequestClientCertificatePostHandshake()
    {
        TrafficState traffic = RequireTraffic();
        if (IsClient)
        {
            throw new InvalidOperationException("only a server requests a client certificate");
        }

        if (_cx.Version != ProtocolVersion.Tls12 && !_cx.PeerOffersPostHandshakeAuth)
        {
            throw new InvalidOperationException("the client did not offer post_handshake_auth");
        }

        if (traffic.ClientAuthPending)
        {
            throw new InvalidOperationException("a post-handshake certificate request is already pending");
        }

        if (IsClosedForWriting)
        {
            throw new InvalidOperationException("close_notify was sent");
        }

        try
        {
            traffic.RequestClientAuth(_cx);
            _writer.FlushHandshake(_writeProtection, _outgoing);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(e);
        }
    }

    /// <summary>
    /// TLS 1.2: starts a renegotiation (decision 0024). A client queues its new ClientHello, a server a HelloRequest
    /// (with <paramref name="requestClientCertificate"/>, the new handshake asks for the client's certificate).
    /// Application data keeps flowing while it runs; <see cref="RenegotiationPending"/> turns false when it completes
    /// (<see cref="RenegotiationCount"/> grows) or the peer refuses it (<see cref="RenegotiationsRefused"/> grows).
    /// </summary>
    /// <exception cref="InvalidOperationException">The handshake is not complete, the connection is not TLS 1.2, a
    /// renegotiation is already running, our settings refuse it, secure renegotiation was not negotiated (without
    /// unsafe legacy renegotiation allowed), or we closed.</exception>
    public void Renegotiate(bool requestClientCertificate = false)
    {
        ThrowIfUnusable();
        if (IsRenegotiating)
        {
            throw new InvalidOperationException("a renegotiation is already running");
        }

        TrafficState traffic = RequireTraffic();
        if (traffic is not Tls12Traffic tls12)
        {
            throw new InvalidOperationException("only a TLS 1.2 connection renegotiates");
        }

        if (IsClosedForWriting)
        {
            throw new InvalidOperationException("close_notify was sent");
        }

        if (requestClientCertificate && IsClient)
        {
            throw new InvalidOperationException("only a server requests a client certificate");
        }

        try
        {
            _peerChangedKeysInRenegotiation = false;
            _state = tls12.Renegotiate(_cx, requestClientCertificate);
            _writer.FlushHandshake(_writeProtection, _outgoing);
        }
        catch (InvalidOperationException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(e);
        }
    }

    /// <summary>Queues close_notify (once). Received data stays readable; nothing more may be written.</summary>
    public void Close()
    {
        ThrowIfUnusable();
        if (IsClosedForWriting)
        {
            return;
        }

        try
        {
            _writer.FlushHandshake(_writeProtection, _outgoing);
            SendAlert(AlertLevel.Warning, AlertDescription.CloseNotify);
            IsClosedForWriting = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Fail(e);
        }
    }

    /// <summary>
    /// Keying material exported per RFC 8446 section 7.5 for TLS 1.3 (<c>HKDF-Expand-Label(Derive-Secret(exporter, label, ""), "exporter", Hash(context), length)</c>)
    /// or RFC 5705 for TLS 1.2 (<c>PRF(master_secret, label, client_random + server_random + context_length + context)</c>).
    /// </summary>
    public byte[] ExportKeyingMaterial(string label, ReadOnlySpan<byte> context, int length)
    {
        // While a TLS 1.2 renegotiation runs, the last completed handshake's exporter answers.
        ThrowIfUnusable();
        IKeyingMaterialExporter exporter = IsHandshakeComplete && _cx.Exporter is { } e ? e : throw new InvalidOperationException("the handshake is not complete");
        return exporter.Export(label, context, length);
    }

    /// <summary>
    /// The channel binding types <see cref="GetChannelBinding"/> knows: Python's <c>ssl.CHANNEL_BINDING_TYPES</c>
    /// ("tls-unique") and "tls-exporter" (RFC 9266).
    /// </summary>
    public static IReadOnlyList<string> ChannelBindingTypes { get; } = ["tls-unique", TlsExporterBinding];

    /// <summary>The channel binding type of RFC 9266.</summary>
    internal const string TlsExporterBinding = "tls-exporter";

    /// <summary>The exporter label RFC 9266 section 2 gives tls-exporter; the context is empty and the length 32.</summary>
    private const string TlsExporterLabel = "EXPORTER-Channel-Binding";

    /// <summary>
    /// Channel binding data of type <paramref name="type"/> (Python's <c>get_channel_binding</c>), null before the
    /// handshake completes. "tls-unique" (RFC 5929 section 3) is the verify_data of the first Finished message of the
    /// latest completed TLS 1.2 handshake (the client's in a full handshake; a renegotiation replaces it when it
    /// completes). On TLS 1.3, where RFC 8446 and RFC 9266 leave tls-unique undefined, it is what OpenSSL and so Python
    /// return (decision 0029): the client's Finished after a full handshake, the server's after a resumption, and the
    /// client's Finished of the latest post-handshake authentication after a full handshake. "tls-exporter" (RFC 9266) is 32 bytes
    /// exported with the label "EXPORTER-Channel-Binding" and an empty context, on TLS 1.3 only: on TLS 1.2 RFC 9266
    /// requires extended_master_secret, and an empty context and no context export differently there, so peers
    /// disagree; null on TLS 1.2.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not one of <see cref="ChannelBindingTypes"/>.</exception>
    public byte[]? GetChannelBinding(string type = "tls-unique")
    {
        ThrowIfDisposed();
        switch (type)
        {
            case "tls-unique":
                // RFC 5929 section 3.1: the latest completed handshake's, also while a renegotiation runs.
                return !IsHandshakeComplete ? null
                    : _cx.Version == ProtocolVersion.Tls13 ? Tls13Unique()
                    : _cx.Tls12Finished?.TlsUnique;
            case TlsExporterBinding:
                return IsHandshakeComplete && _cx.Version == ProtocolVersion.Tls13 && _cx.Exporter is { } exporter
                    ? exporter.Export(TlsExporterLabel, [], 32)
                    : null;
            default:
                throw new ArgumentException($"{type} channel binding type not implemented", nameof(type));
        }
    }

    // Python's get_channel_binding: "session reused XOR client" picks this side's last Finished (SSL_get_finished), else
    // the peer's (SSL_get_peer_finished); on TLS 1.3 the client's Finished after a full handshake, the server's after a
    // resumption, and a post-handshake authentication's client Finished replaces either, as in OpenSSL.
    private byte[]? Tls13Unique()
    {
        bool own = _cx.SessionReused ^ (_cx.Settings.Role == TlsRole.Client);
        byte[]? finished = own ? _cx.Tls13SentFinished : _cx.Tls13ReceivedFinished;
        return (byte[]?)finished?.Clone();
    }

    /// <summary>Client, TLS 1.2: the ticket of the server's NewSessionTicket (RFC 5077), or null when it sent none.</summary>
    internal Tls12Ticket? Tls12Ticket => _cx.Tls12Ticket;

    /// <summary>
    /// Client, TLS 1.2: the session this handshake made (a full handshake, or a resumption that brought a new ticket),
    /// or null. It belongs to the caller, who offers it through <see cref="TlsConfig.Tls12ResumptionSession"/> and
    /// disposes it (wiping its master secret).
    /// </summary>
    internal Tls12Session? Tls12Session => _cx.Tls12Session;

    /// <summary>Server, TLS 1.2: the ServerHello's session id (empty when a ticket names the session), or null.</summary>
    internal byte[]? Tls12SessionId => _cx.Tls12SessionId;

    /// <summary>Server, TLS 1.2: a session id the client offered was not in the session cache.</summary>
    internal bool SessionCacheMissed => _cx.SessionCacheMissed;

    /// <summary>Server, TLS 1.2: the session the client offered had expired.</summary>
    internal bool SessionTimedOut => _cx.SessionTimedOut;

    /// <summary>Wipes every buffer and secret the connection holds.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _state.Dispose();
        _cx.Exporter?.Dispose();
        _readProtection.Dispose();
        _writeProtection.Dispose();
        _ccsProtection.Dispose();
        _deframer.Dispose();
        _reassembler.Dispose();
        _writer.Dispose();
        _outgoing.Dispose();
        _received.Dispose();
    }
}
