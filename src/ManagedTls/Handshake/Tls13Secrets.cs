using ManagedTls.Crypto;

namespace ManagedTls.Handshake;

/// <summary>Base of the derived TLS 1.3 secrets: Hash.length bytes, wiped on dispose.</summary>
internal abstract class Tls13DerivedSecret : IDisposable
{
    private byte[] _secret;
    private bool _disposed;

    private protected Tls13DerivedSecret(HashAlgorithm hash, byte[] secret)
    {
        Hash = hash;
        _secret = secret;
        SecretTally.Made();
    }

    /// <summary>The suite's hash.</summary>
    public HashAlgorithm Hash { get; }

    /// <summary>The secret (for key logging and tests; the engine never prints it otherwise).</summary>
    public ReadOnlySpan<byte> Secret
    {
        get
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(GetType().Name);
            }

            return _secret;
        }
    }

    /// <summary>The NSS key log line for this secret, e.g. <c>CLIENT_HANDSHAKE_TRAFFIC_SECRET &lt;client_random&gt; &lt;secret&gt;</c>
    /// (labels in <see cref="NssKeyLog"/>).</summary>
    public string ToKeyLogLine(string label, ReadOnlySpan<byte> clientRandom) => NssKeyLog.Format(label, clientRandom, Secret);

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

    /// <summary>Replaces the secret, wiping the old one.</summary>
    private protected void Replace(byte[] next)
    {
        CryptoUtil.Wipe(_secret);
        _secret = next;
    }
}

/// <summary>
/// A traffic secret: client or server, early, handshake or application. It yields the record key and IV, the
/// Finished value (handshake secrets are the Finished base keys) and, for application secrets, the next
/// generation on KeyUpdate.
/// </summary>
internal sealed class Tls13TrafficSecret : Tls13DerivedSecret
{
    private readonly bool _updatable;

    internal Tls13TrafficSecret(HashAlgorithm hash, byte[] secret, bool updatable)
        : base(hash, secret) => _updatable = updatable;

    /// <summary>Creates a traffic secret from stored bytes (copied), e.g. to continue from a saved state.</summary>
    public static Tls13TrafficSecret FromBytes(HashAlgorithm hash, ReadOnlySpan<byte> secret, bool isApplicationSecret)
    {
        if (secret.Length != Hashes.OutputSize(hash))
        {
            throw new ArgumentException($"a traffic secret is {Hashes.OutputSize(hash)} bytes", nameof(secret));
        }

        return new Tls13TrafficSecret(hash, secret.ToArray(), isApplicationSecret);
    }

    /// <summary>N in application_traffic_secret_N: how many KeyUpdates this secret has gone through.</summary>
    public int Generation { get; private set; }

    /// <summary>The record protection key and IV for an AEAD with the given key and IV (nonce) lengths.</summary>
    public Tls13TrafficKeys DeriveKeys(int keyLength, int ivLength) =>
        Tls13KeySchedule.DeriveTrafficKeys(Hash, Secret, keyLength, ivLength);

    /// <summary>verify_data of a Finished message sent with this (handshake) traffic secret as base key.</summary>
    public byte[] ComputeFinished(ReadOnlySpan<byte> transcriptHash) =>
        Tls13KeySchedule.ComputeFinished(Hash, Secret, transcriptHash);

    /// <summary>Checks a received Finished in constant time.</summary>
    public bool VerifyFinished(ReadOnlySpan<byte> transcriptHash, ReadOnlySpan<byte> received) =>
        Tls13KeySchedule.VerifyFinished(Hash, Secret, transcriptHash, received);

    /// <summary>
    /// KeyUpdate: replaces application_traffic_secret_N by N+1 ("traffic upd") and wipes N. Only application
    /// traffic secrets can be updated.
    /// </summary>
    public void Update()
    {
        if (!_updatable)
        {
            throw new InvalidOperationException("only application traffic secrets are updated");
        }

        Replace(Tls13KeySchedule.NextApplicationTrafficSecret(Hash, Secret));
        Generation++;
    }
}

/// <summary>exporter_master_secret or early_exporter_master_secret, for keying material exporters.</summary>
internal sealed class Tls13ExporterSecret : Tls13DerivedSecret, IKeyingMaterialExporter
{
    internal Tls13ExporterSecret(HashAlgorithm hash, byte[] secret)
        : base(hash, secret)
    {
    }

    /// <summary>TLS-Exporter(label, context_value, key_length) (RFC 8446 section 7.5).</summary>
    public byte[] Export(string label, ReadOnlySpan<byte> context, int length) =>
        Tls13KeySchedule.Export(Hash, Secret, label, context, length);
}

/// <summary>resumption_master_secret, from which each NewSessionTicket's PSK is derived.</summary>
internal sealed class Tls13ResumptionMasterSecret : Tls13DerivedSecret
{
    internal Tls13ResumptionMasterSecret(HashAlgorithm hash, byte[] secret)
        : base(hash, secret)
    {
    }

    /// <summary>The PSK of the ticket with <paramref name="ticketNonce"/>: HKDF-Expand-Label(., "resumption", ticket_nonce, Hash.length).
    /// The caller stores it with the ticket and wipes it when the ticket is dropped.</summary>
    public byte[] TicketPsk(ReadOnlySpan<byte> ticketNonce) => Tls13KeySchedule.ResumptionPsk(Hash, Secret, ticketNonce);
}

/// <summary>A record protection key and IV; both are wiped on dispose.</summary>
internal sealed class Tls13TrafficKeys : IDisposable
{
    internal Tls13TrafficKeys(byte[] key, byte[] iv)
    {
        Key = key;
        Iv = iv;
    }

    /// <summary>The AEAD key.</summary>
    public byte[] Key { get; }

    /// <summary>The per-connection IV that is XORed with the sequence number to form each nonce.</summary>
    public byte[] Iv { get; }

    /// <summary>Wipes key and IV.</summary>
    public void Dispose()
    {
        CryptoUtil.Wipe(Key);
        CryptoUtil.Wipe(Iv);
    }
}
