using ManagedTls.Wire;

namespace ManagedTls.Ssl;

/// <content>TLS 1.2 renegotiation (a .NET extra; OpenSSL's <c>SSL_renegotiate</c>, decision 0024).</content>
public partial class SslObject
{
    private bool _renegotiationAwaited;
    private int _refusalsBefore;

    /// <summary>
    /// Starts a TLS 1.2 renegotiation, as OpenSSL's <c>SSL_renegotiate</c> (Python has no name for it): a client queues a
    /// new ClientHello, a server a HelloRequest. <see cref="DoHandshake"/> then drives it to its end as it drives a first
    /// handshake (want-read until the new handshake completes); reads and writes go on meanwhile, and application data
    /// that arrives in between is kept for <see cref="Read(int)"/>.
    /// </summary>
    /// <exception cref="SslException">With OpenSSL's reasons: <c>WRONG_SSL_VERSION</c> (not TLS 1.2: TLS 1.3 has no
    /// renegotiation), <c>STILL_IN_INIT</c> (the handshake or a renegotiation is not finished), <c>NO_RENEGOTIATION</c>
    /// (refused by <see cref="SslOptions.NoRenegotiation"/>, or secure renegotiation was not negotiated without
    /// <see cref="SslOptions.AllowUnsafeLegacyRenegotiation"/>). <see cref="DoHandshake"/> raises <c>NO_RENEGOTIATION</c>
    /// when the peer refuses; the connection stays usable then.</exception>
    public void Renegotiate()
    {
        lock (_lock)
        {
            StartRenegotiation(requestClientCertificate: false);
        }
    }

    /// <summary>True while a renegotiation started here has not completed or been refused.</summary>
    public bool RenegotiationPending
    {
        get
        {
            lock (_lock)
            {
                return !_disposed && _conn.RenegotiationPending;
            }
        }
    }

    /// <summary>How many TLS 1.2 renegotiations completed on this connection.</summary>
    public int RenegotiationCount
    {
        get
        {
            lock (_lock)
            {
                return _disposed ? 0 : _conn.RenegotiationCount;
            }
        }
    }

    /// <summary>Queues the renegotiation's first message (under the lock); with <paramref name="requestClientCertificate"/> a server asks for the client's certificate in it.</summary>
    internal void StartRenegotiation(bool requestClientCertificate)
    {
        ThrowIfFailed();
        if (!_conn.IsHandshakeComplete || _conn.RenegotiationPending)
        {
            throw new SslException("SSL", "STILL_IN_INIT", "still in init");
        }

        if (_conn.Version != ProtocolVersion.Tls12)
        {
            throw new SslException("SSL", "WRONG_SSL_VERSION", "wrong ssl version");
        }

        try
        {
            _refusalsBefore = _conn.RenegotiationsRefused;
            _conn.Renegotiate(requestClientCertificate);
            _renegotiationAwaited = true;
        }
        catch (InvalidOperationException e)
        {
            throw new SslException("SSL", "NO_RENEGOTIATION", "no renegotiation", e);
        }
        catch (TlsAlertException e)
        {
            throw Translate(e);
        }
        finally
        {
            Flush();
        }
    }

    /// <summary>
    /// One step towards the end of a renegotiation or post-handshake request started here: feeds what was received;
    /// true once nothing started here is pending. A renegotiation the peer refused raises <c>NO_RENEGOTIATION</c>.
    /// </summary>
    internal bool PostHandshakeStep()
    {
        ThrowIfFailed();
        Feed();
        if (_conn.RenegotiationPending || (_postHandshakeRequestSent && _conn.PostHandshakeAuthPending))
        {
            if (_incoming.EofWritten)
            {
                throw new SslEofException();
            }

            return false;
        }

        if (_renegotiationAwaited)
        {
            _renegotiationAwaited = false;
            if (_conn.RenegotiationsRefused > _refusalsBefore)
            {
                throw new SslException("SSL", "NO_RENEGOTIATION", "no renegotiation");
            }
        }

        return true;
    }
}
