using ManagedTls.Wire;

namespace ManagedTls.Handshake;

/// <summary>
/// One state of a handshake, of either version: it accepts the messages legal at this point and returns the next
/// state. Anything else is <c>unexpected_message</c>, raised by <see cref="Unexpected"/>. A change_cipher_spec
/// record is routed to the state too (<see cref="HandleChangeCipherSpec"/>): a TLS 1.2 state installs the peer's
/// pending keys there, a TLS 1.3 state drops the one compatibility record; any other state refuses it.
/// </summary>
internal abstract class HandshakeState : IDisposable
{
    /// <summary>A short name for error messages, the class name.</summary>
    public string Name => GetType().Name;

    /// <summary>True once the handshake is finished and this state carries application traffic.</summary>
    public virtual bool IsTraffic => false;

    /// <summary>
    /// Handles one complete handshake message (<paramref name="encoded"/>: header and body) and returns the
    /// next state. Throws <see cref="TlsAlertException"/> on any failure.
    /// </summary>
    public abstract HandshakeState Handle(HandshakeContext cx, ReadOnlySpan<byte> encoded);

    /// <summary>
    /// Handles a change_cipher_spec record's body and returns the next state. Unless a state accepts one here, it
    /// is <c>unexpected_message</c>.
    /// </summary>
    public virtual HandshakeState HandleChangeCipherSpec(HandshakeContext cx, ReadOnlySpan<byte> body) =>
        throw new TlsAlertException(AlertDescription.UnexpectedMessage, $"change_cipher_spec is not expected in {Name}");

    /// <summary>
    /// Wipes the secrets this state holds. The connection calls it on the current state when it fails or is
    /// disposed; a state handed on to its successor passes its secrets along and is not disposed.
    /// </summary>
    public virtual void Dispose()
    {
    }

    /// <summary>The one place a message not legal in a state becomes <c>unexpected_message</c>.</summary>
    public TlsAlertException Unexpected(ReadOnlySpan<byte> encoded) =>
        new(AlertDescription.UnexpectedMessage, $"{(HandshakeType)encoded[0]} is not expected in {Name}");

    /// <summary>The message type of an encoded message.</summary>
    protected static HandshakeType TypeOf(ReadOnlySpan<byte> encoded) => (HandshakeType)encoded[0];
}
