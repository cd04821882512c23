using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Handshake;

/// <summary>
/// The running hash of the handshake messages (RFC 8446 section 4.4.1; RFC 5246 section 7.4.9's
/// <c>handshake_messages</c>). Messages are added whole, with their 4-byte header
/// (<c>msg_type</c>, <c>uint24 length</c>), exactly as they appeared on the wire.
/// <para>
/// The hash algorithm is known only once the ServerHello has chosen the cipher suite, yet the ClientHello
/// must already be in the transcript. A transcript created without an algorithm buffers the messages and
/// hashes them when <see cref="SetAlgorithm"/> is called. A transcript can also keep every message
/// (<c>retainMessages</c>) for TLS 1.2's CertificateVerify, which signs the messages themselves and may use a
/// hash other than the PRF hash.
/// </para>
/// </summary>
internal sealed class TranscriptHash
{
    private HashFunction? _hash;
    private byte[] _buffer;
    private int _bufferLength;
    private readonly bool _retainMessages;
    private int _messageCount;

    /// <summary>A transcript whose hash algorithm is not known yet: messages are buffered until <see cref="SetAlgorithm"/>.</summary>
    public TranscriptHash(bool retainMessages = false)
    {
        _retainMessages = retainMessages;
        _buffer = new byte[512];
    }

    /// <summary>A transcript over <paramref name="algorithm"/> from the start.</summary>
    public TranscriptHash(HashAlgorithm algorithm, bool retainMessages = false)
    {
        _retainMessages = retainMessages;
        _hash = Hashes.Create(algorithm);
        _buffer = retainMessages ? new byte[512] : [];
    }

    private TranscriptHash(HashFunction? hash, byte[] buffer, int bufferLength, bool retainMessages, int messageCount)
    {
        _hash = hash;
        _buffer = buffer;
        _bufferLength = bufferLength;
        _retainMessages = retainMessages;
        _messageCount = messageCount;
    }

    /// <summary>
    /// A transcript that holds nothing: what a connection keeps once its handshake is over and nothing after it
    /// continues the transcript (any use of its hash throws, as before an algorithm is set).
    /// </summary>
    public static TranscriptHash Released() => ReleasedInstance;

    // One for every connection: it holds nothing, and anything that would change it throws.
    private static readonly TranscriptHash ReleasedInstance = new(null, [], 0, retainMessages: false, messageCount: 0) { _released = true };

    private bool _released;

    /// <summary>Whether the hash algorithm has been set.</summary>
    public bool IsAlgorithmKnown => _hash is not null;

    /// <summary>The hash algorithm; throws when not set yet.</summary>
    public HashAlgorithm Algorithm => RequireHash().Algorithm;

    /// <summary>Hash output length in bytes; throws when the algorithm is not set yet.</summary>
    public int HashLength => RequireHash().OutputSize;

    /// <summary>How many messages have been added (the synthetic message_hash counts as one).</summary>
    public int MessageCount => _messageCount;

    /// <summary>Every message added so far, when the transcript was created with <c>retainMessages</c>.</summary>
    public ReadOnlySpan<byte> RetainedMessages => _retainMessages
        ? _buffer.AsSpan(0, _bufferLength)
        : throw new InvalidOperationException("this transcript does not retain messages");

    /// <summary>
    /// Fixes the hash algorithm (once the suite is chosen) and hashes the messages buffered so far. Setting the
    /// same algorithm again is allowed; a different one is a programming error.
    /// </summary>
    public void SetAlgorithm(HashAlgorithm algorithm)
    {
        ThrowIfReleased();
        if (_hash is not null)
        {
            if (_hash.Algorithm != algorithm)
            {
                throw new InvalidOperationException($"transcript hash is already {_hash.Algorithm}");
            }

            return;
        }

        _hash = Hashes.Create(algorithm);
        CryptoOperationLog.Note(CryptoOperationKind.TranscriptUpdate, algorithm, _bufferLength);
        _hash.Update(_buffer.AsSpan(0, _bufferLength));
        if (!_retainMessages)
        {
            _buffer = [];
            _bufferLength = 0;
        }
    }

    /// <summary>Adds one complete handshake message (header included).</summary>
    public void Add(ReadOnlySpan<byte> handshakeMessage)
    {
        if (handshakeMessage.Length < 4)
        {
            throw new ArgumentException("a handshake message has at least a 4-byte header", nameof(handshakeMessage));
        }

        AddBytes(handshakeMessage);
        _messageCount++;
    }

    /// <summary>Adds a handshake message given as its type and body (the header is generated).</summary>
    public void Add(HandshakeType type, ReadOnlySpan<byte> body)
    {
        if (body.Length > 0xFFFFFF)
        {
            throw new ArgumentException("handshake message body too long", nameof(body));
        }

        Span<byte> header = [(byte)type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length];
        AddBytes(header);
        AddBytes(body);
        _messageCount++;
    }

    /// <summary>Writes the hash of the messages so far; the transcript continues.</summary>
    public void GetCurrentHash(Span<byte> destination)
    {
        HashFunction h = RequireHash();
        CryptoOperationLog.Note(CryptoOperationKind.TranscriptRead, h.Algorithm);
        h.GetCurrentHash(destination);
    }

    /// <summary>The hash of the messages so far, as a new array.</summary>
    public byte[] GetCurrentHash()
    {
        HashFunction h = RequireHash();
        CryptoOperationLog.Note(CryptoOperationKind.TranscriptRead, h.Algorithm);
        return h.GetCurrentHash();
    }

    /// <summary>
    /// The hash of the messages so far followed by <paramref name="partialMessage"/>, without adding it: the
    /// PSK binder's hash over the ClientHello truncated before the binders (RFC 8446 section 4.2.11.2).
    /// </summary>
    public byte[] GetHashWith(ReadOnlySpan<byte> partialMessage)
    {
        HashFunction h = RequireHash().Clone();
        CryptoOperationLog.Note(CryptoOperationKind.TranscriptUpdate, h.Algorithm, partialMessage.Length);
        CryptoOperationLog.Note(CryptoOperationKind.TranscriptRead, h.Algorithm);
        h.Update(partialMessage);
        byte[] result = new byte[h.OutputSize];
        h.Finish(result);
        return result;
    }

    /// <summary>An independent copy: adding to one does not affect the other.</summary>
    public TranscriptHash Clone()
    {
        byte[] buffer = _bufferLength == 0 ? [] : _buffer.AsSpan(0, _bufferLength).ToArray();
        if (buffer.Length == 0 && _hash is null)
        {
            buffer = new byte[512];
        }

        return new TranscriptHash(_hash?.Clone(), buffer, _bufferLength, _retainMessages, _messageCount);
    }

    /// <summary>
    /// The HelloRetryRequest rule (RFC 8446 section 4.4.1): the transcript, which must hold exactly ClientHello1,
    /// is replaced by the synthetic message <c>message_hash(254) || 00 00 || Hash.length || Hash(ClientHello1)</c>.
    /// Call after <see cref="SetAlgorithm"/> (the HelloRetryRequest names the suite) and before adding the
    /// HelloRetryRequest itself.
    /// </summary>
    public void ReplaceClientHelloWithMessageHash()
    {
        HashFunction h = RequireHash();
        if (_messageCount != 1)
        {
            throw new InvalidOperationException("the HelloRetryRequest rule applies to a transcript holding only ClientHello1");
        }

        int hashLen = h.OutputSize;
        Span<byte> message = stackalloc byte[4 + 64];
        message[0] = (byte)HandshakeType.MessageHash;
        message[1] = 0;
        message[2] = 0;
        message[3] = (byte)hashLen;
        CryptoOperationLog.Note(CryptoOperationKind.TranscriptRead, h.Algorithm);
        CryptoOperationLog.Note(CryptoOperationKind.TranscriptUpdate, h.Algorithm, 4 + hashLen);
        h.Finish(message.Slice(4, hashLen));
        h.Update(message.Slice(0, 4 + hashLen));
        if (_retainMessages)
        {
            _bufferLength = 0;
            Append(message.Slice(0, 4 + hashLen));
        }
    }

    private void ThrowIfReleased()
    {
        if (_released)
        {
            throw new InvalidOperationException("the transcript was released when the handshake ended");
        }
    }

    private void AddBytes(ReadOnlySpan<byte> data)
    {
        ThrowIfReleased();
        if (_hash is not null)
        {
            CryptoOperationLog.Note(CryptoOperationKind.TranscriptUpdate, _hash.Algorithm, data.Length);
            _hash.Update(data);
        }

        if (_hash is null || _retainMessages)
        {
            Append(data);
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_bufferLength + data.Length > _buffer.Length)
        {
            byte[] bigger = new byte[Math.Max(_buffer.Length * 2, _bufferLength + data.Length)];
            _buffer.AsSpan(0, _bufferLength).CopyTo(bigger);
            _buffer = bigger;
        }

        data.CopyTo(_buffer.AsSpan(_bufferLength));
        _bufferLength += data.Length;
    }

    private HashFunction RequireHash() =>
        _hash ?? throw new InvalidOperationException("the transcript hash algorithm is not known yet");
}
