namespace ManagedTls.Ssl;

/// <summary>Python's <c>ssl.DefaultVerifyPaths</c> named tuple, from <see cref="Ssl.GetDefaultVerifyPaths"/>.</summary>
/// <param name="Cafile">The CA bundle in force if it exists as a file, else null (Python <c>cafile</c>).</param>
/// <param name="Capath">The hashed directory in force if it exists as a directory, else null (Python <c>capath</c>).</param>
/// <param name="OpensslCafileEnv">Name of the variable that overrides the bundle: <c>SSL_CERT_FILE</c>.</param>
/// <param name="OpensslCafile">The built-in default bundle path.</param>
/// <param name="OpensslCapathEnv">Name of the variable that overrides the directory: <c>SSL_CERT_DIR</c>.</param>
/// <param name="OpensslCapath">The built-in default directory.</param>
public sealed record DefaultVerifyPaths(
    string? Cafile,
    string? Capath,
    string OpensslCafileEnv,
    string OpensslCafile,
    string OpensslCapathEnv,
    string OpensslCapath);
