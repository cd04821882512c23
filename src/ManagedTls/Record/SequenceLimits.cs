using ManagedTls.Crypto;

namespace ManagedTls.Record;

/// <summary>
/// How many records one set of keys may protect. <see cref="KeyUpdateThreshold"/> is where the record layer
/// starts reporting <see cref="RecordProtection.NeedsKeyUpdate"/> (the engine then sends a KeyUpdate in
/// TLS 1.3, or closes / renegotiates in TLS 1.2); <see cref="Limit"/> is where sealing and opening stop for
/// good. The 64-bit sequence number never wraps: the last usable value is 2^64 - 2.
/// </summary>
internal readonly struct SequenceLimits
{
    /// <summary>Sequence numbers are 64 bits and must not wrap (RFC 8446 section 5.3, RFC 5246 section 6.1).</summary>
    public const ulong NoWrap = ulong.MaxValue;

    /// <summary>Creates limits; the threshold is clamped to the limit.</summary>
    public SequenceLimits(ulong keyUpdateThreshold, ulong limit)
    {
        Limit = Math.Min(limit, NoWrap);
        KeyUpdateThreshold = Math.Min(keyUpdateThreshold, Limit);
    }

    /// <summary>Records after which <see cref="RecordProtection.NeedsKeyUpdate"/> turns true.</summary>
    public ulong KeyUpdateThreshold { get; }

    /// <summary>Records after which the keys refuse to protect or open anything more.</summary>
    public ulong Limit { get; }

    /// <summary>
    /// Conservative defaults per AEAD. RFC 8446 section 5.5 puts AES-GCM's limit at 2^24.5 full-size
    /// records; we ask for a key update at 2^23 and stop at 2^24. The AES-CCM variants get the same numbers
    /// (their confidentiality bound is of the same order). ChaCha20-Poly1305's bound lies beyond 2^64, so only
    /// the no-wrap rule applies, with a key update requested 2^32 records before the end.
    /// </summary>
    public static SequenceLimits For(AeadAlgorithm algorithm) => algorithm switch
    {
        AeadAlgorithm.ChaCha20Poly1305 => new SequenceLimits(NoWrap - (1UL << 32), NoWrap),
        _ => new SequenceLimits(1UL << 23, 1UL << 24),
    };

    /// <summary>
    /// Limits for keys that open what the peer sends. The AEAD confidentiality limits of RFC 8446 section 5.5 bound
    /// how much one key may encrypt, which is the sender's duty (we honour it with KeyUpdate); a receiver that
    /// enforced them would break long connections with peers that never update keys (OpenSSL, Go), so on receive
    /// only the no-wrap rule applies. A forgery attempt already ends the connection (<c>bad_record_mac</c>), so the
    /// integrity limit on failed decryptions is one.
    /// </summary>
    public static SequenceLimits Receive => new(NoWrap, NoWrap);

    /// <summary>Limits for TLS 1.2 CBC suites: only the no-wrap rule (there is no key update in TLS 1.2).</summary>
    public static SequenceLimits Cbc => new(NoWrap - (1UL << 32), NoWrap);
}
