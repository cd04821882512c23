using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Record;
using ManagedTls.Wire;
using ManagedTls.Wire.Messages;
using HandshakeMessage = ManagedTls.Wire.Messages.HandshakeMessage;

namespace ManagedTls.Handshake.Tls12;

/// <summary>
/// A state after the version decision of a TLS 1.2 handshake: its messages parse with TLS 1.2 rules (the key exchange
/// kind decides how ServerKeyExchange and ClientKeyExchange read).
/// </summary>
internal abstract class Tls12State : HandshakeState
{
    /// <summary>Parses a TLS 1.2 handshake message whose type was already checked.</summary>
    protected static T Parse<T>(ReadOnlySpan<byte> encoded, KeyExchangeKind kind = KeyExchangeKind.None)
        where T : HandshakeMessage => (T)HandshakeMessage.Read(encoded, WireContext.Tls12(kind));
}

/// <summary>
/// What both sides of a TLS 1.2 handshake agreed in the hellos and carry to its end: the suite, the two randoms, the
/// session id, and the extensions both sent (RFC 7627 extended_master_secret, RFC 7366 encrypt_then_mac, RFC 5746
/// renegotiation_info).
/// </summary>
/// <param name="Suite">The negotiated suite (a TLS 1.2 suite).</param>
/// <param name="ClientRandom">ClientHello.random.</param>
/// <param name="ServerRandom">ServerHello.random.</param>
/// <param name="SessionId">The session id the server sent (empty when none).</param>
/// <param name="ExtendedMasterSecret">Both sides sent extended_master_secret.</param>
/// <param name="EncryptThenMac">Both sides sent encrypt_then_mac and the suite is a CBC suite.</param>
/// <param name="SecureRenegotiation">Both sides support RFC 5746.</param>
/// <param name="Compression">The compression method the ServerHello chose (RFC 5246 section 7.4.1.3, RFC 3749).</param>
internal sealed record Tls12Agreement(
    CipherSuiteInfo Suite,
    byte[] ClientRandom,
    byte[] ServerRandom,
    byte[] SessionId,
    bool ExtendedMasterSecret,
    bool EncryptThenMac,
    bool SecureRenegotiation,
    CompressionMethod Compression = CompressionMethod.Null)
{
    /// <summary>The key exchange kind that decides how the key exchange messages read.</summary>
    public KeyExchangeKind KeyExchange => Tls12Common.KindOf(Suite);

    /// <summary>Server: the ServerHello echoed session_ticket, so a NewSessionTicket goes before our ChangeCipherSpec (RFC 5077).</summary>
    public bool TicketExpected { get; init; }

    /// <summary>Server: the session is stored in the session cache under <see cref="SessionId"/> once the handshake completes.</summary>
    public bool CacheSession { get; init; }
}

/// <summary>
/// TLS 1.2 pieces both roles share (RFC 5246, RFC 7627, RFC 7366, RFC 5705, RFC 5929): the master secret, record
/// protection from the key block, Finished, the content a ServerKeyExchange signature covers, the exporter and
/// tls-unique.
/// </summary>
internal static class Tls12Common
{
    /// <summary>How a suite's key exchange messages are encoded.</summary>
    public static KeyExchangeKind KindOf(CipherSuiteInfo suite) => suite.KeyExchange.Algorithm switch
    {
        SuiteKeyExchange.Ecdhe => KeyExchangeKind.Ecdhe,
        SuiteKeyExchange.Dhe => KeyExchangeKind.Dhe,
        SuiteKeyExchange.Rsa => KeyExchangeKind.Rsa,
        _ => throw TlsAlertException.Internal($"{suite.IanaName} is not a TLS 1.2 suite"),
    };

    /// <summary>
    /// The master secret from the premaster secret (which is wiped): with extended_master_secret from the session
    /// hash, the transcript hash through ClientKeyExchange (RFC 7627 section 4), else from the two randoms.
    /// </summary>
    public static Tls12MasterSecret MasterSecret(HandshakeContext cx, Tls12Agreement agreed, byte[] premaster)
    {
        try
        {
            return agreed.ExtendedMasterSecret
                ? Tls12KeySchedule.DeriveExtendedMasterSecret(agreed.Suite.PrfHash, premaster, cx.Transcript.GetCurrentHash())
                : Tls12KeySchedule.DeriveMasterSecret(agreed.Suite.PrfHash, premaster, agreed.ClientRandom, agreed.ServerRandom);
        }
        finally
        {
            CryptoUtil.Wipe(premaster);
        }
    }

    /// <summary>
    /// The two record protections the key block gives (RFC 5246 section 6.3): AEAD suites with their fixed IV (RFC 5288,
    /// RFC 7905, RFC 6655), CBC suites with HMAC, MAC-then-encrypt or, when negotiated, encrypt-then-MAC (RFC 7366).
    /// TLS 1.2 has no KeyUpdate, so only the sequence number's wrap is a limit, in both directions, as in OpenSSL:
    /// a connection that would need new keys under the AEAD confidentiality limits of RFC 8446 section 5.5 is one that
    /// should use TLS 1.3 (or renegotiate).
    /// </summary>
    public static (RecordProtection ClientWrite, RecordProtection ServerWrite) Protections(HandshakeContext cx, Tls12Agreement agreed, Tls12MasterSecret master)
    {
        CipherSuiteInfo suite = agreed.Suite;
        BulkCipherInfo cipher = suite.Cipher;
        int macLength = suite.Mac.Hash is { } mac ? Hashes.OutputSize(mac) : 0;
        using Tls12KeyBlock block = master.DeriveKeyBlock(agreed.ClientRandom, agreed.ServerRandom, macLength, cipher.KeyLength, cipher.Tls12FixedIvLength);
        return (Compressed(Make(block.ClientWriteKey, block.ClientMacKey, block.ClientWriteIv)), Compressed(Make(block.ServerWriteKey, block.ServerMacKey, block.ServerWriteIv)));

        RecordProtection Make(byte[] key, byte[] macKey, byte[] iv) => cipher.Aead is { } aead
            ? new Tls12AeadRecordProtection(aead, key, iv, SequenceLimits.Receive)
            : new Tls12CbcRecordProtection(key, suite.Mac.Hash!.Value, macKey, agreed.EncryptThenMac, cx.Settings.Entropy, SequenceLimits.Receive);

        // Compression is part of the connection state (RFC 5246 section 6.1): each new state starts a new stream per
        // direction (RFC 3749 section 2), which the protection owns and wipes with its keys.
        RecordProtection Compressed(RecordProtection p) => agreed.Compression == CompressionMethod.Null
            ? p
            : new CompressedRecordProtection(p, RecordCompression.Create(agreed.Compression));
    }

    /// <summary>
    /// Our Finished's verify_data over the transcript so far (RFC 5246 section 7.4.9), sent by the side
    /// <paramref name="sentByClient"/> names.
    /// </summary>
    public static byte[] FinishedData(HandshakeContext cx, Tls12MasterSecret master, bool sentByClient) =>
        master.ComputeFinished(sentByClient, cx.Transcript.GetCurrentHash());

    /// <summary>
    /// Parses the peer's Finished (12 bytes of verify_data, else <c>decode_error</c>) and checks it in constant time
    /// against the transcript before it (<c>decrypt_error</c>). Returns the verify_data, which renegotiation binds.
    /// </summary>
    public static byte[] CheckPeerFinished(HandshakeContext cx, Tls12MasterSecret master, ReadOnlySpan<byte> encoded)
    {
        var finished = (Finished)HandshakeMessage.Read(encoded, WireContext.Tls12() with { FinishedLength = Tls12KeySchedule.VerifyDataLength });
        if (!master.VerifyFinished(sentByClient: !cx.IsClient, cx.Transcript.GetCurrentHash(), finished.VerifyData))
        {
            throw new TlsAlertException(AlertDescription.DecryptError, "the peer's Finished does not verify");
        }

        return finished.VerifyData;
    }

    /// <summary>
    /// What a ServerKeyExchange signature covers (RFC 5246 section 7.4.3, RFC 8422 section 5.4):
    /// client_random, server_random, then the encoded parameters.
    /// </summary>
    public static byte[] ServerParamsContent(Tls12Agreement agreed, ReadOnlySpan<byte> encodedParams)
    {
        byte[] content = new byte[64 + encodedParams.Length];
        agreed.ClientRandom.CopyTo(content, 0);
        agreed.ServerRandom.CopyTo(content, 32);
        encodedParams.CopyTo(content.AsSpan(64));
        return content;
    }

    /// <summary>The signature schemes usable in TLS 1.2 that both lists contain, in <paramref name="preference"/>'s order.</summary>
    public static IEnumerable<SignatureScheme> Shared(IEnumerable<SignatureScheme> preference, IReadOnlyList<SignatureScheme> other) =>
        preference.Where(other.Contains);

    /// <summary>Logs <c>CLIENT_RANDOM</c> with the master secret when a key log is configured.</summary>
    public static void LogMasterSecret(HandshakeContext cx, Tls12Agreement agreed, Tls12MasterSecret master) =>
        cx.Settings.KeyLog?.Invoke(master.ToKeyLogLine(agreed.ClientRandom));
}

/// <summary>The RFC 5705 exporter of a TLS 1.2 connection: its master secret and the two randoms.</summary>
internal sealed class Tls12Exporter : IKeyingMaterialExporter
{
    private readonly Tls12MasterSecret _master;
    private readonly byte[] _clientRandom;
    private readonly byte[] _serverRandom;

    /// <summary>Creates the exporter; it owns a copy of <paramref name="masterSecret"/>.</summary>
    public Tls12Exporter(HashAlgorithm prfHash, ReadOnlySpan<byte> masterSecret, bool extended, byte[] clientRandom, byte[] serverRandom)
    {
        _master = Tls12KeySchedule.FromStoredMasterSecret(prfHash, masterSecret, extended);
        _clientRandom = clientRandom;
        _serverRandom = serverRandom;
    }

    /// <summary>
    /// PRF(master_secret, label, client_random + server_random + context_length + context) (RFC 5705 section 4). TLS 1.2
    /// distinguishes no context from an empty one; like OpenSSL's <c>use_context</c>, a context is always given here.
    /// </summary>
    public byte[] Export(string label, ReadOnlySpan<byte> context, int length) =>
        _master.Export(label, _clientRandom, _serverRandom, context.ToArray(), length);

    /// <summary>Wipes the master secret copy.</summary>
    public void Dispose() => _master.Dispose();
}

/// <summary>
/// The verify_data of the two Finished messages of a completed TLS 1.2 handshake: what tls-unique (RFC 5929 section 3)
/// and the renegotiation_info of a later renegotiation (RFC 5746 section 3.5) are made of.
/// </summary>
/// <param name="Client">The client's verify_data.</param>
/// <param name="Server">The server's verify_data.</param>
/// <param name="Abbreviated">True for a resumed (abbreviated) handshake, where the server's Finished comes first.</param>
internal sealed record Tls12FinishedPair(byte[] Client, byte[] Server, bool Abbreviated)
{
    /// <summary>tls-unique: the first Finished of the handshake, the client's in a full handshake and the server's in a resumed one.</summary>
    public byte[] TlsUnique => (byte[])(Abbreviated ? Server : Client).Clone();
}

/// <summary>A TLS 1.2 session ticket received in NewSessionTicket (RFC 5077 section 3.3).</summary>
/// <param name="Ticket">The opaque ticket (not empty).</param>
/// <param name="LifetimeHintSeconds">ticket_lifetime_hint: how long the server suggests keeping it, 0 when it does not say.</param>
internal sealed record Tls12Ticket(byte[] Ticket, uint LifetimeHintSeconds);
