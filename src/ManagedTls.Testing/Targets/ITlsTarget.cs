namespace ManagedTls.Testing;

/// <summary>
/// The system under test, as a byte pipe: the script delivers TLS bytes to it and reads the TLS bytes it produced. A
/// server under test is played against by a client script, a client under test by a server script (whose first
/// reading is the client's ClientHello, produced by <see cref="Open"/>).
/// </summary>
public interface ITlsTarget : IDisposable
{
    /// <summary>
    /// True when the target only produces bytes in answer to <see cref="Open"/>, <see cref="Deliver"/> or
    /// <see cref="DeliverEof"/> (an in-memory target): the script then never waits for more after an empty read.
    /// </summary>
    bool IsSynchronous { get; }

    /// <summary>The exception the system under test raised, when the target can know it (in-memory targets); else null.</summary>
    Exception? Failure { get; }

    /// <summary>Connects, or starts the system under test (a client produces its ClientHello here).</summary>
    /// <param name="timeout">The longest this and every later operation may block.</param>
    void Open(TimeSpan timeout);

    /// <summary>Delivers bytes to the system under test.</summary>
    /// <param name="data">TLS bytes.</param>
    void Deliver(ReadOnlySpan<byte> data);

    /// <summary>Delivers the end of the stream (the transport closed).</summary>
    void DeliverEof();

    /// <summary>Reads bytes the system under test produced.</summary>
    /// <param name="buffer">Where to copy them.</param>
    /// <param name="timeout">The longest to wait for the first byte.</param>
    /// <returns>
    /// The count read (more than 0); <see cref="TargetRead.Eof"/> (0) when the system under test closed its side
    /// (or, in memory, failed and has nothing left to send); <see cref="TargetRead.NothingYet"/> (-1) when nothing
    /// arrived within <paramref name="timeout"/>.
    /// </returns>
    int Receive(Span<byte> buffer, TimeSpan timeout);
}

/// <summary>The two special results of <see cref="ITlsTarget.Receive"/>.</summary>
public static class TargetRead
{
    /// <summary>The system under test closed its side of the transport.</summary>
    public const int Eof = 0;

    /// <summary>Nothing arrived in time.</summary>
    public const int NothingYet = -1;
}
