using ManagedTls.Crypto;

namespace ManagedTls.Tests.Crypto;

/// <summary>Locates the openssl-generated files under vectors/keys/.</summary>
internal static class KeyTestFiles
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "vectors", "keys");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("vectors/keys not found above " + AppContext.BaseDirectory);
    });

    public const string Password = "secret";

    public static string PathOf(string name) => Path.Combine(Directory.Value, name);

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));

    public static PrivateKey Load(string name, string? password = null) => PrivateKey.Load(Read(name), password);

    public static PublicKey Spki(string name) => PublicKey.FromSubjectPublicKeyInfo(Read(name));
}
