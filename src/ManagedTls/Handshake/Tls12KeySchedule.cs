using ManagedTls.Crypto;

namespace ManagedTls.Handshake;

/// <summary>
/// The TLS 1.2 key schedule (RFC 5246 sections 6.3, 7.4.9 and 8.1; RFC 7627 extended master secret;
/// RFC 5705 exporters), all built on <see cref="Tls12Prf"/> with the suite's PRF hash.
/// </summary>
internal static class Tls12KeySchedule
{
    /// <summary>Length of the master secret.</summary>
    public const int MasterSecretLength = 48;

    /// <summary>Length of Finished.verify_data for every suite ManagedTls supports.</summary>
    public const int VerifyDataLength = 12;

    /// <summary>Length of ClientHello.random and ServerHello.random.</summary>
    public const int RandomLength = 32;

    /// <summary>master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47].</summary>
    public static Tls12MasterSecret DeriveMasterSecret(HashAlgorithm prfHash, ReadOnlySpan<byte> preMasterSecret,
        ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> serverRandom)
    {
        CheckRandoms(clientRandom, serverRandom);
        byte[] master = new byte[MasterSecretLength];
        Tls12Prf.Compute(prfHash, preMasterSecret, "master secret", clientRandom, serverRandom, master);
        return new Tls12MasterSecret(prfHash, master, extended: false);
    }

    /// <summary>
    /// RFC 7627: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47], where
    /// session_hash is the transcript hash through the ClientKeyExchange.
    /// </summary>
    public static Tls12MasterSecret DeriveExtendedMasterSecret(HashAlgorithm prfHash, ReadOnlySpan<byte> preMasterSecret,
        ReadOnlySpan<byte> sessionHash)
    {
        if (sessionHash.IsEmpty)
        {
            throw new ArgumentException("empty session hash", nameof(sessionHash));
        }

        byte[] master = new byte[MasterSecretLength];
        Tls12Prf.Compute(prfHash, preMasterSecret, "extended master secret", sessionHash, ReadOnlySpan<byte>.Empty, master);
        return new Tls12MasterSecret(prfHash, master, extended: true);
    }

    /// <summary>A master secret restored from a session (resumption). The bytes are copied.</summary>
    public static Tls12MasterSecret FromStoredMasterSecret(HashAlgorithm prfHash, ReadOnlySpan<byte> masterSecret, bool extended)
    {
        if (masterSecret.Length != MasterSecretLength)
        {
            throw new ArgumentException("a TLS 1.2 master secret is 48 bytes", nameof(masterSecret));
        }

        return new Tls12MasterSecret(prfHash, masterSecret.ToArray(), extended);
    }

    internal static void CheckRandoms(ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> serverRandom)
    {
        if (clientRandom.Length != RandomLength || serverRandom.Length != RandomLength)
        {
            throw new ArgumentException("ClientHello.random and ServerHello.random are 32 bytes each");
        }
    }
}

/// <summary>A TLS 1.2 master secret (48 bytes, wiped on dispose) and what is derived from it.</summary>
internal sealed class Tls12MasterSecret : IDisposable
{
    private readonly byte[] _secret;
    private bool _disposed;

    internal Tls12MasterSecret(HashAlgorithm prfHash, byte[] secret, bool extended)
    {
        PrfHash = prfHash;
        _secret = secret;
        IsExtended = extended;
    }

    /// <summary>The PRF hash (SHA-256, or SHA-384 for the suites that name it).</summary>
    public HashAlgorithm PrfHash { get; }

    /// <summary>Whether this is an RFC 7627 extended master secret.</summary>
    public bool IsExtended { get; }

    /// <summary>The 48 bytes (for session storage, key logging and tests).</summary>
    public ReadOnlySpan<byte> Secret
    {
        get
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(Tls12MasterSecret));
            }

            return _secret;
        }
    }

    /// <summary>
    /// key_block = PRF(master_secret, "key expansion", server_random + client_random), split as
    /// client_write_MAC_key, server_write_MAC_key, client_write_key, server_write_key, client_write_IV, server_write_IV
    /// (RFC 5246 section 6.3). MAC keys have length 0 for AEAD suites; IVs are the implicit (fixed) part of the nonce
    /// (4 bytes for AES-GCM, RFC 5288; 12 for ChaCha20-Poly1305, RFC 7905) or 0 for TLS 1.2 CBC.
    /// </summary>
    public Tls12KeyBlock DeriveKeyBlock(ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> serverRandom,
        int macKeyLength, int encKeyLength, int fixedIvLength)
    {
        Tls12KeySchedule.CheckRandoms(clientRandom, serverRandom);
        if (macKeyLength < 0 || encKeyLength < 0 || fixedIvLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(macKeyLength), "key block lengths cannot be negative");
        }

        byte[] block = new byte[2 * (macKeyLength + encKeyLength + fixedIvLength)];
        Tls12Prf.Compute(PrfHash, Secret, "key expansion", serverRandom, clientRandom, block);
        int pos = 0;
        byte[] Take(int n)
        {
            byte[] part = block.AsSpan(pos, n).ToArray();
            pos += n;
            return part;
        }

        var result = new Tls12KeyBlock(
            clientMacKey: Take(macKeyLength), serverMacKey: Take(macKeyLength),
            clientWriteKey: Take(encKeyLength), serverWriteKey: Take(encKeyLength),
            clientWriteIv: Take(fixedIvLength), serverWriteIv: Take(fixedIvLength));
        CryptoUtil.Wipe(block);
        return result;
    }

    /// <summary>
    /// verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11], finished_label being
    /// "client finished" or "server finished" (RFC 5246 section 7.4.9).
    /// </summary>
    public byte[] ComputeFinished(bool sentByClient, ReadOnlySpan<byte> handshakeHash)
    {
        byte[] verifyData = new byte[Tls12KeySchedule.VerifyDataLength];
        Tls12Prf.Compute(PrfHash, Secret, sentByClient ? "client finished" : "server finished", handshakeHash, ReadOnlySpan<byte>.Empty, verifyData);
        return verifyData;
    }

    /// <summary>Checks a received verify_data in constant time.</summary>
    public bool VerifyFinished(bool sentByClient, ReadOnlySpan<byte> handshakeHash, ReadOnlySpan<byte> received)
    {
        byte[] expected = ComputeFinished(sentByClient, handshakeHash);
        bool ok = CryptoUtil.FixedTimeEquals(expected, received);
        CryptoUtil.Wipe(expected);
        return ok;
    }

    /// <summary>
    /// RFC 5705 keying material exporter: PRF(master_secret, label, client_random + server_random
    /// [+ uint16 context_length + context]). A null context (no context) differs from an empty one in TLS 1.2.
    /// </summary>
    public byte[] Export(string label, ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> serverRandom, byte[]? context, int length)
    {
        Tls12KeySchedule.CheckRandoms(clientRandom, serverRandom);
        if (context is not null && context.Length > ushort.MaxValue)
        {
            throw new ArgumentException("exporter context is at most 65535 bytes", nameof(context));
        }

        byte[] seed = new byte[64 + (context is null ? 0 : 2 + context.Length)];
        clientRandom.CopyTo(seed);
        serverRandom.CopyTo(seed.AsSpan(32));
        if (context is not null)
        {
            seed[64] = (byte)(context.Length >> 8);
            seed[65] = (byte)context.Length;
            context.CopyTo(seed, 66);
        }

        byte[] result = new byte[length];
        Tls12Prf.Compute(PrfHash, Secret, label, seed, ReadOnlySpan<byte>.Empty, result);
        return result;
    }

    /// <summary>The NSS key log line <c>CLIENT_RANDOM &lt;client_random&gt; &lt;master_secret&gt;</c>.</summary>
    public string ToKeyLogLine(ReadOnlySpan<byte> clientRandom) => NssKeyLog.Format(NssKeyLog.ClientRandom, clientRandom, Secret);

    /// <summary>Wipes the master secret.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptoUtil.Wipe(_secret);
            _disposed = true;
        }
    }
}

/// <summary>The six parts of a TLS 1.2 key block; all wiped on dispose.</summary>
internal sealed class Tls12KeyBlock : IDisposable
{
    internal Tls12KeyBlock(byte[] clientMacKey, byte[] serverMacKey, byte[] clientWriteKey, byte[] serverWriteKey,
        byte[] clientWriteIv, byte[] serverWriteIv)
    {
        ClientMacKey = clientMacKey;
        ServerMacKey = serverMacKey;
        ClientWriteKey = clientWriteKey;
        ServerWriteKey = serverWriteKey;
        ClientWriteIv = clientWriteIv;
        ServerWriteIv = serverWriteIv;
    }

    /// <summary>client_write_MAC_key (empty for AEAD suites).</summary>
    public byte[] ClientMacKey { get; }

    /// <summary>server_write_MAC_key (empty for AEAD suites).</summary>
    public byte[] ServerMacKey { get; }

    /// <summary>client_write_key.</summary>
    public byte[] ClientWriteKey { get; }

    /// <summary>server_write_key.</summary>
    public byte[] ServerWriteKey { get; }

    /// <summary>client_write_IV (the fixed nonce part for AEAD suites).</summary>
    public byte[] ClientWriteIv { get; }

    /// <summary>server_write_IV (the fixed nonce part for AEAD suites).</summary>
    public byte[] ServerWriteIv { get; }

    /// <summary>Wipes every part.</summary>
    public void Dispose()
    {
        CryptoUtil.Wipe(ClientMacKey);
        CryptoUtil.Wipe(ServerMacKey);
        CryptoUtil.Wipe(ClientWriteKey);
        CryptoUtil.Wipe(ServerWriteKey);
        CryptoUtil.Wipe(ClientWriteIv);
        CryptoUtil.Wipe(ServerWriteIv);
    }
}
