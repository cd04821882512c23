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
    public static void Start() => t_log = [];

    /// <summary>Stops recording on this thread and returns what was recorded, in order.</summary>
    public static IReadOnlyList<CryptoOperation> Stop()
    {
        List<CryptoOperation> log = t_log ?? [];
        t_log = null;
        return log;
    }

    /// <summary>Notes one operation when this thread is recording.</summary>
    public static void Note(CryptoOperationKind kind, string algorithm, int size = 0) => t_log?.Add(new CryptoOperation(kind, algorithm, size));

    /// <summary>Notes one operation over a hash when this thread is recording.</summary>
    public static void Note(CryptoOperationKind kind, HashAlgorithm algorithm, int size = 0)
    {
        if (t_log is { } log)
        {
            log.Add(new CryptoOperation(kind, algorithm.ToString(), size));
        }
    }
}
