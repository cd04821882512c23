using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ManagedTls.Interop.Peers;

/// <summary>What a finished peer process produced; <see cref="TimedOut"/> when it had to be killed.</summary>
internal sealed record PeerRun(int ExitCode, string Stdout, string Stderr, bool TimedOut = false);

/// <summary>
/// An external peer (gnutls-serv, gnutls-cli, python3, curl...) run as <c>timeout -s KILL LIFETIME PROGRAM ARGS</c>,
/// so even a test host that dies cannot leave it running, with standard output and error captured as they
/// arrive and standard input open until <see cref="CloseInput"/>. Killed (with its children) on dispose.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    /// <summary>Every wait on a peer is bounded by this unless a caller says otherwise.</summary>
    public const int TimeoutMs = 15000;

    /// <summary>How long a peer may live at most, whatever happens to the test.</summary>
    public const int DefaultLifetimeSeconds = 60;

    private readonly Process _process;
    private readonly Task _stdoutCopy;
    private readonly Task _stderrCopy;

    private PeerProcess(string program, IEnumerable<string> args, int lifetimeSeconds)
    {
        Program = program;
        CommandLine = program + " " + string.Join(' ', args);
        _process = OpenSslProcess.Start("timeout", ["-s", "KILL", lifetimeSeconds.ToString(CultureInfo.InvariantCulture), program, .. args]);
        _stdoutCopy = _process.StandardOutput.BaseStream.CopyToAsync(Stdout);
        _stderrCopy = _process.StandardError.BaseStream.CopyToAsync(Stderr);
    }

    /// <summary>The program's name, for messages.</summary>
    public string Program { get; }

    /// <summary>The program and its arguments, for messages.</summary>
    public string CommandLine { get; }

    /// <summary>Standard output so far.</summary>
    public CaptureStream Stdout { get; } = new();

    /// <summary>Standard error so far.</summary>
    public CaptureStream Stderr { get; } = new();

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="program"/>; it is killed after <paramref name="lifetimeSeconds"/> at the latest.</summary>
    public static PeerProcess Start(string program, IEnumerable<string> args, int lifetimeSeconds = DefaultLifetimeSeconds) =>
        new(program, args, lifetimeSeconds);

    /// <summary>
    /// Runs <paramref name="program"/> to its end with <paramref name="stdin"/> written and then closed (kept open
    /// for <paramref name="holdInputMs"/> first when a peer must not see end of input too early). A run that
    /// outlives <paramref name="timeoutMs"/> is killed and reported with <see cref="PeerRun.TimedOut"/>.
    /// </summary>
    public static PeerRun Run(string program, IEnumerable<string> args, string? stdin = null, int timeoutMs = TimeoutMs, int holdInputMs = 0)
    {
        using PeerProcess p = Start(program, args, (timeoutMs / 1000) + 5);
        if (stdin is not null)
        {
            p.Write(stdin);
        }

        if (holdInputMs > 0)
        {
            p._process.WaitForExit(holdInputMs);
        }

        p.CloseInput();
        return p.WaitExit(timeoutMs, throwOnTimeout: false);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to standard input.</summary>
    public void Write(string text)
    {
        try
        {
            _process.StandardInput.BaseStream.Write(Encoding.UTF8.GetBytes(text));
            _process.StandardInput.BaseStream.Flush();
        }
        catch (IOException) when (_process.HasExited)
        {
            // The peer is gone; its exit code and output tell why.
        }
    }

    /// <summary>Closes standard input.</summary>
    public void CloseInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // A peer that exited already has closed the pipe's other end.
        }
    }

    /// <summary>Waits until standard output (or error, with <paramref name="inStderr"/>) holds <paramref name="text"/>, or the process exits.</summary>
    public bool WaitFor(string text, int timeoutMs = TimeoutMs, bool inStderr = false)
    {
        CaptureStream stream = inStderr ? Stderr : Stdout;
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < timeoutMs)
        {
            if (stream.WaitFor(text, 50))
            {
                return true;
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                return stream.WaitFor(text, 200);
            }
        }

        return false;
    }

    /// <summary>
    /// Waits for the process to exit and returns what it printed; on timeout kills it and either throws
    /// (<paramref name="throwOnTimeout"/>) or returns a run marked <see cref="PeerRun.TimedOut"/>.
    /// </summary>
    public PeerRun WaitExit(int timeoutMs = TimeoutMs, bool throwOnTimeout = true)
    {
        bool exited = _process.WaitForExit(timeoutMs);
        if (!exited)
        {
            OpenSslProcess.Kill(_process, timeoutMs);
            if (throwOnTimeout)
            {
                throw new TimeoutException($"{CommandLine} did not exit in {timeoutMs} ms:\n{Stdout.Text}\n{Stderr.Text}");
            }
        }

        _process.WaitForExit();
        Task.WaitAll([_stdoutCopy, _stderrCopy], timeoutMs);
        return new PeerRun(exited ? _process.ExitCode : -1, Stdout.Text, Stderr.Text, !exited);
    }

    public void Dispose()
    {
        try
        {
            OpenSslProcess.Kill(_process, TimeoutMs);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }
}
