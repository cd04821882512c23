using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>
/// A scripted TLS peer: a list of steps (send this, expect that) run against a system under test with a bounded wait
/// on everything. A client script (<see cref="AsClient"/>) plays against a server, a server script
/// (<see cref="AsServer"/>) against a client. TLS 1.3 and TLS 1.2 keys are tracked automatically in both roles, so
/// messages are sent "as a real peer would" (plaintext before keys, protected after) unless a step says otherwise, and
/// protected answers are read.
/// <code>
/// TlsScript.AsClient()
///     .Send(TlsMessages.ClientHello().Set("legacy_compression_methods[0]", 1))
///     .ExpectAlert(AlertDescription.IllegalParameter)
///     .Run(new TcpTarget("localhost", 4433));
/// </code>
/// Steps return the script, so a conversation is one expression. <see cref="Run"/> throws
/// <see cref="ScriptMismatchException"/> at the first step that does not get what it expects.
/// </summary>
public sealed partial class TlsScript
{
    private readonly List<Step> _steps = [];

    private TlsScript(bool isClient, ScriptOptions options)
    {
        IsClient = isClient;
        Options = options;
    }

    /// <summary>True when the script plays the client.</summary>
    public bool IsClient { get; }

    /// <summary>The settings.</summary>
    public ScriptOptions Options { get; }

    /// <summary>The steps' descriptions, in order.</summary>
    public IReadOnlyList<string> Steps => _steps.Select(s => s.Name).ToArray();

    /// <summary>A script that plays the client, against a server under test.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The empty script.</returns>
    public static TlsScript AsClient(ScriptOptions? options = null) => new(isClient: true, options ?? new ScriptOptions());

    /// <summary>A script that plays the server, against a client under test (whose ClientHello arrives first).</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The empty script.</returns>
    public static TlsScript AsServer(ScriptOptions? options = null) => new(isClient: false, options ?? new ScriptOptions());

    // ---- sending ---------------------------------------------------------------------------------------------------

    /// <summary>Sends handshake messages as a real peer would: plaintext before keys, protected after, coalesced into records.</summary>
    /// <param name="messages">The messages (each goes into the transcript as sent).</param>
    /// <returns>This script.</returns>
    public TlsScript Send(params HandshakeBuilder[] messages) => Send(SendOptions.Default, messages);

    /// <summary>Sends handshake messages with explicit record options (fragmentation, coalescing, protection).</summary>
    /// <param name="options">How to put them into records.</param>
    /// <param name="messages">The messages.</param>
    /// <returns>This script.</returns>
    public TlsScript Send(SendOptions options, params HandshakeBuilder[] messages)
    {
        HandshakeBuilder[] copies = messages.Select(m => m.Clone()).ToArray();
        return Add($"Send({string.Join(", ", copies.Select(m => m.Name))})", run =>
        {
            foreach (HandshakeBuilder m in copies)
            {
                run.Channel.QueueHandshake(m.Encode(), options);
            }
        });
    }

    /// <summary>Sends already-encoded handshake messages (each whole, header included; they go into the transcript).</summary>
    /// <param name="options">How to put them into records; null for the default.</param>
    /// <param name="messages">The encoded messages.</param>
    /// <returns>This script.</returns>
    public TlsScript SendHandshakeBytes(SendOptions? options, params byte[][] messages)
    {
        byte[][] copies = messages.Select(m => (byte[])m.Clone()).ToArray();
        return Add($"SendHandshakeBytes({copies.Length} message(s))", run =>
        {
            foreach (byte[] m in copies)
            {
                run.Channel.QueueHandshake(m, options ?? SendOptions.Default);
            }
        });
    }

    /// <summary>
    /// Sends a record. Plaintext, it goes out exactly as encoded. Protected, its <c>type</c> and fragment content
    /// are sealed under the current write keys (outer header application_data, 0x0303, the ciphertext length); a
    /// <c>legacy_record_version</c> changed from 0x0303 or a fragment length override is then written into the
    /// outer header, so the peer sees a broken header.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="protect">Seal it under the current write keys.</param>
    /// <returns>This script.</returns>
    public TlsScript SendRecord(RecordBuilder record, bool protect = false)
    {
        RecordBuilder copy = record.Clone();
        return Add($"SendRecord({copy.ContentType}{(protect ? ", protected" : "")})", run =>
        {
            if (!protect)
            {
                run.Channel.Deliver(copy.Encode());
                return;
            }

            ulong version = copy.TryGet("legacy_record_version", out TlsNode? v) && v is UIntNode u ? u.Value : 0x0303;
            var options = new SendOptions { LegacyRecordVersion = version == 0x0303 ? null : (ushort)version };
            byte[] sealedRecord = run.Channel.Seal((ContentType)copy.GetInt("type"), copy.Fragment.EncodeContent(), options);
            if (copy.Fragment.LengthOverride is long length)
            {
                sealedRecord[3] = (byte)(length >> 8);
                sealedRecord[4] = (byte)length;
            }

            run.Channel.Deliver(sealedRecord);
        });
    }

    /// <summary>Sends bytes exactly as given (no framing, no transcript).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>This script.</returns>
    public TlsScript SendRaw(byte[] bytes)
    {
        byte[] copy = (byte[])bytes.Clone();
        return Add($"SendRaw({copy.Length} bytes)", run => run.Channel.Deliver(copy));
    }

    /// <summary>Sends an alert, protected when write keys exist (as a real peer would).</summary>
    /// <param name="description">The alert.</param>
    /// <param name="level">Its level; null for warning on close_notify and user_canceled, fatal otherwise.</param>
    /// <param name="protection">Plaintext or protected, or as a real peer would.</param>
    /// <returns>This script.</returns>
    public TlsScript SendAlert(AlertDescription description, AlertLevel? level = null, RecordProtectionMode protection = RecordProtectionMode.Auto) =>
        Add($"SendAlert({description})", run =>
        {
            byte[] body = new StructNode("alert", TlsRecords.AlertBody(description, level)).Encode();
            run.Channel.SendRecord(ContentType.Alert, body, run.Channel.ResolveProtection(protection), SendOptions.Default);
        });

    /// <summary>Sends close_notify (protected when keys exist).</summary>
    /// <returns>This script.</returns>
    public TlsScript SendCloseNotify() => SendAlert(AlertDescription.CloseNotify);

    /// <summary>
    /// Sends the unprotected change_cipher_spec record (one byte, 0x01). In TLS 1.2 it switches the kit's write keys: once
    /// the master secret is known (the ClientKeyExchange went by), what the script sends after it is protected under the
    /// new keys; sent earlier, it changes nothing (a premature change_cipher_spec). <see cref="SendRecord"/> with
    /// <see cref="TlsRecords.ChangeCipherSpec"/> sends the record without touching the keys.
    /// </summary>
    /// <returns>This script.</returns>
    public TlsScript SendChangeCipherSpec() => Add("SendChangeCipherSpec", run => run.SendCompatibilityCcs(force: true));

    /// <summary>Sends application data, protected under the current write keys.</summary>
    /// <param name="data">The data (split into 2^14-byte records).</param>
    /// <param name="protection">Protected (default) or forced plaintext.</param>
    /// <returns>This script.</returns>
    public TlsScript SendApplicationData(byte[] data, RecordProtectionMode protection = RecordProtectionMode.Protected)
    {
        byte[] copy = (byte[])data.Clone();
        return Add($"SendApplicationData({copy.Length} bytes)", run =>
            run.Channel.SendContent(ContentType.ApplicationData, copy, run.Channel.ResolveProtection(protection), SendOptions.Default));
    }

    /// <summary>
    /// TLS 1.2 with compression negotiated (RFC 3749): sends one protected record whose TLSCompressed fragment is
    /// <paramref name="compressed"/>, bypassing the compressor: a decompression bomb, a broken or oversized stream.
    /// </summary>
    /// <param name="type">The record's content type.</param>
    /// <param name="compressed">The fragment as the peer's decompressor will see it.</param>
    /// <returns>This script.</returns>
    public TlsScript SendCompressedRecord(ContentType type, byte[] compressed)
    {
        byte[] copy = (byte[])compressed.Clone();
        return Add($"SendCompressedRecord({type}, {copy.Length} bytes)", run => run.Channel.SendCompressedRecord(type, copy));
    }

    /// <summary>Sends a KeyUpdate and switches to the next write keys (RFC 8446 section 4.6.3).</summary>
    /// <param name="requestUpdate">Ask the peer to update its keys too (update_requested).</param>
    /// <returns>This script.</returns>
    public TlsScript SendKeyUpdate(bool requestUpdate = false)
    {
        HandshakeBuilder message = TlsMessages.KeyUpdate(requestUpdate);
        return Add($"SendKeyUpdate({(requestUpdate ? "update_requested" : "update_not_requested")})", run =>
            run.Channel.QueueHandshake(message.Encode(), SendOptions.Default));
    }

    /// <summary>
    /// Advances the sequence number of the current write keys by <paramref name="count"/> without sending anything, as
    /// if that many records had gone by. The system under test must be advanced the same way (through its own test
    /// hooks) for the next record to open; for tests of sequence-number limits, which a real exchange would take hours
    /// to reach.
    /// </summary>
    /// <param name="count">How many sequence numbers to skip.</param>
    /// <returns>This script.</returns>
    public TlsScript SkipWriteSequenceNumbers(ulong count) =>
        Add($"SkipWriteSequenceNumbers({count})", run => run.Channel.SkipWriteSequenceNumbers(count));

    /// <summary>Closes the transport towards the system under test (TCP: shuts down sending; in memory: end of stream).</summary>
    /// <returns>This script.</returns>
    public TlsScript CloseTransport() => Add("CloseTransport", run =>
    {
        run.Channel.FlushHandshake();
        run.Target.DeliverEof();
    });

    /// <summary>Runs <paramref name="action"/> between steps (make the system under test write, assert on state...).</summary>
    /// <param name="action">The code.</param>
    /// <param name="description">How the step is named in failures.</param>
    /// <returns>This script.</returns>
    public TlsScript Do(Action action, string description = "Do")
    {
        ArgumentNullException.ThrowIfNull(action);
        return Add(description, run =>
        {
            run.Channel.FlushHandshake();
            action();
        });
    }

    // ---- expecting -------------------------------------------------------------------------------------------------

    /// <summary>Expects the next message to be a handshake message of <paramref name="type"/> (and to satisfy <paramref name="predicate"/>).</summary>
    /// <param name="type">The message type.</param>
    /// <param name="predicate">An extra condition; null for none.</param>
    /// <param name="description">What the predicate checks, for failure messages.</param>
    /// <returns>This script.</returns>
    public TlsScript Expect(HandshakeType type, Func<ReceivedMessage, bool>? predicate = null, string? description = null)
    {
        string expected = description is null ? type.ToString() : $"{type} ({description})";
        return Add($"Expect({expected})", run => run.ExpectMessage(type, predicate, expected));
    }

    /// <summary>Expects a handshake message of <paramref name="type"/> and hands it to <paramref name="capture"/> (which may assert).</summary>
    /// <param name="type">The message type.</param>
    /// <param name="capture">Receives the message.</param>
    /// <returns>This script.</returns>
    public TlsScript Expect(HandshakeType type, Action<ReceivedMessage> capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        return Add($"Expect({type})", run => capture(run.ExpectMessage(type, null, type.ToString())));
    }

    /// <summary>Expects a HelloRetryRequest (a ServerHello with the special random).</summary>
    /// <returns>This script.</returns>
    public TlsScript ExpectHelloRetryRequest() => Expect(HandshakeType.ServerHello, m => m.IsHelloRetryRequest, "HelloRetryRequest");

    /// <summary>Expects an alert with <paramref name="description"/> (and <paramref name="level"/> when given).</summary>
    /// <param name="description">The alert.</param>
    /// <param name="level">The level; null for any.</param>
    /// <returns>This script.</returns>
    public TlsScript ExpectAlert(AlertDescription description, AlertLevel? level = null)
    {
        string expected = level is null ? $"alert {description}" : $"alert {description} ({level})";
        return Add($"ExpectAlert({description})", run => run.ExpectAlert(a => a.Description == description && (level is null || a.Level == level), expected));
    }

    /// <summary>Expects an alert satisfying <paramref name="predicate"/>.</summary>
    /// <param name="predicate">The condition.</param>
    /// <param name="description">What it checks, for failure messages.</param>
    /// <returns>This script.</returns>
    public TlsScript ExpectAlert(Func<ReceivedAlert, bool> predicate, string description = "an alert")
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Add($"ExpectAlert({description})", run => run.ExpectAlert(predicate, description));
    }

    /// <summary>Expects the connection to end: close_notify or the end of the stream.</summary>
    /// <returns>This script.</returns>
    public TlsScript ExpectClose() => Add("ExpectClose", run => run.ExpectClose());

    /// <summary>Expects application data equal to <paramref name="expected"/> (gathered across records).</summary>
    /// <param name="expected">The bytes.</param>
    /// <returns>This script.</returns>
    public TlsScript ExpectApplicationData(byte[] expected)
    {
        byte[] copy = (byte[])expected.Clone();
        return Add($"ExpectApplicationData({copy.Length} bytes)", run => run.ExpectApplicationData(copy));
    }

    /// <summary>Expects one application_data record (satisfying <paramref name="predicate"/> when given).</summary>
    /// <param name="predicate">A condition on the record's content; null for any.</param>
    /// <returns>This script.</returns>
    public TlsScript ExpectApplicationData(Func<byte[], bool>? predicate = null) =>
        Add("ExpectApplicationData", run => run.ExpectApplicationRecord(predicate));

    /// <summary>Expects a change_cipher_spec record.</summary>
    /// <returns>This script.</returns>
    public TlsScript ExpectChangeCipherSpec() => Add("ExpectChangeCipherSpec", run => run.ExpectChangeCipherSpec());

    /// <summary>Expects nothing to arrive for <paramref name="duration"/> (ignored records aside).</summary>
    /// <param name="duration">How long; null for 200 ms. An in-memory target is checked at once.</param>
    /// <returns>This script.</returns>
    public TlsScript ExpectNothing(TimeSpan? duration = null) =>
        Add("ExpectNothing", run => run.ExpectNothing(duration ?? TimeSpan.FromMilliseconds(200)));

    private TlsScript Add(string name, Action<ScriptRun> execute)
    {
        _steps.Add(new Step(name, execute));
        return this;
    }

    private sealed record Step(string Name, Action<ScriptRun> Execute);
}
