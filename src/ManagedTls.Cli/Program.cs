namespace ManagedTls.Cli;

/// <summary>The <c>managedtls</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Entry point: dispatches to one command per sub-command name.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage();
        }

        string[] rest = args.Skip(1).ToArray();
        try
        {
            return args[0] switch
            {
                "demo" => DemoCommand.Run(rest),
                "selftest" => SelfTestCommand.Run(rest),
                "ciphers" => CiphersCommand.Run(rest),
                "verify" => VerifyCommand.Run(rest),
                "certinfo" => CertInfoCommand.Run(rest),
                "s_client" => SClientCommand.Run(rest),
                "s_server" => SServerCommand.Run(rest),
                "speed" => SpeedCommand.Run(rest),
                "-h" or "--help" or "help" => Usage(0),
                _ => Usage(),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"managedtls {args[0]}: {e.Message}");
            return 1;
        }
    }

    private static int Usage(int code = 1)
    {
        var w = code == 0 ? Console.Out : Console.Error;
        w.WriteLine("usage: managedtls COMMAND [ARGS]");
        w.WriteLine("commands:");
        w.WriteLine("  demo            our TLS client and server over loopback with a throwaway CA; prints what they negotiated");
        w.WriteLine("  selftest        known-answer tests of every primitive; exit 0 only when all pass");
        w.WriteLine("  ciphers         list the suites a cipher string selects, as `openssl ciphers` does");
        w.WriteLine("  verify          verify a certificate chain as openssl verify does; --limbo FILE runs an x509-limbo suite");
        w.WriteLine("  certinfo FILE.. subject hash and getpeercert() JSON of each certificate; --default-paths: trust locations");
        w.WriteLine("  s_client        TLS 1.3/1.2 client with openssl s_client's flags (-connect, -brief, -CAfile, -alpn, -groups...)");
        w.WriteLine("  s_server        TLS 1.3/1.2 server with openssl s_server's flags (-accept, -cert, -key, -www, -Verify...)");
        w.WriteLine("  speed           AEAD throughput as openssl speed -evp prints it, hardware and BouncyCastle; -seconds N");
        return code;
    }
}

/// <summary>Bad command-line arguments: the message goes to stderr and the exit code is 1.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException(string message) : base(message)
    {
    }
}
