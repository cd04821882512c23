using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Hello;
using ManagedTls.Handshake.Tls12;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Record;
using ManagedTls.Wire;

namespace ManagedTls.Connection;

/// <summary>The record side of the connection: reading records, key changes, alerts and failure.</summary>
internal sealed partial class TlsConnection
{
    /// <inheritdoc/>
    void IRecordLayer.QueueHandshake(ReadOnlySpan<byte> encodedMessage) => _writer.QueueHandshake(encodedMessage);

    /// <inheritdoc/>
    void IRecordLayer.SendChangeCipherSpec()
    {
        _writer.FlushHandshake(_writeProtection, _outgoing);

        // In a TLS 1.2 renegotiation change_cipher_spec goes under the keys in use (RFC 5246 section 6.1); otherwise
        // (the first handshake, TLS 1.3's compatibility record) it is plaintext.
        RecordProtection protection = _writeProtection.IsProtected && _writeProtection.Version == ProtocolVersion.Tls12 ? _writeProtection : _ccsProtection;
        _writer.Write(ContentType.ChangeCipherSpec, ChangeCipherSpecBody, protection, _outgoing);
    }

    /// <inheritdoc/>
    void IRecordLayer.SetWriteProtection(RecordProtection protection)
    {
        _writer.FlushHandshake(_writeProtection, _outgoing);
        RecordProtection old = _writeProtection;
        _writeProtection = protection;
        old.Dispose();
    }

    /// <inheritdoc/>
    void IRecordLayer.SetReadProtection(RecordProtection protection)
    {
        _reassembler.CheckKeyChange();
        RecordProtection old = _readProtection;
        _readProtection = protection;
        _readProtection.MaxReceivePlaintext = _maxReceivePlaintext;
        old.Dispose();
        _deframer.Rules = ProtectedRules(protection);
    }

    // What follows the first protected record: TLS 1.3 ignores legacy_record_version, TLS 1.2 wants it exact.
    private RecordReadRules ProtectedRules(RecordProtection protection) => protection.Version == ProtocolVersion.Tls13
        ? RecordReadRules.Tls13(protectedRecords: true, _maxReceivePlaintext)
        : RecordReadRules.Tls12(protectedRecords: true, _maxReceivePlaintext);

    /// <inheritdoc/>
    void IRecordLayer.SendWarningAlert(AlertDescription description)
    {
        _writer.FlushHandshake(_writeProtection, _outgoing);
        SendAlert(AlertLevel.Warning, description);
    }

    /// <inheritdoc/>
    void IRecordLayer.SkipRejectedEarlyData(EarlyDataSkip mode) => _earlyDataSkip = mode;

    /// <inheritdoc/>
    void IRecordLayer.SetRecordSizeLimits(int peerLimit, int ownLimit)
    {
        _writer.FlushHandshake(_writeProtection, _outgoing);
        bool tls13 = _cx.Version != ProtocolVersion.Tls12;
        _writer.MaxFragmentLength = RecordLimits.MaxFragmentLength(peerLimit, tls13);

        // In TLS 1.3 the limit counts TLSInnerPlaintext, whose content type byte is not content; in TLS 1.2 it counts
        // the plaintext itself (RFC 8449 section 4).
        _maxReceivePlaintext = Math.Min(tls13 ? ownLimit - 1 : ownLimit, RecordLimits.MaxPlaintext);
        if (_readProtection.IsProtected)
        {
            _readProtection.MaxReceivePlaintext = _maxReceivePlaintext;
            _deframer.Rules = ProtectedRules(_readProtection);
        }
    }

    private int ProcessRecords()
    {
        int count = 0;
        Span<byte> none = default;
        while (!PeerClosed && _deframer.TryRead(out TlsRecord record))
        {
            count++;
            ProcessRecord(record, ref none);
        }

        return count;
    }

    // One record, opened in place: application data goes into `destination` while it has room (the slice left is
    // passed back), the rest to the received queue.
    private void ProcessRecord(TlsRecord record, ref Span<byte> destination)
    {
        if (_deframer.Rules.VersionCheck == RecordVersionCheck.MajorThree)
        {
            // Only the first record's legacy_record_version is checked (RFC 8446 section 5.1 and appendix D).
            _deframer.Rules = RecordReadRules.Tls13(protectedRecords: false);
        }

        ContentType outer = record.Type;
        if (outer == ContentType.ChangeCipherSpec)
        {
            // Only a plaintext change_cipher_spec exists; the state decides what it means (RFC 5246 section 7.1,
            // RFC 8446 section 5).
            _progress.ChangeCipherSpec();
            _reassembler.CheckInterleaving(ContentType.ChangeCipherSpec);
            Span<byte> body = record.Fragment;
            if (IsRenegotiating && _readProtection.IsProtected)
            {
                // In a TLS 1.2 renegotiation the peer protects change_cipher_spec under the keys in use; elsewhere
                // one after the keys changed is out of place whatever it carries (unexpected_message from the state).
                _readProtection.Open(outer, record.LegacyVersion, record.Fragment, out body);
            }

            _peerChangedKeysInRenegotiation |= IsRenegotiating;
            Advance(_state.HandleChangeCipherSpec(_cx, body));
            return;
        }

        ContentType type;
        Span<byte> content;
        if (outer == ContentType.ApplicationData && _earlyDataSkip != EarlyDataSkip.None)
        {
            if (!SkipOrOpenAfterRejectedEarlyData(record, out type, out content))
            {
                return;
            }
        }
        else if (outer == ContentType.Alert && _readProtection.IsProtected && _readProtection.Version == ProtocolVersion.Tls13 && !_state.IsTraffic)
        {
            // A TLS 1.3 peer may fail before it has our handshake keys; its alert then arrives in the clear. (A TLS
            // 1.2 peer protects everything after its ChangeCipherSpec.)
            type = ContentType.Alert;
            content = record.Fragment;
        }
        else if (outer == ContentType.ApplicationData && !_readProtection.IsProtected)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, "application_data record before any keys");
        }
        else
        {
            type = _readProtection.Open(outer, record.LegacyVersion, record.Fragment, out content);
        }

        _reassembler.CheckInterleaving(type);
        switch (type)
        {
            case ContentType.Handshake:
                _reassembler.AddFragment(content);
                while (_reassembler.TryReadMessage(out HandshakeMessage message))
                {
                    CountProgress(message.Type);
                    Advance(_state.Handle(_cx, message.Encoded));
                    if (_cx.Version == ProtocolVersion.Tls12 && _deframer.Rules.VersionCheck != RecordVersionCheck.Exact)
                    {
                        // Once TLS 1.2 is chosen, every record carries legacy_record_version 0x0303 (as OpenSSL
                        // checks); protected records get these rules when their keys are installed.
                        _deframer.Rules = RecordReadRules.Tls12(protectedRecords: false);
                    }
                }

                break;
            case ContentType.Alert:
                ReceiveAlert(content);
                break;
            case ContentType.ApplicationData when _state.IsTraffic || (IsRenegotiating && !_peerChangedKeysInRenegotiation):
                // During a TLS 1.2 renegotiation the peer's data is delivered until its change_cipher_spec; between
                // that and its Finished it is unexpected_message (RFC 5246 section 7.4.9).
                if (content.IsEmpty)
                {
                    _progress.EmptyRecord();
                }
                else
                {
                    _progress.Progress();
                    if (!destination.IsEmpty && _received.Length == 0)
                    {
                        int n = Math.Min(content.Length, destination.Length);
                        content.Slice(0, n).CopyTo(destination);
                        destination = destination.Slice(n);
                        content = content.Slice(n);
                    }

                    if (!content.IsEmpty)
                    {
                        _received.Write(content);
                    }
                }

                break;
            default:
                throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"{type} record in {_state.Name}");
        }
    }

    // During the handshake every message moves it on (or fails it); afterwards a KeyUpdate moves nothing, and the
    // other post-handshake messages (tickets, client authentication) neither count nor reset the counts.
    // A TLS 1.2 HelloRequest during the handshake is ignored (RFC 5246 section 7.4.1.1), so it moves nothing either;
    // a renegotiation request after it (HelloRequest, ClientHello) counts as nothing until the renegotiation moves on,
    // so a peer repeating refused requests is stopped (decision 0024).
    private void CountProgress(HandshakeType type)
    {
        if (type == HandshakeType.HelloRequest && _cx.Version == ProtocolVersion.Tls12)
        {
            _progress.Ignored();
        }
        else if (_state.IsTraffic && type == HandshakeType.ClientHello && _cx.Version == ProtocolVersion.Tls12)
        {
            _progress.Ignored();
        }
        else if (!_state.IsTraffic)
        {
            _progress.Progress();
        }
        else if (type == HandshakeType.KeyUpdate)
        {
            _progress.KeyUpdate();
        }
    }

    // Moves to the next state. The first time traffic is reached the handshake is established; when a renegotiation
    // reaches it, the renegotiation ends (its settings return, it is counted).
    private void Advance(HandshakeState next)
    {
        _state = next;
        if (next.IsTraffic)
        {
            _established = true;
            _peerChangedKeysInRenegotiation = false;
            if (_cx.Renegotiation is not null)
            {
                Tls12Renegotiation.Complete(_cx);
            }

            _cx.ReleaseTranscript();
        }
    }

    // RFC 8446 section 4.2.10: a server that rejects 0-RTT skips the client's early records, up to a budget.
    // Before the second ClientHello (after a HelloRetryRequest) every application_data record is skipped; after
    // the ServerHello a record that does not open under the client's handshake key is skipped, and the first one
    // that opens is the start of the client's second flight. Returns false when the record was skipped.
    private bool SkipOrOpenAfterRejectedEarlyData(TlsRecord record, out ContentType type, out Span<byte> content)
    {
        if (_earlyDataSkip == EarlyDataSkip.UntilSecondClientHello || _readProtection is not Tls13RecordProtection keys)
        {
            SkipEarlyData(record.Fragment.Length);
            type = ContentType.Invalid;
            content = default;
            return false;
        }

        if (!keys.TryOpen(record.Type, record.LegacyVersion, record.Fragment, out type, out content))
        {
            SkipEarlyData(record.Fragment.Length);
            return false;
        }

        _earlyDataSkip = EarlyDataSkip.None;
        return true;
    }

    private void SkipEarlyData(int fragmentLength)
    {
        // Count what the record could have carried: its ciphertext less the AEAD tag and the content type byte.
        _earlyDataSkipped += Math.Max(0, fragmentLength - 17);
        if (_earlyDataSkipped > RecordLimits.MaxRejectedEarlyData)
        {
            throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"more than {RecordLimits.MaxRejectedEarlyData} bytes of rejected early data");
        }
    }

    private void ReceiveAlert(ReadOnlySpan<byte> content)
    {
        if (content.Length != 2)
        {
            throw TlsAlertException.Decode($"alert of {content.Length} bytes");
        }

        var description = (AlertDescription)content[1];
        if (Tls12AlertRules)
        {
            ReceiveTls12Alert((AlertLevel)content[0], description);
            return;
        }

        switch (description)
        {
            case AlertDescription.CloseNotify when _state.IsTraffic:
                PeerClosed = true;
                break;
            case AlertDescription.CloseNotify when !_cx.IsClient && !_cx.ClientHelloSeen:
                // Nothing was negotiated yet: OpenSSL answers a close_notify in place of the ClientHello with
                // unexpected_message, and so do we.
                throw new TlsAlertException(AlertDescription.UnexpectedMessage, "close_notify before the ClientHello");
            case AlertDescription.CloseNotify:
                // Before our side of the handshake is complete a close_notify ends it: the handshake failed. No
                // alert answers it (the peer has closed), and the connection stays failed for every later call.
                throw new TlsAlertException(AlertDescription.CloseNotify, "the peer closed the connection during the handshake", received: true);
            case AlertDescription.UserCanceled:
                _progress.WarningAlert();
                break;
            default:
                throw new TlsAlertException(description, $"the peer sent {description} ({(AlertLevel)content[0]})", received: true);
        }
    }

    // TLS 1.2 alerts follow RFC 5246 section 7.2 once TLS 1.2 is chosen, and on a client offering TLS 1.2 before the
    // ServerHello (OpenSSL tolerates warnings until TLS 1.3 is chosen); otherwise, and in TLS 1.3, the rules above.
    private bool Tls12AlertRules => _cx.Version == ProtocolVersion.Tls12
        || (_cx.Version is null && _cx.IsClient && _cx.Settings.OffersTls12);

    // RFC 5246 section 7.2 as OpenSSL 3 applies it: close_notify closes (ending a handshake in progress, as in TLS 1.3);
    // any other warning is tolerated and the connection goes on, up to ProgressLimits' bound of warnings in a row (OpenSSL
    // fails at the fifth), except no_renegotiation, which answers a renegotiation we never ask for (OpenSSL fails with
    // handshake_failure); a fatal alert ends the connection; another level is illegal_parameter.
    private void ReceiveTls12Alert(AlertLevel level, AlertDescription description)
    {
        if (description == AlertDescription.CloseNotify && level == AlertLevel.Warning)
        {
            if (!IsHandshakeComplete)
            {
                throw new TlsAlertException(AlertDescription.CloseNotify, "the peer closed the connection during the handshake", received: true);
            }

            PeerClosed = true;
            return;
        }

        switch (level)
        {
            case AlertLevel.Fatal:
                throw new TlsAlertException(description, $"the peer sent {description} ({level})", received: true);
            case AlertLevel.Warning when description == AlertDescription.NoRenegotiation && PeerRefusesOurRenegotiation():
                _progress.WarningAlert();
                return;
            case AlertLevel.Warning when description == AlertDescription.NoRenegotiation:
                throw new TlsAlertException(AlertDescription.HandshakeFailure, "the peer refused a renegotiation that was not asked for");
            case AlertLevel.Warning:
                _progress.WarningAlert();
                return;
            default:
                throw TlsAlertException.Illegal($"alert level {(byte)level} is neither warning nor fatal");
        }
    }

    // no_renegotiation answering a renegotiation we asked for: a server's HelloRequest still waiting, or our renegotiation
    // ClientHello not yet answered. The renegotiation is abandoned and the connection goes on with its keys (decision 0024).
    private bool PeerRefusesOurRenegotiation()
    {
        if (_state is Tls12Traffic { HelloRequestPending: true } traffic)
        {
            traffic.PeerRefusedRenegotiation();
        }
        else if (IsRenegotiating && _cx.IsClient && _state is ExpectServerHello && _cx.Renegotiation is { } binding)
        {
            _state.Dispose();
            Tls12Renegotiation.Abandon(_cx);
            _state = new Tls12Traffic(binding.Secure);
        }
        else
        {
            return false;
        }

        RenegotiationsRefused++;
        return true;
    }

    private void SendAlert(AlertLevel level, AlertDescription description)
    {
        ReadOnlySpan<byte> body = [(byte)level, (byte)description];
        _writer.Write(ContentType.Alert, body, _writeProtection, _outgoing);
    }

    // Records the failure, queues the fatal alert (unless the peer sent it) and returns what to throw.
    private TlsAlertException Fail(Exception e)
    {
        TlsAlertException alert = e as TlsAlertException
            ?? new TlsAlertException(AlertDescription.InternalError, $"internal error: {e.Message}", e);
        if (_failure is null)
        {
            _failure = alert;
            if (!alert.Received)
            {
                try
                {
                    SendAlert(AlertLevel.Fatal, alert.Description);
                }
                catch (Exception)
                {
                    // The keys are unusable (exhausted or disposed): the failure stands without an alert.
                }
            }

            _state.Dispose();
        }

        return alert;
    }

    private TrafficState RequireTraffic()
    {
        ThrowIfUnusable();
        return _state as TrafficState ?? throw new InvalidOperationException("the handshake is not complete");
    }

    private void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        if (_failure is not null)
        {
            throw new InvalidOperationException($"the connection failed ({_failure.Description}) and cannot be used", _failure);
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(TlsConnection));
        }
    }
}
