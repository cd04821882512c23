namespace ManagedTls.Crypto;

/// <summary>The kinds of primitive operation <see cref="CryptoOperationLog"/> records.</summary>
internal enum CryptoOperationKind
{
    /// <summary>A key-exchange key pair generated (algorithm: the group's name).</summary>
    KeyGeneration,

    /// <summary>A key agreement computed from the own private key and the peer's share (algorithm: the group's name).</summary>
    KeyAgreement,

    /// <summary>A signature made (algorithm: the signature scheme; size: the message length).</summary>
    Sign,

    /// <summary>A signature checked, in a handshake message or a certificate (algorithm: the scheme; size: the message length).</summary>
    Verify,

    /// <summary>HKDF-Extract (algorithm: the hash).</summary>
    HkdfExtract,

    /// <summary>HKDF-Expand (algorithm: the hash; size: the output length).</summary>
    HkdfExpand,

    /// <summary>A one-shot HMAC, such as a Finished value (algorithm: the hash; size: the data length).</summary>
    Hmac,

    /// <summary>Bytes added to a running handshake transcript hash (algorithm: the hash; size: the byte count).</summary>
    TranscriptUpdate,

    /// <summary>The current value of a running transcript hash read (algorithm: the hash).</summary>
    TranscriptRead,
}

/// <summary>One primitive operation: what, with which algorithm, over how many bytes (0 where the size does not apply).</summary>
internal readonly record struct CryptoOperation(CryptoOperationKind Kind, string Algorithm, int Size)
{
    /// <summary>
    /// What the thread had allocated in all when the operation was noted (<c>GC.GetAllocatedBytesForCurrentThread</c>
    /// on targets that have it, else 0): the differences between neighbours show where a handshake allocates. Not part
    /// of the operation's identity.
    /// </summary>
    public long AllocatedBefore { get; init; }

    /// <inheritdoc/>
    public bool Equals(CryptoOperation other) => Kind == other.Kind && Algorithm == other.Algorithm && Size == other.Size;

    /// <inheritdoc/>
    public override int GetHashCode() => ((int)Kind * 397) ^ StringComparer.Ordinal.GetHashCode(Algorithm) ^ (Size * 31);

    /// <inheritdoc/>
    public override string ToString() => Size == 0 ? $"{Kind} {Algorithm}" : $"{Kind} {Algorithm} {Size}";
}

/// <summary>
/// Records the primitive operations made on the current thread while a recording is active: the key generations and
/// agreements, signatures, verifications (certificate signatures included), HKDF steps, one-shot HMACs and transcript
/// hash updates and reads. The engine is synchronous, so a test that drives both ends of a handshake on one thread
/// sees exactly what one handshake pair costs in primitives, and a benchmark's crypto floor can be checked against it.
/// When no recording is active, noting an operation costs one thread-static read.
/// </summary>
internal static class CryptoOperationLog
{
    [ThreadStatic]
    private static List<CryptoOperation>? t_log;

    /// <summary>Whether this thread is recording (for callers that would have to build the algorithm's name).</summary>
    public static bool IsRecording => t_log is not null;

    /// <summary>Starts recording on this thread (replacing any recording in progress).</summary>
    public static void Start() => t_log = new List<CryptoOperation>(1024); // room enough that the log's own growth does not show between operations

    /// <summary>Stops recording on this thread and returns what was recorded, in order.</summary>
    public static IReadOnlyList<CryptoOperation> Stop()
    {
        List<CryptoOperation> log = t_log ?? [];
        t_log = null;
        return log;
    }

    /// <summary>Notes one operation when this thread is recording.</summary>
    public static void Note(CryptoOperationKind kind, string algorithm, int size = 0) => t_log?.Add(new CryptoOperation(kind, algorithm, size) { AllocatedBefore = Allocated() });

    /// <summary>Notes one operation over a hash when this thread is recording.</summary>
    public static void Note(CryptoOperationKind kind, HashAlgorithm algorithm, int size = 0)
    {
        if (t_log is { } log)
        {
            log.Add(new CryptoOperation(kind, algorithm.ToString(), size) { AllocatedBefore = Allocated() });
        }
    }

#if NET6_0_OR_GREATER
    private static long Allocated() => GC.GetAllocatedBytesForCurrentThread();
#else
    private static long Allocated() => 0;
#endif
}
