using System.Runtime.InteropServices;

namespace ManagedTls.Crypto;

/// <summary>
/// Entropy from the operating system without going through <c>System.Security.Cryptography</c> (which
/// loads OpenSSL on Linux): <c>getrandom(2)</c> from glibc on Linux, <c>getentropy(3)</c> from libSystem on
/// macOS and from libc on FreeBSD, <c>/dev/urandom</c> as the Unix fallback (musl, old kernels without the
/// system call, seccomp filters that refuse it, other BSDs), and <c>BCryptGenRandom</c> (CNG) on Windows.
/// </summary>
public sealed class OsEntropy : IEntropySource
{
    /// <summary>The process-wide instance.</summary>
    public static OsEntropy Instance { get; } = new();

    private const int EINTR = 4;
    private const int EPERM = 1;
    private const int ENOSYS = 38; // Linux
    private const int ENOSYS_BSD = 78; // macOS and FreeBSD

    private readonly object _gate = new();
    private volatile Source _source = Source.Unknown;
    private FileStream? _urandom;

    private enum Source { Unknown, GetRandom, GetEntropy, DevUrandom, BCrypt }

    private OsEntropy()
    {
    }

    /// <summary>The mechanism in use (for diagnostics): getrandom, getentropy, /dev/urandom or BCryptGenRandom.</summary>
    public string Mechanism
    {
        get
        {
            Span<byte> probe = stackalloc byte[1];
            GetBytes(probe);
            return _source switch
            {
                Source.GetRandom => "getrandom",
                Source.GetEntropy => "getentropy",
                Source.DevUrandom => "/dev/urandom",
                _ => "BCryptGenRandom",
            };
        }
    }

    /// <inheritdoc />
    public void GetBytes(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }

        switch (_source)
        {
            case Source.GetRandom:
                FillGetRandom(destination);
                return;
            case Source.GetEntropy:
                FillGetEntropy(destination);
                return;
            case Source.DevUrandom:
                FillUrandom(destination);
                return;
            case Source.BCrypt:
                FillBCrypt(destination);
                return;
            default:
                Probe(destination);
                return;
        }
    }

    private void Probe(Span<byte> destination)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            FillBCrypt(destination);
            _source = Source.BCrypt;
            return;
        }

        // Each native source is tried once; a missing library or entry point, or a kernel that does not
        // offer the call, falls through to /dev/urandom. Nothing has been written to the destination when
        // these are raised, so the fallback starts from scratch.
        try
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                FillGetRandom(destination);
                _source = Source.GetRandom;
                return;
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX) || RuntimeInformation.IsOSPlatform(FreeBsd))
            {
                FillGetEntropy(destination);
                _source = Source.GetEntropy;
                return;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or SourceUnavailableException)
        {
        }

        FillUrandom(destination);
        _source = Source.DevUrandom;
    }

    private static OSPlatform FreeBsd { get; } = OSPlatform.Create("FREEBSD");

    private static unsafe void FillGetRandom(Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            int done = 0;
            while (done < destination.Length)
            {
                nint n = Native.getrandom(p + done, (nuint)(destination.Length - done), 0);
                if (n < 0)
                {
                    int errno = Marshal.GetLastWin32Error();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    if (errno is ENOSYS or EPERM && done == 0)
                    {
                        throw new SourceUnavailableException();
                    }

                    throw new IOException($"getrandom failed with errno {errno}");
                }

                done += (int)n;
            }
        }
    }

    private static unsafe void FillGetEntropy(Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            for (int done = 0; done < destination.Length;)
            {
                // getentropy fills at most 256 bytes per call.
                int chunk = Math.Min(256, destination.Length - done);
                int rc = RuntimeInformation.IsOSPlatform(OSPlatform.OSX)
                    ? Native.getentropy_macos(p + done, (nuint)chunk)
                    : Native.getentropy_freebsd(p + done, (nuint)chunk);
                if (rc != 0)
                {
                    int errno = Marshal.GetLastWin32Error();
                    if (errno is ENOSYS_BSD or EPERM && done == 0)
                    {
                        throw new SourceUnavailableException();
                    }

                    throw new IOException($"getentropy failed with errno {errno}");
                }

                done += chunk;
            }
        }
    }

    private void FillUrandom(Span<byte> destination)
    {
        lock (_gate)
        {
            _urandom ??= new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            byte[] chunk = new byte[Math.Min(destination.Length, 4096)];
            try
            {
                int done = 0;
                while (done < destination.Length)
                {
                    int n = _urandom.Read(chunk, 0, Math.Min(chunk.Length, destination.Length - done));
                    if (n <= 0)
                    {
                        throw new IOException("/dev/urandom returned end of file");
                    }

                    chunk.AsSpan(0, n).CopyTo(destination.Slice(done));
                    done += n;
                }
            }
            finally
            {
                Array.Clear(chunk, 0, chunk.Length);
            }
        }
    }

    private static unsafe void FillBCrypt(Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            int status = Native.BCryptGenRandom(IntPtr.Zero, p, destination.Length, 2 /* BCRYPT_USE_SYSTEM_PREFERRED_RNG */);
            if (status != 0)
            {
                throw new IOException($"BCryptGenRandom failed with NTSTATUS 0x{status:x8}");
            }
        }
    }

    private static unsafe class Native
    {
        [DllImport("libc.so.6", SetLastError = true)]
#pragma warning disable SA1300, IDE1006 // native names
        internal static extern nint getrandom(byte* buffer, nuint length, uint flags);

        [DllImport("libSystem.dylib", EntryPoint = "getentropy", SetLastError = true)]
        internal static extern int getentropy_macos(byte* buffer, nuint length);

        [DllImport("libc.so.7", EntryPoint = "getentropy", SetLastError = true)]
        internal static extern int getentropy_freebsd(byte* buffer, nuint length);
#pragma warning restore SA1300, IDE1006

        [DllImport("bcrypt.dll")]
        internal static extern int BCryptGenRandom(IntPtr algorithm, byte* buffer, int length, int flags);
    }

    /// <summary>The native source exists but refuses to work here (no such system call, or filtered).</summary>
    private sealed class SourceUnavailableException : Exception
    {
    }
}
