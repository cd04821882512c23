namespace ManagedTls.Handshake;

/// <summary>
/// Counts the TLS 1.3 key schedule secrets (stages and derived secrets) made and not yet wiped on the current
/// thread. The engine is synchronous, so a test that drives a connection on one thread can check that every secret
/// a failed (or finished and disposed) connection derived was wiped rather than left to the garbage collector.
/// The count is per thread and costs an increment; it says nothing about secrets made on other threads.
/// </summary>
internal static class SecretTally
{
    [ThreadStatic]
    private static int t_live;

    /// <summary>Secrets made on this thread and not yet disposed (secrets disposed here that were made elsewhere subtract).</summary>
    public static int LiveOnThisThread => t_live;

    /// <summary>Called when a secret is made.</summary>
    public static void Made() => t_live++;

    /// <summary>Called the first time a secret is wiped.</summary>
    public static void Wiped() => t_live--;
}
