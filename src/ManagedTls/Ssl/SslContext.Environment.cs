namespace ManagedTls.Ssl;

/// <content>What <see cref="CreateDefault"/> takes from the process environment, as Python's <c>create_default_context</c>.</content>
public sealed partial class SslContext
{
    /// <summary>The environment variable naming a key log file for <see cref="CreateDefault"/>, as in Python (and NSS, curl, browsers).</summary>
    internal const string KeylogEnvironmentVariable = "SSLKEYLOGFILE";

    /// <summary>
    /// Python's step at the end of <c>create_default_context</c>: a non-empty <c>SSLKEYLOGFILE</c> becomes
    /// <see cref="KeylogFilename"/> (opened at once, so a bad path fails the call, as in Python). Python skips it under
    /// <c>python -E</c> (<c>sys.flags.ignore_environment</c>); .NET has no such switch, so the variable is always read.
    /// </summary>
    private void ApplyKeylogEnvironment()
    {
        string? keylog = Environment.GetEnvironmentVariable(KeylogEnvironmentVariable);
        if (!string.IsNullOrEmpty(keylog))
        {
            KeylogFilename = keylog;
        }
    }
}
