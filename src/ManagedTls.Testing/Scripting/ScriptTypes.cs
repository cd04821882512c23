using System.Text;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>Settings of a <see cref="TlsScript"/>.</summary>
public sealed class ScriptOptions
{
    /// <summary>The longest any step may wait (connect, read, expect). Default 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Randoms, key shares and signatures come from here; null for OS entropy. A deterministic source makes the script's bytes reproducible.</summary>
    public IEntropySource? Entropy { get; init; }

    /// <summary>The clock for ticket ages; null for the system clock.</summary>
    public Func<DateTimeOffset>? Clock { get; init; }

    /// <summary>The certificate and key the script presents as a server (or as an authenticating client); null for <see cref="ThrowawayPki.Shared"/>.</summary>
    public ThrowawayPki? Pki { get; init; }

    /// <summary>Skip change_cipher_spec records while waiting for something else (they are middlebox compatibility noise). Default true.</summary>
    public bool IgnoreChangeCipherSpec { get; init; } = true;

    /// <summary>Skip NewSessionTicket messages while waiting for something else (their tickets are still kept). Default true.</summary>
    public bool IgnoreNewSessionTickets { get; init; } = true;

    /// <summary>
    /// Middlebox compatibility mode (RFC 8446 appendix D.4) as a real peer: a client sends a 32-byte legacy_session_id
    /// and one change_cipher_spec before its second flight; a server sends one after its ServerHello (or
    /// HelloRetryRequest) when the client's legacy_session_id is not empty. Default true.
    /// </summary>
    public bool MiddleboxCompatibility { get; init; } = true;

    /// <summary>The host name a client script puts in server_name; null for none. Default "localhost".</summary>
    public string? ServerName { get; init; } = "localhost";
}

/// <summary>How handshake messages and other content are put into records.</summary>
public sealed class SendOptions
{
    /// <summary>Auto protection, messages coalesced, records up to 2^14 bytes.</summary>
    public static SendOptions Default { get; } = new();

    /// <summary>Forced TLSPlaintext.</summary>
    public static SendOptions Plaintext { get; } = new() { Protection = RecordProtectionMode.Plaintext };

    /// <summary>Forced protection under the current write keys.</summary>
    public static SendOptions Protected { get; } = new() { Protection = RecordProtectionMode.Protected };

    /// <summary>One record per message.</summary>
    public static SendOptions Separate { get; } = new() { Coalesce = false };

    /// <summary>Every message of the step in one record, across key changes (see <see cref="SingleRecord"/>).</summary>
    public static SendOptions OneRecord { get; } = new() { SingleRecord = true };

    /// <summary>Plaintext or protected, as a real peer would (default), or forced.</summary>
    public RecordProtectionMode Protection { get; init; } = RecordProtectionMode.Auto;

    /// <summary>
    /// Record content sizes, used in order; the last repeats until the content is sent. Null for 2^14 (one record per
    /// 16 KiB). <c>[1]</c> sends one byte per record.
    /// </summary>
    public IReadOnlyList<int>? FragmentSizes { get; init; }

    /// <summary>True (default) to put consecutive messages under the same keys into the same records; false for one record (or fragment series) per message.</summary>
    public bool Coalesce { get; init; } = true;

    /// <summary>
    /// True to put every message of the step into the same records even across a key change (a ServerHello and the
    /// encrypted flight in one plaintext record, say): the records keep the protection in force at the first message,
    /// while the key tracking still moves on after each message. Only with <see cref="Coalesce"/>.
    /// </summary>
    public bool SingleRecord { get; init; }

    /// <summary>Zero bytes of TLS 1.3 padding in each protected record.</summary>
    public int Padding { get; init; }

    /// <summary>legacy_record_version to write (default 0x0303). On a protected record it is changed after sealing, so the peer's authentication fails.</summary>
    public ushort? LegacyRecordVersion { get; init; }

    /// <summary>Options that split the content into records of the given sizes.</summary>
    /// <param name="sizes">The sizes (see <see cref="FragmentSizes"/>).</param>
    /// <returns>The options.</returns>
    public static SendOptions Fragmented(params int[] sizes) => new() { FragmentSizes = sizes };
}

/// <summary>How the scripted client builds its ClientHello (<see cref="TlsScript.ClientHello"/> for TLS 1.3, <see cref="TlsScript.ClientHello12"/> for TLS 1.2).</summary>
public sealed class ClientHelloOptions
{
    /// <summary>Groups to send key shares for (real keys, kept to derive the handshake secrets). Default [x25519].</summary>
    public IReadOnlyList<NamedGroup> KeyShareGroups { get; init; } = [NamedGroup.X25519];

    /// <summary>
    /// supported_groups; null for the key share groups followed by the kit's defaults (TLS 1.3), or x25519, secp256r1,
    /// secp384r1, secp521r1, x448, ffdhe2048, ffdhe3072 (TLS 1.2).
    /// </summary>
    public IReadOnlyList<NamedGroup>? SupportedGroups { get; init; }

    /// <summary>
    /// The suites; null for TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3), or
    /// every TLS 1.2 suite ManagedTls implements, ECDHE first, then DHE, then RSA key transport (TLS 1.2).
    /// </summary>
    public IReadOnlyList<TlsCipherSuite>? CipherSuites { get; init; }

    /// <summary>ALPN protocols to offer; empty for no extension.</summary>
    public IReadOnlyList<string> Alpn { get; init; } = [];

    /// <summary>A ticket from an earlier run to offer as a PSK (pre_shared_key, binder computed); null for none.</summary>
    public TlsTicket? Resume { get; init; }

    /// <summary>Offer post_handshake_auth.</summary>
    public bool PostHandshakeAuth { get; init; }

    /// <summary>TLS 1.2: offer extended_master_secret (RFC 7627). Default true.</summary>
    public bool ExtendedMasterSecret { get; init; } = true;

    /// <summary>TLS 1.2: offer encrypt_then_mac (RFC 7366; it applies to CBC suites). Default true.</summary>
    public bool EncryptThenMac { get; init; } = true;

    /// <summary>Breaks or extends the hello before the PSK binder is computed (so the binder covers the change).</summary>
    public Action<HandshakeBuilder>? Edit { get; init; }

    /// <summary>Breaks the hello after the binder is computed (to send a wrong binder).</summary>
    public Action<HandshakeBuilder>? EditAfterBinders { get; init; }
}

/// <summary>How the scripted server answers a ClientHello (<see cref="TlsScript.ServerFlight"/> for TLS 1.3, <see cref="TlsScript.ServerFlight12"/> for TLS 1.2).</summary>
public sealed class ServerFlightOptions
{
    /// <summary>
    /// The suite; null for the client's first TLS 1.3 suite the engine implements (TLS 1.3), or the client's first
    /// ECDHE suite whose authentication the kit's key can make (ECDSA for the P-256, P-384 and Ed25519 keys; TLS 1.2).
    /// </summary>
    public TlsCipherSuite? CipherSuite { get; init; }

    /// <summary>
    /// The group; null for the first of x25519, secp256r1, x448, secp384r1, secp521r1 and the ffdhe groups the client
    /// sent a share for (TLS 1.3). TLS 1.2: the ServerKeyExchange's group; null for the first of those curves in the
    /// client's supported_groups (secp256r1 without the extension), or for DHE its first ffdhe group (else ffdhe2048).
    /// </summary>
    public NamedGroup? Group { get; init; }

    /// <summary>
    /// TLS 1.2: whether the ServerHello carries extended_master_secret; null to answer the client's offer (true sends it
    /// even unasked, a broken server).
    /// </summary>
    public bool? ExtendedMasterSecret { get; init; }

    /// <summary>
    /// TLS 1.2: whether the ServerHello carries encrypt_then_mac; null to answer the client's offer when the suite is a
    /// CBC suite (true sends it even unasked or with an AEAD suite, a broken server).
    /// </summary>
    public bool? EncryptThenMac { get; init; }

    /// <summary>An ALPN protocol to select (sent in EncryptedExtensions); null for none.</summary>
    public string? Alpn { get; init; }

    /// <summary>
    /// How the flight goes into records; null for as a real server (ServerHello alone, the rest coalesced under the
    /// handshake keys). With <see cref="SendOptions.SingleRecord"/> the whole flight shares plaintext records and no
    /// change_cipher_spec is sent.
    /// </summary>
    public SendOptions? Records { get; init; }

    /// <summary>Send a CertificateRequest (TLS 1.3: before the Certificate; TLS 1.2: after the ServerKeyExchange).</summary>
    public bool RequestClientCertificate { get; init; }

    /// <summary>
    /// Called with each message just before it is sent (its signature or MAC already computed): edit it in place and
    /// return it, return another message, or return null to leave it out.
    /// </summary>
    public Func<HandshakeBuilder, HandshakeBuilder?>? Edit { get; init; }
}

/// <summary>What a successful <see cref="TlsScript.Run"/> saw.</summary>
public sealed class ScriptResult
{
    internal ScriptResult()
    {
    }

    /// <summary>Every handshake message received, in order (skipped NewSessionTickets included).</summary>
    public IReadOnlyList<ReceivedMessage> Messages => MessageList;

    /// <summary>Every alert received, in order.</summary>
    public IReadOnlyList<ReceivedAlert> Alerts => AlertList;

    /// <summary>The first alert received, or null.</summary>
    public ReceivedAlert? Alert => AlertList.Count > 0 ? AlertList[0] : null;

    /// <summary>All application data received, concatenated.</summary>
    public byte[] ApplicationData => AppData.ToArray();

    /// <summary>Tickets the system under test issued (client scripts), with their PSKs.</summary>
    public IReadOnlyList<TlsTicket> Tickets { get; internal set; } = [];

    /// <summary>The exception the system under test raised, when the target knows it.</summary>
    public Exception? TargetFailure { get; internal set; }

    /// <summary>The negotiated suite, once a ServerHello was sent or received.</summary>
    public TlsCipherSuite? CipherSuite { get; internal set; }

    /// <summary>The key exchange group used, once known.</summary>
    public NamedGroup? Group { get; internal set; }

    /// <summary>True when a HelloRetryRequest was part of the handshake.</summary>
    public bool HelloRetried { get; internal set; }

    /// <summary>True when the server accepted the offered PSK.</summary>
    public bool Resumed { get; internal set; }

    /// <summary>True once both Finished messages were exchanged.</summary>
    public bool HandshakeComplete { get; internal set; }

    /// <summary>TLS 1.2 after a TLS 1.2 ServerHello was sent or received, TLS 1.3 once its handshake keys were derived; else null.</summary>
    public ProtocolVersion? Version { get; internal set; }

    /// <summary>TLS 1.2: both hellos carried extended_master_secret (RFC 7627), so the master secret hashes the session.</summary>
    public bool ExtendedMasterSecret { get; internal set; }

    /// <summary>TLS 1.2: both hellos carried encrypt_then_mac (RFC 7366) and the suite is a CBC suite.</summary>
    public bool EncryptThenMac { get; internal set; }

    /// <summary>Notes from the key tracking (why keys could not be derived, for instance).</summary>
    public IReadOnlyList<string> Notes { get; internal set; } = [];

    internal List<ReceivedMessage> MessageList { get; } = [];

    internal List<ReceivedAlert> AlertList { get; } = [];

    internal MemoryStream AppData { get; } = new();

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("received: ").Append(string.Join(", ", MessageList.Select(m => m.Type.ToString())));
        if (AlertList.Count > 0)
        {
            sb.Append("; alerts: ").Append(string.Join(", ", AlertList));
        }

        if (TargetFailure is not null)
        {
            sb.Append("; target failure: ").Append(TargetFailure.GetType().Name).Append(": ").Append(TargetFailure.Message);
        }

        return sb.ToString();
    }
}

/// <summary>
/// A step of a <see cref="TlsScript"/> did not get what it expected (or could not run). The message names the step,
/// what was expected, what arrived (type, alert, bytes in hex, truncated) and the target's failure when known.
/// </summary>
public sealed class ScriptMismatchException : Exception
{
    internal ScriptMismatchException(int stepIndex, string step, string expected, string actual, Exception? targetFailure, ScriptResult partial, Exception? inner = null)
        : base(Format(stepIndex, step, expected, actual, targetFailure), inner)
    {
        StepIndex = stepIndex;
        Step = step;
        Expected = expected;
        Actual = actual;
        TargetFailure = targetFailure;
        Partial = partial;
    }

    /// <summary>0-based index of the failed step.</summary>
    public int StepIndex { get; }

    /// <summary>The step's description.</summary>
    public string Step { get; }

    /// <summary>What the step expected.</summary>
    public string Expected { get; }

    /// <summary>What happened instead.</summary>
    public string Actual { get; }

    /// <summary>The exception the system under test raised, when known.</summary>
    public Exception? TargetFailure { get; }

    /// <summary>What was received up to the failure.</summary>
    public ScriptResult Partial { get; }

    private static string Format(int index, string step, string expected, string actual, Exception? failure)
    {
        string text = $"step {index + 1} ({step}): expected {expected}; got {actual}";
        return failure is null ? text : $"{text}; target failure: {failure.GetType().Name}: {failure.Message}";
    }
}
