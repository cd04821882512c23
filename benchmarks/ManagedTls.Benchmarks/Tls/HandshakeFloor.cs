using ManagedTls.Crypto;
using ManagedTls.Ssl;
using ManagedTls.X509.Validation;

namespace ManagedTls.Benchmarks.Tls;

/// <summary>The handshake pairs that have a crypto floor row.</summary>
public enum FloorRow
{
    /// <summary>Full TLS 1.3 handshake, x25519, TLS_AES_128_GCM_SHA256, ECDSA P-256 server leaf.</summary>
    FullEcdsaP256,

    /// <summary>Full TLS 1.3 handshake, x25519, TLS_AES_128_GCM_SHA256, RSA-2048 server leaf (rsa_pss_rsae_sha256).</summary>
    FullRsa2048,

    /// <summary>Full TLS 1.3 handshake, x25519, TLS_AES_128_GCM_SHA256, Ed25519 server leaf.</summary>
    FullEd25519,

    /// <summary>
    /// Resumed TLS 1.3 handshake (psk_dhe_ke, x25519, TLS_AES_256_GCM_SHA384, ECDSA P-256 server), one new ticket issued
    /// and taken in by the client with one byte from the server.
    /// </summary>
    Resumed,
}

/// <summary>
/// The crypto floor of one handshake pair: exactly the primitive operations a client and a server need for that
/// handshake (key generations and agreements, the signature, the signature checks including the certificate chain's,
/// the HKDF steps of both key schedules, the transcript hash updates and reads, the Finished and binder MACs), run
/// one after another with the same implementations the engine uses (the <c>Crypto/</c> wrappers over BouncyCastle, and
/// the X.509 layer's certificate signature check), on keys and certificates parsed once beforehand.
/// <para>
/// The plan (<see cref="Operations"/>) is written out below per kind of handshake, from the protocol. Only the sizes of
/// the transcript updates (the handshake messages' lengths, which depend on the certificates and on the ECDSA
/// signature's DER length) are taken from one recorded handshake of the same row. A test records real handshakes
/// through the facade (<see cref="Record"/>) and checks that they make exactly the planned operations, so the floor
/// cannot drift from what the engine does. Not in the floor: record protection (the AEAD sealing and opening of the
/// handshake records) and, for the resumed row, the ticket's own encryption; they count as the engine's overhead.
/// </para>
/// </summary>
public sealed class HandshakeFloor
{
    private const int CertificateVerifyPrefix = 64 + 33 + 1; // 64 spaces, the context string, a zero byte (RFC 8446 section 4.4.3)

    private readonly CryptoOperation[] _plan;
    private readonly PrivateKey _leafKey;
    private readonly PublicKey _leafPublic;
    private readonly SignatureAlgorithm? _scheme;
    private readonly byte[] _signed;
    private readonly byte[] _signature;
    private readonly Cert _leaf;
    private readonly Cert _issuer;
    private readonly byte[] _scratch = new byte[4096];
    private readonly List<IKeyExchange> _keys = new(4);

    private HandshakeFloor(FloorRow row, BenchLeaf leaf, IReadOnlyList<CryptoOperation> recorded)
    {
        Row = row;
        _leafKey = PrivateKey.FromDer(leaf.Pkcs8);
        _leafPublic = _leafKey.PublicKey;
        _leaf = Cert.Parse(leaf.Der);
        _issuer = Cert.Parse(BenchPki.RootDer);
        HashAlgorithm hash = row == FloorRow.Resumed ? HashAlgorithm.Sha384 : HashAlgorithm.Sha256;
        int[] transcript = recorded.Where(o => o.Kind == CryptoOperationKind.TranscriptUpdate).Select(o => o.Size).ToArray();
        _scheme = row switch
        {
            FloorRow.FullEcdsaP256 => SignatureAlgorithm.EcdsaP256Sha256,
            FloorRow.FullRsa2048 => SignatureAlgorithm.RsaPssRsaeSha256,
            FloorRow.FullEd25519 => SignatureAlgorithm.Ed25519,
            _ => null,
        };
        _signed = new byte[CertificateVerifyPrefix + Hashes.OutputSize(hash)];
        new Random(1).NextBytes(_signed);
        _signature = _scheme is null ? [] : _leafKey.Sign(_scheme, _signed, OsEntropy.Instance);
        if (_scheme is not null && !_leafPublic.Verify(_scheme, _signed, _signature))
        {
            throw new InvalidOperationException("the floor's CertificateVerify signature does not verify");
        }

        if (SignatureCheck.Verify(_leaf.SignatureAlgorithm, _leaf.TbsDer, _leaf.Signature, _issuer, 0, out _) is { } bad)
        {
            throw new InvalidOperationException("the floor's certificate signature does not verify: " + bad);
        }

        _plan = row == FloorRow.Resumed
            ? [.. Tls13Resumed(hash, 32, 12, transcript)]
            : [.. Tls13Full(hash, 16, 12, _scheme!.Name, SignatureCheck.CertificateSignatureName(_leaf.SignatureAlgorithm), _leaf.TbsDer.Length, _signed.Length, transcript)];
    }

    /// <summary>Which handshake this is the floor of.</summary>
    public FloorRow Row { get; }

    /// <summary>The primitive operations of one handshake pair, as planned (both sides together).</summary>
    internal IReadOnlyList<CryptoOperation> Operations => _plan;

    /// <summary>The client context of a row (the benchmark CA trusted, the host name checked, TLS 1.3 only).</summary>
    public static SslContext ClientContext(FloorRow row)
    {
        SslContext context = FacadePeers.Client(TlsVersion.TlsV1_3, null);
        context.MinimumVersion = TlsVersion.TlsV1_3;
        context.SetCiphersuites(row == FloorRow.Resumed ? "TLS_AES_256_GCM_SHA384" : "TLS_AES_128_GCM_SHA256");
        return context;
    }

    /// <summary>The server context of a row (no tickets for full handshakes, one per connection for the resumed row).</summary>
    public static SslContext ServerContext(FloorRow row)
    {
        SslContext context = FacadePeers.Server(KeyOf(row), TlsVersion.TlsV1_3, null, tickets: row == FloorRow.Resumed ? 1 : 0);
        context.MinimumVersion = TlsVersion.TlsV1_3;
        context.SetCiphersuites(row == FloorRow.Resumed ? "TLS_AES_256_GCM_SHA384" : "TLS_AES_128_GCM_SHA256");
        return context;
    }

    /// <summary>The server key of a row.</summary>
    public static ServerKey KeyOf(FloorRow row) => row switch
    {
        FloorRow.FullRsa2048 => ServerKey.Rsa2048,
        FloorRow.FullEd25519 => ServerKey.Ed25519,
        _ => ServerKey.EcdsaP256,
    };

    /// <summary>
    /// Makes the floor of <paramref name="row"/>: records one handshake pair of the row through the facade with the
    /// given contexts (for the message sizes) and builds the plan.
    /// </summary>
    public static HandshakeFloor Create(FloorRow row, SslContext client, SslContext server, SslSession? session = null) =>
        new(row, BenchPki.Leaf(KeyOf(row)), Record(client, server, session, out _));

    /// <summary>
    /// Records the primitive operations of one facade handshake pair on this thread, from <c>WrapBio</c> on; with a
    /// <paramref name="session"/> also one byte from the server, which carries the new ticket to the client. The
    /// client's new session (if any) is returned in <paramref name="next"/>.
    /// </summary>
    internal static IReadOnlyList<CryptoOperation> Record(SslContext client, SslContext server, SslSession? session, out SslSession? next)
    {
        IReadOnlyList<CryptoOperation> ops;
        CryptoOperationLog.Start();
        try
        {
            using var pair = new FacadePeers.Pair(client, server, session);
            pair.Handshake();
            if (session is not null)
            {
                pair.OneByteToClient();
            }

            next = session is null ? null : pair.Client.Session;
        }
        finally
        {
            ops = CryptoOperationLog.Stop();
        }

        return ops;
    }

    /// <summary>Runs every planned operation once; returns a value that depends on the results.</summary>
    public int Run() => Run(null);

    /// <summary>Runs the planned operations <paramref name="only"/> selects (all when null), for a breakdown of the floor.</summary>
    internal int Run(Func<CryptoOperation, bool>? only)
    {
        int result = 0;
        int agreements = 0;
        HashFunction? transcript = null;
        Span<byte> prk = stackalloc byte[64];
        Span<byte> output = stackalloc byte[64];
        Span<byte> context = stackalloc byte[64];
        foreach (CryptoOperation op in _plan)
        {
            if (only is not null && !only(op) && op.Kind != CryptoOperationKind.KeyGeneration)
            {
                continue;
            }

            switch (op.Kind)
            {
                case CryptoOperationKind.KeyGeneration:
                    _keys.Add(KeyExchanges.All.First(k => k.Name == op.Algorithm).Generate(OsEntropy.Instance));
                    break;
                case CryptoOperationKind.KeyAgreement:
                {
                    // Each side's private key with the other side's share.
                    IKeyExchange own = _keys[agreements % _keys.Count];
                    IKeyExchange peer = _keys[(agreements + 1) % _keys.Count];
                    byte[] shared = own.DeriveSharedSecret(peer.PublicShare);
                    result += shared[0];
                    CryptoUtil.Wipe(shared);
                    agreements++;
                    break;
                }

                case CryptoOperationKind.Sign:
                    result += _leafKey.Sign(_scheme!, _signed.AsSpan(0, op.Size), OsEntropy.Instance).Length;
                    break;
                case CryptoOperationKind.Verify when op.Algorithm.StartsWith("certificate ", StringComparison.Ordinal):
                    result += SignatureCheck.Verify(_leaf.SignatureAlgorithm, _leaf.TbsDer, _leaf.Signature, _issuer, 0, out _) is null ? 1 : 0;
                    break;
                case CryptoOperationKind.Verify:
                    result += _leafPublic.Verify(_scheme!, _signed.AsSpan(0, op.Size), _signature) ? 1 : 0;
                    break;
                case CryptoOperationKind.HkdfExtract:
                    Hkdf.Extract(HashOf(op), prk.Slice(0, Hashes.OutputSize(HashOf(op))), _scratch.AsSpan(0, Hashes.OutputSize(HashOf(op))), prk);
                    break;
                case CryptoOperationKind.HkdfExpand:
                    Hkdf.ExpandLabel(HashOf(op), prk.Slice(0, Hashes.OutputSize(HashOf(op))), "c hs traffic", context.Slice(0, Hashes.OutputSize(HashOf(op))), output.Slice(0, op.Size));
                    result += output[0];
                    break;
                case CryptoOperationKind.Hmac:
                    Hmac.Compute(HashOf(op), prk.Slice(0, Hashes.OutputSize(HashOf(op))), context.Slice(0, op.Size), output);
                    result += output[0];
                    break;
                case CryptoOperationKind.TranscriptUpdate:
                    transcript ??= Hashes.Create(HashOf(op));
                    transcript.Update(_scratch.AsSpan(0, op.Size));
                    break;
                case CryptoOperationKind.TranscriptRead:
                    transcript ??= Hashes.Create(HashOf(op));
                    transcript.GetCurrentHash(context.Slice(0, transcript.OutputSize));
                    break;
            }
        }

        foreach (IKeyExchange key in _keys)
        {
            key.Dispose();
        }

        _keys.Clear();
        return result;
    }

    private static HashAlgorithm HashOf(CryptoOperation op) => Enum.Parse<HashAlgorithm>(op.Algorithm);

    /// <summary>
    /// A full TLS 1.3 handshake pair without client authentication, HelloRetryRequest or tickets. Per side: one key
    /// share (the client's in its ClientHello, the server's in its answer) and one agreement; the server signs the
    /// CertificateVerify content, the client checks it and the leaf's signature by the CA (the trust anchor's own
    /// signature is not checked); both key schedules (RFC 8446 section 7.1); both Finished values made by one side and
    /// checked by the other.
    /// </summary>
    private static IEnumerable<CryptoOperation> Tls13Full(HashAlgorithm hash, int keyLength, int ivLength, string scheme, string certificateSignature, int tbsLength, int signedLength, int[] transcript)
    {
        string h = hash.ToString();
        int hashLength = Hashes.OutputSize(hash);
        for (int side = 0; side < 2; side++)
        {
            yield return new(CryptoOperationKind.KeyGeneration, "x25519", 0);
        }

        for (int side = 0; side < 2; side++)
        {
            yield return new(CryptoOperationKind.KeyAgreement, "x25519", 0);
        }

        yield return new(CryptoOperationKind.Sign, scheme, signedLength);
        yield return new(CryptoOperationKind.Verify, scheme, signedLength);
        yield return new(CryptoOperationKind.Verify, certificateSignature, tbsLength);
        foreach (CryptoOperation op in KeySchedule(h, hashLength, keyLength, ivLength, psk: false))
        {
            yield return op;
        }

        foreach (CryptoOperation op in Transcript(h, transcript, FullTranscriptUpdates, FullTranscriptReads))
        {
            yield return op;
        }
    }

    /// <summary>
    /// A resumed TLS 1.3 handshake pair (psk_dhe_ke) with one new ticket: as a full handshake without the certificate
    /// and its checks, plus the PSK binder (made by the client, checked by the server) and the ticket's PSK, derived by
    /// the server when it issues the ticket and by the client when it takes it in.
    /// </summary>
    private static IEnumerable<CryptoOperation> Tls13Resumed(HashAlgorithm hash, int keyLength, int ivLength, int[] transcript)
    {
        string h = hash.ToString();
        int hashLength = Hashes.OutputSize(hash);
        for (int side = 0; side < 2; side++)
        {
            yield return new(CryptoOperationKind.KeyGeneration, "x25519", 0);
        }

        for (int side = 0; side < 2; side++)
        {
            yield return new(CryptoOperationKind.KeyAgreement, "x25519", 0);
        }

        foreach (CryptoOperation op in KeySchedule(h, hashLength, keyLength, ivLength, psk: true))
        {
            yield return op;
        }

        foreach (CryptoOperation op in Transcript(h, transcript, ResumedTranscriptUpdates, ResumedTranscriptReads))
        {
            yield return op;
        }
    }

    // Pieces added to the transcripts per pair. Client: its ClientHello (buffered until the ServerHello names the hash),
    // ServerHello, EncryptedExtensions, Certificate, CertificateVerify, both Finished (7). Server: the same seven
    // messages and the empty buffer hashed when it picks the suite before adding the ClientHello (8).
    private const int FullTranscriptUpdates = 15;

    // Resumed: ClientHello, ServerHello, EncryptedExtensions, both Finished on each side, the buffered ClientHello,
    // and the truncated ClientHello hashed for the binder on each side.
    private const int ResumedTranscriptUpdates = 12;

    // Transcript reads per pair. Full: per side the hash after the ServerHello (handshake traffic secrets), after the
    // CertificateVerify's predecessor (signed or checked), for the server Finished, for the client Finished, for the
    // application secrets; the client reads once more for its own Finished after the server's.
    private const int FullTranscriptReads = 11;

    // Resumed: per side the hash for the binder (the truncated ClientHello), after the ServerHello, for both Finished
    // values and the application secrets, and the resumption master secret.
    private const int ResumedTranscriptReads = 11;

    private static IEnumerable<CryptoOperation> KeySchedule(string h, int hashLength, int keyLength, int ivLength, bool psk)
    {
        // Per side: early secret, handshake secret, master secret. With a PSK each side derives the early secret twice:
        // once for the binder (the client before sending, the server before choosing the PSK) and once for the schedule.
        for (int i = 0; i < (psk ? 8 : 6); i++)
        {
            yield return new(CryptoOperationKind.HkdfExtract, h, 0);
        }

        // Per side: "derived" twice, c hs traffic, s hs traffic, c ap traffic, s ap traffic, exp master, the two
        // finished keys; res master on the side that will use it.
        int expands = 19;
        if (psk)
        {
            // The binder key and its finished key (client and server, the binder key's "derived" step again with the
            // second early secret), the resumption master secret on both sides and the new ticket's PSK (server when
            // issuing, client when taking it in).
            expands = 26;
        }

        for (int i = 0; i < expands; i++)
        {
            yield return new(CryptoOperationKind.HkdfExpand, h, hashLength);
        }

        // Handshake and application traffic keys and IVs: both directions on both sides.
        for (int i = 0; i < 8; i++)
        {
            yield return new(CryptoOperationKind.HkdfExpand, h, keyLength);
            yield return new(CryptoOperationKind.HkdfExpand, h, ivLength);
        }

        // Both Finished values, each made by one side and checked by the other; with a PSK also the binder (made by
        // the client, checked by the server).
        for (int i = 0; i < (psk ? 6 : 4); i++)
        {
            yield return new(CryptoOperationKind.Hmac, h, hashLength);
        }
    }

    private static IEnumerable<CryptoOperation> Transcript(string h, int[] updates, int expectedUpdates, int reads)
    {
        // The sizes come from the recording; their number is the plan's (a test compares it with what a handshake does).
        for (int i = 0; i < expectedUpdates; i++)
        {
            yield return new(CryptoOperationKind.TranscriptUpdate, h, i < updates.Length ? updates[i] : 0);
        }

        for (int i = 0; i < reads; i++)
        {
            yield return new(CryptoOperationKind.TranscriptRead, h, 0);
        }
    }
}
