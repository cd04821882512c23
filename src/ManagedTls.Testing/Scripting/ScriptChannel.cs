using System.Diagnostics;
using ManagedTls.CipherSuites;
using ManagedTls.Handshake;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>What the script read from the target, one item per record content, message or end of stream.</summary>
internal abstract record ScriptEvent
{
    public sealed record Message(ReceivedMessage Value) : ScriptEvent
    {
        public override string ToString() => $"handshake {Value}";
    }

    public sealed record Alert(ReceivedAlert Value, byte[] Raw) : ScriptEvent
    {
        public override string ToString() => $"{Value} [{Hex.Format(Raw)}]";
    }

    public sealed record ApplicationData(byte[] Data, bool Protected) : ScriptEvent
    {
        public override string ToString() => $"application data{(Protected ? "" : " (unprotected)")} [{Hex.Format(Data)}]";
    }

    public sealed record ChangeCipherSpec(byte[] Data) : ScriptEvent
    {
        public override string ToString() => $"change_cipher_spec [{Hex.Format(Data)}]";
    }

    public sealed record Undecryptable(ContentType OuterType, byte[] Record) : ScriptEvent
    {
        public override string ToString() => $"a {OuterType} record the kit could not open with its keys [{Hex.Format(Record)}]";
    }

    public sealed record Malformed(string Reason, byte[] Bytes) : ScriptEvent
    {
        public override string ToString() => $"malformed input ({Reason}) [{Hex.Format(Bytes)}]";
    }

    public sealed record Eof : ScriptEvent
    {
        public override string ToString() => "end of stream";
    }
}

/// <summary>How outgoing records are protected.</summary>
public enum RecordProtectionMode
{
    /// <summary>As a real peer would: plaintext before keys, protected under the current write keys after.</summary>
    Auto,
    /// <summary>Always TLSPlaintext.</summary>
    Plaintext,
    /// <summary>Always protected under the current write keys (an error before there are any).</summary>
    Protected,
}

/// <summary>
/// The script's record layer over a target: frames, seals and opens records with the engine's deframer, handshake
/// reassembler and record protections (TLS 1.3, and TLS 1.2 AEAD or CBC), and turns what arrives into
/// <see cref="ScriptEvent"/>s. Key changes come from <see cref="ScriptPeer"/>, which sees every handshake message as it
/// is queued or reassembled, and every change_cipher_spec sent or received.
/// </summary>
internal sealed class ScriptChannel : IDisposable
{
    private readonly ITlsTarget _target;
    private readonly RecordDeframer _deframer = new(new RecordReadRules(RecordReadState.Tls12Protected, RecordVersionCheck.Ignore));
    private readonly HandshakeReassembler _reassembler = new(0xFFFFFF);
    private readonly List<ScriptEvent> _events = [];
    private readonly byte[] _readBuffer = new byte[32 * 1024];
    private readonly List<byte> _pending = [];
    private readonly List<RecordProtection> _retired = [];
    private RecordProtection? _pendingKeys;
    private SendOptions _pendingOptions = SendOptions.Default;
    private RecordProtection? _write;
    private RecordProtection? _read;
    private RecordProtection? _previousRead;
    private bool _readBroken;
    private bool _eofSeen;

    public ScriptChannel(ITlsTarget target) => _target = target;

    /// <summary>Sees each handshake message as it is queued for sending or reassembled from what arrived.</summary>
    public ScriptPeer? Peer { get; set; }

    /// <summary>Events read and not yet consumed.</summary>
    public List<ScriptEvent> Events => _events;

    /// <summary>TLS 1.3: protects what is sent from now on under <paramref name="trafficSecret"/>.</summary>
    public void SetWriteKeys(CipherSuiteInfo suite, ReadOnlySpan<byte> trafficSecret) =>
        // The kit is the peer that misbehaves: it never refuses to seal on its own account.
        SetWriteProtection(Tls13RecordProtection.FromTrafficSecret(suite.Aead!.Value, suite.PrfHash, trafficSecret, SequenceLimits.Receive));

    /// <summary>Protects what is sent from now on with <paramref name="protection"/>, which the channel now owns.</summary>
    public void SetWriteProtection(RecordProtection protection)
    {
        if (_pending.Count > 0 && _pendingOptions.SingleRecord)
        {
            // The pending record keeps the keys it started under; they are disposed once it is sent.
            if (_write is not null)
            {
                _retired.Add(_write);
            }
        }
        else
        {
            FlushHandshake();
            _write?.Dispose();
        }

        _write = protection;
    }

    /// <summary>Advances the write sequence number by <paramref name="count"/> as if that many records had been sent.</summary>
    public void SkipWriteSequenceNumbers(ulong count)
    {
        FlushHandshake();
        RecordProtection write = RequireWriteKeys();
        write.SequenceNumber = checked(write.SequenceNumber + count);
    }

    /// <summary>TLS 1.3: opens records from now on under <paramref name="trafficSecret"/> (the previous keys are still tried).</summary>
    public void SetReadKeys(CipherSuiteInfo suite, ReadOnlySpan<byte> trafficSecret) =>
        SetReadProtection(Tls13RecordProtection.FromTrafficSecret(suite.Aead!.Value, suite.PrfHash, trafficSecret, SequenceLimits.Receive));

    /// <summary>Opens records from now on with <paramref name="protection"/>, which the channel now owns.</summary>
    public void SetReadProtection(RecordProtection protection)
    {
        _previousRead?.Dispose();
        _previousRead = _read;
        _read = protection;
    }

    /// <summary>
    /// Queues one encoded handshake message: it joins the pending record content when that is under the same
    /// protection (and the options coalesce), else the pending content is flushed first. Then the peer sees it, which
    /// may change the write keys for the next message (with <see cref="SendOptions.SingleRecord"/> the pending record
    /// keeps the keys it started under).
    /// </summary>
    public void QueueHandshake(byte[] message, SendOptions options)
    {
        bool protect = ResolveProtection(options.Protection);
        RecordProtection? keys = protect ? RequireWriteKeys() : null;
        bool join = _pending.Count > 0 && ReferenceEquals(options, _pendingOptions) && options.Coalesce
            && (options.SingleRecord || ReferenceEquals(keys, _pendingKeys));
        if (_pending.Count > 0 && !join)
        {
            FlushHandshake();
        }

        if (_pending.Count == 0)
        {
            _pendingKeys = keys;
            _pendingOptions = options;
        }

        _pending.AddRange(message);
        Peer?.OnSent(message);
        if (!options.Coalesce)
        {
            FlushHandshake();
        }
    }

    /// <summary>Seals what <see cref="QueueHandshake"/> collected, split at the options' fragment sizes.</summary>
    public void FlushHandshake()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        byte[] content = [.. _pending];
        _pending.Clear();
        RecordProtection? keys = _pendingKeys;
        _pendingKeys = null;
        SendContent(ContentType.Handshake, content, keys, _pendingOptions);
        foreach (RecordProtection old in _retired)
        {
            old.Dispose();
        }

        _retired.Clear();
    }

    /// <summary>Sends <paramref name="content"/> as records of <paramref name="type"/>, fragmented per the options.</summary>
    public void SendContent(ContentType type, ReadOnlySpan<byte> content, bool protect, SendOptions options) =>
        SendContent(type, content, protect ? RequireWriteKeys() : null, options);

    /// <summary>Sends one record.</summary>
    public void SendRecord(ContentType type, ReadOnlySpan<byte> content, bool protect, SendOptions options)
    {
        FlushIfNotHandshake(type);
        Deliver(protect ? Seal(type, content, options) : Plain(type, content, options));
    }

    /// <summary>
    /// Sends one record whose TLSCompressed fragment is <paramref name="compressed"/> as given, protected under the current
    /// write keys, which must carry TLS 1.2 compression (RFC 3749); the kit's own compression stream is then out of step.
    /// </summary>
    public void SendCompressedRecord(ContentType type, ReadOnlySpan<byte> compressed)
    {
        if (RequireWriteKeys() is not CompressedRecordProtection keys)
        {
            throw new InvalidOperationException("no compression was negotiated: there is no TLSCompressed fragment to send");
        }

        FlushIfNotHandshake(type);
        byte[] record = new byte[RecordLimits.HeaderSize + RecordLimits.MaxTls12Ciphertext];
        int n = keys.SealCompressed(type, compressed, record);
        Deliver(record.AsSpan(0, n));
    }

    private void SendContent(ContentType type, ReadOnlySpan<byte> content, RecordProtection? keys, SendOptions options)
    {
        int index = 0;
        do
        {
            int size = options.FragmentSizes is { Count: > 0 } sizes ? sizes[Math.Min(index, sizes.Count - 1)] : RecordLimits.MaxPlaintext;
            if (size <= 0)
            {
                throw new ArgumentException("fragment sizes must be positive", nameof(options));
            }

            int n = Math.Min(size, content.Length);
            Deliver(keys is null ? Plain(type, content.Slice(0, n), options) : Seal(keys, type, content.Slice(0, n), options));
            content = content.Slice(n);
            index++;
        }
        while (!content.IsEmpty);
    }

    /// <summary>True when TLS 1.2 write keys are installed (a renegotiation's change_cipher_spec is protected under them).</summary>
    public bool HasTls12WriteKeys => _write is { Version: ProtocolVersion.Tls12 };

    private RecordProtection RequireWriteKeys() =>
        _write ?? throw new InvalidOperationException("no write keys are installed yet: this record cannot be protected");

    /// <summary>One record protected under the current write keys (the sequence number advances).</summary>
    public byte[] Seal(ContentType type, ReadOnlySpan<byte> content, SendOptions options) => Seal(RequireWriteKeys(), type, content, options);

    private static byte[] Seal(RecordProtection write, ContentType type, ReadOnlySpan<byte> content, SendOptions options)
    {
        byte[] record;
        int n;
        if (write is Tls13RecordProtection tls13)
        {
            int padding = Math.Max(0, options.Padding);
            record = new byte[RecordLimits.HeaderSize + content.Length + 1 + padding + 16];
            n = tls13.Seal(type, content, record, padding);
        }
        else
        {
            record = new byte[write.MaxRecordLength(content.Length)];
            n = write.Seal(type, content, record);
        }

        if (n != record.Length)
        {
            Array.Resize(ref record, n);
        }

        if (options.LegacyRecordVersion is ushort v)
        {
            record[1] = (byte)(v >> 8);
            record[2] = (byte)v;
        }

        return record;
    }

    private static byte[] Plain(ContentType type, ReadOnlySpan<byte> content, SendOptions options)
    {
        byte[] record = new byte[RecordLimits.HeaderSize + content.Length];
        RecordHeader.Write(record, type, options.LegacyRecordVersion ?? 0x0303, content.Length);
        content.CopyTo(record.AsSpan(RecordLimits.HeaderSize));
        return record;
    }

    /// <summary>Delivers raw bytes (after any pending handshake content).</summary>
    public void Deliver(ReadOnlySpan<byte> bytes)
    {
        FlushHandshake();
        _target.Deliver(bytes);
    }

    /// <summary>Whether a record sent now with <paramref name="mode"/> is protected.</summary>
    public bool ResolveProtection(RecordProtectionMode mode) => mode switch
    {
        RecordProtectionMode.Plaintext => false,
        RecordProtectionMode.Protected => true,
        _ => _write is not null,
    };

    /// <summary>Reads from the target once, waiting at most until <paramref name="deadline"/>; false when nothing arrived.</summary>
    public bool Fill(Stopwatch clock, TimeSpan deadline)
    {
        FlushHandshake();
        if (_eofSeen)
        {
            return false;
        }

        TimeSpan remaining = deadline - clock.Elapsed;
        if (remaining < TimeSpan.Zero)
        {
            remaining = TimeSpan.Zero;
        }

        int n = _target.Receive(_readBuffer, remaining);
        if (n == TargetRead.NothingYet)
        {
            return false;
        }

        if (n == TargetRead.Eof)
        {
            _eofSeen = true;
            if (_deframer.BufferedLength > 0 && !_readBroken)
            {
                _events.Add(new ScriptEvent.Malformed("a partial record before the end of stream", []));
            }

            _events.Add(new ScriptEvent.Eof());
            return true;
        }

        if (!_readBroken)
        {
            Process(_readBuffer.AsSpan(0, n));
        }

        return true;
    }

    public void Dispose()
    {
        foreach (RecordProtection old in _retired)
        {
            old.Dispose();
        }

        _write?.Dispose();
        _read?.Dispose();
        _previousRead?.Dispose();
        _deframer.Dispose();
        _reassembler.Dispose();
    }

    private void FlushIfNotHandshake(ContentType type)
    {
        if (type != ContentType.Handshake)
        {
            FlushHandshake();
        }
    }

    private void Process(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_readBroken)
        {
            int taken = _deframer.Write(data);
            data = data.Slice(taken);
            while (!_readBroken)
            {
                TlsRecord record;
                try
                {
                    if (!_deframer.TryRead(out record))
                    {
                        break;
                    }
                }
                catch (TlsAlertException e)
                {
                    Broken($"record header: {e.Message}", []);
                    break;
                }

                OnRecord(record);
            }
        }
    }

    private void OnRecord(TlsRecord record)
    {
        byte[] raw = new byte[RecordLimits.HeaderSize + record.Fragment.Length];
        record.Header.Write(raw);
        record.Fragment.CopyTo(raw.AsSpan(RecordLimits.HeaderSize));
        switch (record.Type)
        {
            case ContentType.ChangeCipherSpec when _read is { Version: ProtocolVersion.Tls12 }:
                // A TLS 1.2 renegotiation: change_cipher_spec comes under the keys in use.
                if (!TryOpen(record, out _, out byte[] body))
                {
                    _events.Add(new ScriptEvent.Undecryptable(record.Type, raw));
                    return;
                }

                _events.Add(new ScriptEvent.ChangeCipherSpec(body));
                Peer?.OnChangeCipherSpecReceived();
                return;
            case ContentType.ChangeCipherSpec:
                _events.Add(new ScriptEvent.ChangeCipherSpec(record.Fragment.ToArray()));
                Peer?.OnChangeCipherSpecReceived();
                return;
            case ContentType.ApplicationData when _read is not null:
            case not ContentType.ApplicationData when _read is { Version: ProtocolVersion.Tls12 }:
                if (!TryOpen(record, out ContentType inner, out byte[] content))
                {
                    _events.Add(new ScriptEvent.Undecryptable(record.Type, raw));
                    return;
                }

                OnContent(inner, content, isProtected: true, raw);
                return;
            default:
                OnContent(record.Type, record.Fragment.ToArray(), isProtected: false, raw);
                return;
        }
    }

    private bool TryOpen(TlsRecord record, out ContentType inner, out byte[] content)
    {
        byte[] copy = record.Fragment.ToArray();
        if (_read is { Version: ProtocolVersion.Tls12 } tls12)
        {
            // TLS 1.2 has one set of read keys per direction and no trial decryption: a failure consumes the number.
            try
            {
                inner = tls12.Open(record.Type, record.LegacyVersion, copy, out Span<byte> plain);
                content = plain.ToArray();
                return true;
            }
            catch (TlsAlertException)
            {
                inner = ContentType.Invalid;
                content = [];
                return false;
            }
        }

        foreach (RecordProtection? keys in new[] { _read, _previousRead })
        {
            if (keys is not Tls13RecordProtection tls13)
            {
                continue;
            }

            byte[] attempt = (byte[])copy.Clone();
            try
            {
                if (tls13.TryOpen(record.Type, record.LegacyVersion, attempt, out inner, out Span<byte> plain))
                {
                    content = plain.ToArray();
                    return true;
                }
            }
            catch (TlsAlertException)
            {
                // Authenticated but malformed inside (all padding, too long): reported as undecryptable.
            }
        }

        inner = ContentType.Invalid;
        content = [];
        return false;
    }

    private void OnContent(ContentType type, byte[] content, bool isProtected, byte[] raw)
    {
        switch (type)
        {
            case ContentType.Handshake:
                try
                {
                    _reassembler.AddFragment(content);
                    while (_reassembler.TryReadMessage(out Record.HandshakeMessage message))
                    {
                        var received = new ReceivedMessage(message.Encoded.ToArray(), isProtected, Peer?.ParseContext);
                        Peer?.OnReceived(received);
                        _events.Add(new ScriptEvent.Message(received));
                    }
                }
                catch (TlsAlertException e)
                {
                    Broken($"handshake framing: {e.Message}", raw);
                }

                return;
            case ContentType.Alert when content.Length == 2:
                _events.Add(new ScriptEvent.Alert(new ReceivedAlert((AlertLevel)content[0], (AlertDescription)content[1], isProtected), raw));
                return;
            case ContentType.ApplicationData:
                _events.Add(new ScriptEvent.ApplicationData(content, isProtected));
                return;
            default:
                _events.Add(new ScriptEvent.Malformed($"{type} record content of {content.Length} byte(s)", raw));
                return;
        }
    }

    private void Broken(string reason, byte[] bytes)
    {
        _readBroken = true;
        _events.Add(new ScriptEvent.Malformed(reason, bytes));
    }
}
