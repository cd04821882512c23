using ManagedTls.Connection;
using ManagedTls.Ssl;

namespace ManagedTls.Tests.Facade;

/// <summary>
/// The key log file holds every connection's secrets: on Unix a file the library creates is 0600 (Python's is 0666 less
/// the umask), whether <see cref="SslContext.KeylogFilename"/> creates it, a handshake re-creates it, or the CLI's
/// <c>-keylogfile</c> does; all go through the one writer.
/// </summary>
public sealed class KeylogFileTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // Python 3.11.7 with the umask at 022: the mode of a key log file it creates.
    private const string RecordedPythonMode = "0o644";

    private readonly string _dir = WrapKeys.WriteFiles();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void KeylogFilenameCreatesThePrivateFileAndAHandshakeRecreatesIt()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = Path.Combine(_dir, "keys.log");
        SslContext client = WrapKeys.ClientContext(_dir);
        client.KeylogFilename = path;
        Assert.Equal(Private, File.GetUnixFileMode(path));
        Assert.Equal(KeyLogFile.Header, File.ReadAllText(path));

        // Removed after it was set: the handshake's first line creates it again, private.
        File.Delete(path);
        Handshake(client);
        Assert.Equal(Private, File.GetUnixFileMode(path));
        Assert.Contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET ", File.ReadAllText(path));

        // A file that exists keeps its owner's mode.
        string shared = Path.Combine(_dir, "shared.log");
        File.WriteAllText(shared, string.Empty);
        File.SetUnixFileMode(shared, Private | UnixFileMode.GroupRead);
        client.KeylogFilename = shared;
        Assert.Equal(Private | UnixFileMode.GroupRead, File.GetUnixFileMode(shared));
    }

    [Fact]
    public void TheCliWriterAndTheNetstandardPathCreatePrivateFiles()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // The CLI's -keylogfile goes through the context's keylog_filename, so its file is made by the same writer.
        string cli = Path.Combine(_dir, "cli.log");
        ManagedTls.Cli.TlsCliCommon.KeyLog(ManagedTls.Cli.TlsCliCommon.NewContext(serverSide: false), cli);
        Assert.Equal(Private, File.GetUnixFileMode(cli));
        Assert.Equal(KeyLogFile.Header, File.ReadAllText(cli));

        string standard = Path.Combine(_dir, "netstandard.log");
        KeyLogFile.CreatePrivateUnix(standard);
        Assert.Equal(Private, File.GetUnixFileMode(standard));
        Assert.Empty(File.ReadAllBytes(standard));
        File.WriteAllText(standard, "kept");
        KeyLogFile.CreatePrivateUnix(standard);
        Assert.Equal("kept", File.ReadAllText(standard));
        Assert.Equal(["cert.pem", "cli.log", "key.pem", "netstandard.log"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void PythonCreatesItWithTheUmaskAlone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = Path.Combine(_dir, "python.log");
        string live = PythonOracle.Run(
            "import os, ssl\nos.umask(0o022)\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n" +
            $"c.keylog_filename = {ContextConfigTests.Py(path)}\nprint(oct(os.stat({ContextConfigTests.Py(path)}).st_mode & 0o777))")!;
        Assert.Equal(RecordedPythonMode, live);
    }

    private void Handshake(SslContext clientContext)
    {
        SslObject client = clientContext.WrapBio(new MemoryBio(), new MemoryBio(), serverHostname: "localhost");
        SslObject server = WrapKeys.ServerContext(_dir).WrapBio(new MemoryBio(), new MemoryBio(), serverSide: true);
        for (int i = 0; i < 10 && !(client.IsHandshakeComplete && server.IsHandshakeComplete); i++)
        {
            foreach (SslObject o in new[] { client, server })
            {
                try
                {
                    o.DoHandshake();
                }
                catch (SslWantReadException)
                {
                }
            }

            server.Incoming.Write(client.Outgoing.Read());
            client.Incoming.Write(server.Outgoing.Read());
        }

        Assert.True(client.IsHandshakeComplete && server.IsHandshakeComplete);
    }
}
