using ManagedTls.Crypto;

namespace ManagedTls.Handshake;

/// <summary>Which kind of pre-shared key a binder is computed for (RFC 8446 section 7.1).</summary>
internal enum PskKind
{
    /// <summary>A PSK from a NewSessionTicket: binder key label "res binder".</summary>
    Resumption,
    /// <summary>A PSK provisioned outside TLS: binder key label "ext binder".</summary>
    External,
}

/// <summary>
/// The TLS 1.3 key schedule (RFC 8446 section 7.1) as functions of the current secret and a transcript hash.
/// The chain itself is typed: <see cref="Tls13EarlySecret"/> → <see cref="Tls13HandshakeSecret"/> →
/// <see cref="Tls13MasterSecret"/>; each step consumes (and wipes) the one before, so no secret can be asked for
/// before the secret it comes from exists.
/// <code>
///              0
///              |
///              v
///    PSK -&gt;  HKDF-Extract = Early Secret
///              +-----&gt; Derive-Secret(., "ext binder" | "res binder", "") = binder_key
///              +-----&gt; Derive-Secret(., "c e traffic", ClientHello) = client_early_traffic_secret
///              +-----&gt; Derive-Secret(., "e exp master", ClientHello) = early_exporter_master_secret
///              v
///        Derive-Secret(., "derived", "")
///              |
///              v
///    (EC)DHE -&gt; HKDF-Extract = Handshake Secret
///              +-----&gt; Derive-Secret(., "c hs traffic", ClientHello...ServerHello)
///              +-----&gt; Derive-Secret(., "s hs traffic", ClientHello...ServerHello)
///              v
///        Derive-Secret(., "derived", "")
///              |
///              v
///    0 -&gt; HKDF-Extract = Master Secret
///              +-----&gt; Derive-Secret(., "c ap traffic", ClientHello...server Finished)
///              +-----&gt; Derive-Secret(., "s ap traffic", ClientHello...server Finished)
///              +-----&gt; Derive-Secret(., "exp master", ClientHello...server Finished)
///              +-----&gt; Derive-Secret(., "res master", ClientHello...client Finished)
/// </code>
/// </summary>
internal static class Tls13KeySchedule
{
    /// <summary>Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length).</summary>
    public static byte[] DeriveSecret(HashAlgorithm hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> transcriptHash)
    {
        if (transcriptHash.Length != Hashes.OutputSize(hash))
        {
            throw new ArgumentException($"transcript hash must be {Hashes.OutputSize(hash)} bytes", nameof(transcriptHash));
        }

        return Hkdf.ExpandLabel(hash, secret, label, transcriptHash, Hashes.OutputSize(hash));
    }

    /// <summary>Derive-Secret over an empty transcript (the context is Hash("")).</summary>
    public static byte[] DeriveSecretEmpty(HashAlgorithm hash, ReadOnlySpan<byte> secret, string label)
    {
        ReadOnlySpan<byte> empty = EmptyHash(hash);
        return Hkdf.ExpandLabel(hash, secret, label, empty, empty.Length);
    }

    private static readonly byte[]?[] EmptyHashes = new byte[]?[4];

    /// <summary>Hash("") of <paramref name="hash"/>, computed once.</summary>
    private static ReadOnlySpan<byte> EmptyHash(HashAlgorithm hash)
    {
        int index = (int)hash;
        if ((uint)index >= (uint)EmptyHashes.Length)
        {
            return Hashes.Compute(hash, ReadOnlySpan<byte>.Empty);
        }

        return EmptyHashes[index] ??= Hashes.Compute(hash, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 section 4.4.4).</summary>
    public static byte[] FinishedKey(HashAlgorithm hash, ReadOnlySpan<byte> baseKey) =>
        Hkdf.ExpandLabel(hash, baseKey, "finished", ReadOnlySpan<byte>.Empty, Hashes.OutputSize(hash));

    /// <summary>verify_data = HMAC(finished_key, Transcript-Hash(...)) with finished_key from <paramref name="baseKey"/>.</summary>
    public static byte[] ComputeFinished(HashAlgorithm hash, ReadOnlySpan<byte> baseKey, ReadOnlySpan<byte> transcriptHash)
    {
        Span<byte> finishedKey = stackalloc byte[Hashes.OutputSize(hash)];
        Hkdf.ExpandLabel(hash, baseKey, "finished", ReadOnlySpan<byte>.Empty, finishedKey);
        byte[] verifyData = new byte[finishedKey.Length];
        Hmac.Compute(hash, finishedKey, transcriptHash, verifyData);
        CryptoUtil.Wipe(finishedKey);
        return verifyData;
    }

    /// <summary>Checks a received verify_data in constant time.</summary>
    public static bool VerifyFinished(HashAlgorithm hash, ReadOnlySpan<byte> baseKey, ReadOnlySpan<byte> transcriptHash, ReadOnlySpan<byte> received)
    {
        byte[] expected = ComputeFinished(hash, baseKey, transcriptHash);
        bool ok = CryptoUtil.FixedTimeEquals(expected, received);
        CryptoUtil.Wipe(expected);
        return ok;
    }

    /// <summary>
    /// application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
    /// (RFC 8446 section 7.2).
    /// </summary>
    public static byte[] NextApplicationTrafficSecret(HashAlgorithm hash, ReadOnlySpan<byte> current) =>
        Hkdf.ExpandLabel(hash, current, "traffic upd", ReadOnlySpan<byte>.Empty, Hashes.OutputSize(hash));

    /// <summary>
    /// The record protection key and IV of a traffic secret (RFC 8446 section 7.3):
    /// key = HKDF-Expand-Label(Secret, "key", "", key_length), iv = HKDF-Expand-Label(Secret, "iv", "", iv_length).
    /// </summary>
    public static Tls13TrafficKeys DeriveTrafficKeys(HashAlgorithm hash, ReadOnlySpan<byte> secret, int keyLength, int ivLength)
    {
        if (keyLength <= 0 || ivLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(keyLength), "key and IV lengths must be positive");
        }

        return new Tls13TrafficKeys(
            Hkdf.ExpandLabel(hash, secret, "key", ReadOnlySpan<byte>.Empty, keyLength),
            Hkdf.ExpandLabel(hash, secret, "iv", ReadOnlySpan<byte>.Empty, ivLength));
    }

    /// <summary>
    /// The PSK a ticket stands for (RFC 8446 section 4.6.1):
    /// HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). The caller wipes the result.
    /// </summary>
    public static byte[] ResumptionPsk(HashAlgorithm hash, ReadOnlySpan<byte> resumptionMasterSecret, ReadOnlySpan<byte> ticketNonce)
    {
        if (ticketNonce.Length > 255)
        {
            throw new ArgumentException("ticket_nonce is at most 255 bytes", nameof(ticketNonce));
        }

        return Hkdf.ExpandLabel(hash, resumptionMasterSecret, "resumption", ticketNonce, Hashes.OutputSize(hash));
    }

    /// <summary>
    /// TLS-Exporter(label, context_value, key_length) (RFC 8446 section 7.5):
    /// HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length).
    /// An absent context and an empty one give the same output in TLS 1.3.
    /// </summary>
    public static byte[] Export(HashAlgorithm hash, ReadOnlySpan<byte> exporterSecret, string label, ReadOnlySpan<byte> context, int length)
    {
        if (length < 0 || length > 255 * Hashes.OutputSize(hash))
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        byte[] derived = DeriveSecretEmpty(hash, exporterSecret, label);
        Span<byte> contextHash = stackalloc byte[Hashes.OutputSize(hash)];
        Hashes.Compute(hash, context, contextHash);
        byte[] result = Hkdf.ExpandLabel(hash, derived, "exporter", contextHash, length);
        CryptoUtil.Wipe(derived);
        return result;
    }

    /// <summary>HKDF-Extract(salt = Derive-Secret(previous, "derived", ""), IKM), the step between two stages.</summary>
    internal static byte[] ExtractNext(HashAlgorithm hash, ReadOnlySpan<byte> previous, ReadOnlySpan<byte> ikm)
    {
        byte[] salt = DeriveSecretEmpty(hash, previous, "derived");
        byte[] next = Hkdf.Extract(hash, salt, ikm);
        CryptoUtil.Wipe(salt);
        return next;
    }
}

/// <summary>Base of the three key schedule stages: one secret of Hash.length bytes, wiped on dispose.</summary>
internal abstract class Tls13Stage : IDisposable
{
    private readonly byte[] _secret;
    private bool _disposed;

    private protected Tls13Stage(HashAlgorithm hash, byte[] secret)
    {
        Hash = hash;
        _secret = secret;
        SecretTally.Made();
    }

    /// <summary>The suite's hash.</summary>
    public HashAlgorithm Hash { get; }

    /// <summary>Hash.length in bytes.</summary>
    public int HashLength => _secret.Length;

    /// <summary>The stage secret itself (for tests and diagnostics; never logged by the engine).</summary>
    public ReadOnlySpan<byte> Secret
    {
        get
        {
            ThrowIfDisposed();
            return _secret;
        }
    }

    /// <summary>Wipes the secret; later use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptoUtil.Wipe(_secret);
            _disposed = true;
            SecretTally.Wiped();
        }
    }

    private protected byte[] Derive(string label, ReadOnlySpan<byte> transcriptHash) =>
        Tls13KeySchedule.DeriveSecret(Hash, Secret, label, transcriptHash);

    private protected byte[] AdvanceAndDispose(ReadOnlySpan<byte> ikm)
    {
        byte[] next;
        if (ikm.IsEmpty)
        {
            Span<byte> zeros = stackalloc byte[HashLength];
            zeros.Clear();
            next = Tls13KeySchedule.ExtractNext(Hash, Secret, zeros);
        }
        else
        {
            next = Tls13KeySchedule.ExtractNext(Hash, Secret, ikm);
        }

        Dispose();
        return next;
    }

    private protected void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(GetType().Name, "this key schedule stage has been superseded or disposed");
        }
    }
}

/// <summary>The Early Secret: HKDF-Extract(0, PSK), with PSK = Hash.length zeros when there is none.</summary>
internal sealed class Tls13EarlySecret : Tls13Stage
{
    private Tls13EarlySecret(HashAlgorithm hash, byte[] secret, bool hasPsk)
        : base(hash, secret) => HasPsk = hasPsk;

    /// <summary>Whether a PSK went in (otherwise binders and early data make no sense).</summary>
    public bool HasPsk { get; }

    /// <summary>The Early Secret of a full handshake (no PSK).</summary>
    public static Tls13EarlySecret WithoutPsk(HashAlgorithm hash)
    {
        Span<byte> zeros = stackalloc byte[Hashes.OutputSize(hash)];
        zeros.Clear();
        return new Tls13EarlySecret(hash, Hkdf.Extract(hash, ReadOnlySpan<byte>.Empty, zeros), hasPsk: false);
    }

    /// <summary>The Early Secret from a PSK (resumption or external). The caller keeps ownership of <paramref name="psk"/>.</summary>
    public static Tls13EarlySecret WithPsk(HashAlgorithm hash, ReadOnlySpan<byte> psk)
    {
        if (psk.IsEmpty)
        {
            throw new ArgumentException("empty PSK", nameof(psk));
        }

        return new Tls13EarlySecret(hash, Hkdf.Extract(hash, ReadOnlySpan<byte>.Empty, psk), hasPsk: true);
    }

    /// <summary>binder_key = Derive-Secret(Early Secret, "ext binder" | "res binder", ""). The caller wipes the result.</summary>
    public byte[] BinderKey(PskKind kind)
    {
        RequirePsk();
        return Tls13KeySchedule.DeriveSecretEmpty(Hash, Secret, kind == PskKind.External ? "ext binder" : "res binder");
    }

    /// <summary>
    /// A PSK binder (RFC 8446 section 4.2.11.2): the Finished computation with the binder key as base key over
    /// <paramref name="truncatedTranscriptHash"/>, the transcript hash through the ClientHello truncated just
    /// before the binders list (after a HelloRetryRequest it also covers message_hash and the HelloRetryRequest).
    /// </summary>
    public byte[] ComputeBinder(PskKind kind, ReadOnlySpan<byte> truncatedTranscriptHash)
    {
        byte[] binderKey = BinderKey(kind);
        byte[] binder = Tls13KeySchedule.ComputeFinished(Hash, binderKey, truncatedTranscriptHash);
        CryptoUtil.Wipe(binderKey);
        return binder;
    }

    /// <summary>Checks a received binder in constant time.</summary>
    public bool VerifyBinder(PskKind kind, ReadOnlySpan<byte> truncatedTranscriptHash, ReadOnlySpan<byte> received)
    {
        byte[] expected = ComputeBinder(kind, truncatedTranscriptHash);
        bool ok = CryptoUtil.FixedTimeEquals(expected, received);
        CryptoUtil.Wipe(expected);
        return ok;
    }

    /// <summary>client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello).</summary>
    public Tls13TrafficSecret ClientEarlyTrafficSecret(ReadOnlySpan<byte> clientHelloHash)
    {
        RequirePsk();
        return new Tls13TrafficSecret(Hash, Derive("c e traffic", clientHelloHash), updatable: false);
    }

    /// <summary>early_exporter_master_secret = Derive-Secret(Early Secret, "e exp master", ClientHello).</summary>
    public Tls13ExporterSecret EarlyExporterMasterSecret(ReadOnlySpan<byte> clientHelloHash)
    {
        RequirePsk();
        return new Tls13ExporterSecret(Hash, Derive("e exp master", clientHelloHash));
    }

    /// <summary>
    /// The Handshake Secret: HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE). An empty shared
    /// secret stands for psk_ke mode (IKM = Hash.length zeros). This stage is wiped and unusable afterwards.
    /// </summary>
    public Tls13HandshakeSecret ToHandshakeSecret(ReadOnlySpan<byte> sharedSecret) =>
        new(Hash, AdvanceAndDispose(sharedSecret));

    private void RequirePsk()
    {
        ThrowIfDisposed();
        if (!HasPsk)
        {
            throw new InvalidOperationException("binders and early secrets need a PSK");
        }
    }
}

/// <summary>The Handshake Secret and the two handshake traffic secrets.</summary>
internal sealed class Tls13HandshakeSecret : Tls13Stage
{
    internal Tls13HandshakeSecret(HashAlgorithm hash, byte[] secret)
        : base(hash, secret)
    {
    }

    /// <summary>client_handshake_traffic_secret = Derive-Secret(., "c hs traffic", ClientHello...ServerHello).</summary>
    public Tls13TrafficSecret ClientHandshakeTrafficSecret(ReadOnlySpan<byte> transcriptHashThroughServerHello) =>
        new(Hash, Derive("c hs traffic", transcriptHashThroughServerHello), updatable: false);

    /// <summary>server_handshake_traffic_secret = Derive-Secret(., "s hs traffic", ClientHello...ServerHello).</summary>
    public Tls13TrafficSecret ServerHandshakeTrafficSecret(ReadOnlySpan<byte> transcriptHashThroughServerHello) =>
        new(Hash, Derive("s hs traffic", transcriptHashThroughServerHello), updatable: false);

    /// <summary>
    /// The Master Secret: HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0). This stage is wiped and
    /// unusable afterwards.
    /// </summary>
    public Tls13MasterSecret ToMasterSecret() => new(Hash, AdvanceAndDispose(ReadOnlySpan<byte>.Empty));
}

/// <summary>The Master Secret and the secrets derived from it.</summary>
internal sealed class Tls13MasterSecret : Tls13Stage
{
    internal Tls13MasterSecret(HashAlgorithm hash, byte[] secret)
        : base(hash, secret)
    {
    }

    /// <summary>client_application_traffic_secret_0 = Derive-Secret(., "c ap traffic", ClientHello...server Finished).</summary>
    public Tls13TrafficSecret ClientApplicationTrafficSecret(ReadOnlySpan<byte> transcriptHashThroughServerFinished) =>
        new(Hash, Derive("c ap traffic", transcriptHashThroughServerFinished), updatable: true);

    /// <summary>server_application_traffic_secret_0 = Derive-Secret(., "s ap traffic", ClientHello...server Finished).</summary>
    public Tls13TrafficSecret ServerApplicationTrafficSecret(ReadOnlySpan<byte> transcriptHashThroughServerFinished) =>
        new(Hash, Derive("s ap traffic", transcriptHashThroughServerFinished), updatable: true);

    /// <summary>exporter_master_secret = Derive-Secret(., "exp master", ClientHello...server Finished).</summary>
    public Tls13ExporterSecret ExporterMasterSecret(ReadOnlySpan<byte> transcriptHashThroughServerFinished) =>
        new(Hash, Derive("exp master", transcriptHashThroughServerFinished));

    /// <summary>resumption_master_secret = Derive-Secret(., "res master", ClientHello...client Finished).</summary>
    public Tls13ResumptionMasterSecret ResumptionMasterSecret(ReadOnlySpan<byte> transcriptHashThroughClientFinished) =>
        new(Hash, Derive("res master", transcriptHashThroughClientFinished));
}
