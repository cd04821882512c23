using System.Buffers.Binary;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;

namespace ManagedTls.Connection;

/// <summary>One record as the fuzzed side's peer sent it: its (inner) type and content, whether it was protected, and its bytes on the wire.</summary>
internal sealed record FuzzPeerRecord(byte Type, byte[] Content, bool Protected, byte[] Wire);

/// <summary>
/// The record layer of the fuzzed connection's peer, played by the connection fuzz targets: it frames records the
/// way the peer would and protects them under the peer's current write keys. The keys come from the fuzzed side's
/// own key log (<see cref="OnKeyLog"/>), which holds both directions' secrets: records go in the clear until the
/// peer's handshake traffic secret is logged, then under it until a Finished message has been sent, then under the
/// peer's application traffic secret, which moves on after every KeyUpdate message sent. So a fuzz input can be
/// made of plaintext messages and still reach every state behind the encryption. <see cref="Observe"/> follows a
/// real peer's records through the same keys (for seeds and for replayed prefixes). Fuzz-only.
/// </summary>
internal sealed class ConnectionFuzzPeer(bool peerIsClient) : IDisposable
{
    private readonly Dictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);
    private readonly List<byte> _handshake = [];
    private Stage _stage;
    private CipherSuiteInfo? _suite;
    private byte[] _secret = [];
    private IAead? _aead;
    private byte[] _iv = [];
    private ulong _sequence;
    private bool _finishedSent;

    private enum Stage
    {
        Plain,
        Handshake,
        Application,
    }

    /// <summary>The fuzzed connection, whose negotiated suite the keys are for.</summary>
    public TlsConnection? Connection { get; set; }

    /// <summary>True when records are protected (the peer's handshake secret is known).</summary>
    public bool HasKeys
    {
        get
        {
            Refresh();
            return _aead is not null;
        }
    }

    /// <summary>The key log callback for the fuzzed side's settings.</summary>
    public void OnKeyLog(string line)
    {
        string[] parts = line.Split(' ');
        if (parts.Length == 3)
        {
            _secrets[parts[0]] = CryptoUtil.FromHex(parts[2]);
        }
    }

    /// <summary>
    /// One record: <paramref name="content"/> with inner type <paramref name="type"/> and <paramref name="padding"/>
    /// zero bytes, protected when the peer has keys and (unless <paramref name="protectAlways"/>) the type is not
    /// change_cipher_spec, which TLS 1.3 always sends in the clear; otherwise a plaintext record of that type. The
    /// content is cut to what a record's 16-bit length can carry.
    /// </summary>
    public byte[] Record(byte type, ReadOnlySpan<byte> content, int padding, bool protectAlways)
    {
        Refresh();
        if (_aead is null || (type == (byte)ContentType.ChangeCipherSpec && !protectAlways))
        {
            content = content.Slice(0, Math.Min(content.Length, ushort.MaxValue));
            byte[] plain = new byte[5 + content.Length];
            WriteHeader(plain, type, content.Length);
            content.CopyTo(plain.AsSpan(5));
            return plain;
        }

        int tag = _aead.TagSize;
        content = content.Slice(0, Math.Min(content.Length, ushort.MaxValue - tag - 1 - padding));
        byte[] inner = new byte[content.Length + 1 + padding];
        content.CopyTo(inner);
        inner[content.Length] = type;
        byte[] record = new byte[5 + inner.Length + tag];
        WriteHeader(record, (byte)ContentType.ApplicationData, inner.Length + tag);
        _aead.Seal(Nonce(), record.AsSpan(0, 5), inner, record.AsSpan(5));
        _sequence++;
        AfterProtected(type, content);
        return record;
    }

    /// <summary>
    /// Follows records a real peer sent (whole records) through the same keys, after the fuzzed side has processed
    /// them, and returns them opened.
    /// </summary>
    /// <exception cref="InvalidOperationException">A protected record does not open: the keys are out of step.</exception>
    public List<FuzzPeerRecord> Observe(ReadOnlySpan<byte> stream)
    {
        var records = new List<FuzzPeerRecord>();
        while (stream.Length >= 5)
        {
            int length = Math.Min(stream.Length - 5, (stream[3] << 8) | stream[4]);
            byte[] wire = stream.Slice(0, 5 + length).ToArray();
            stream = stream.Slice(5 + length);
            Refresh();
            if (wire[0] != (byte)ContentType.ApplicationData || _aead is null)
            {
                records.Add(new FuzzPeerRecord(wire[0], wire.AsSpan(5).ToArray(), false, wire));
                continue;
            }

            byte[] inner = new byte[Math.Max(0, length - _aead.TagSize)];
            if (length < _aead.TagSize || !_aead.TryOpen(Nonce(), wire.AsSpan(0, 5), wire.AsSpan(5), inner))
            {
                throw new InvalidOperationException($"a record of the peer does not open under its {_stage} keys (sequence {_sequence})");
            }

            _sequence++;
            int end = inner.Length - 1;
            while (end >= 0 && inner[end] == 0)
            {
                end--;
            }

            byte type = end >= 0 ? inner[end] : (byte)0;
            byte[] content = inner.AsSpan(0, Math.Max(end, 0)).ToArray();
            AfterProtected(type, content);
            records.Add(new FuzzPeerRecord(type, content, true, wire));
        }

        return records;
    }

    /// <summary>Wipes the keys and secrets.</summary>
    public void Dispose()
    {
        _aead?.Dispose();
        _aead = null;
        CryptoUtil.Wipe(_iv);
        CryptoUtil.Wipe(_secret);
        foreach (byte[] secret in _secrets.Values)
        {
            CryptoUtil.Wipe(secret);
        }
    }

    private static void WriteHeader(Span<byte> record, byte type, int length)
    {
        record[0] = type;
        record[1] = 3;
        record[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(record.Slice(3), (ushort)length);
    }

    private string Label(bool handshake) => (peerIsClient, handshake) switch
    {
        (true, true) => NssKeyLog.ClientHandshakeTrafficSecret,
        (true, false) => NssKeyLog.ClientTrafficSecret0,
        (false, true) => NssKeyLog.ServerHandshakeTrafficSecret,
        _ => NssKeyLog.ServerTrafficSecret0,
    };

    // The fuzzed side logs a secret when it can derive it: the peer's handshake secret once the hellos are
    // processed, the server's application secret (on a client) only once the server's Finished is.
    private void Refresh()
    {
        if (_stage == Stage.Plain && _secrets.TryGetValue(Label(handshake: true), out byte[]? secret))
        {
            _stage = Stage.Handshake;
            UseSecret(secret);
        }

        if (_stage == Stage.Handshake && _finishedSent && _secrets.TryGetValue(Label(handshake: false), out byte[]? application))
        {
            _stage = Stage.Application;
            UseSecret(application);
        }
    }

    // After a protected handshake record: a Finished (during the handshake) moves to the application secret at the
    // next record, a KeyUpdate (after it) to the next one at once. Only whole messages count; a partial one waits
    // for the next record.
    private void AfterProtected(byte type, ReadOnlySpan<byte> content)
    {
        if (type != (byte)ContentType.Handshake)
        {
            return;
        }

        foreach (byte b in content)
        {
            _handshake.Add(b);
        }

        bool keyUpdate = false;
        while (_handshake.Count >= 4)
        {
            int length = (_handshake[1] << 16) | (_handshake[2] << 8) | _handshake[3];
            if (_handshake.Count < 4 + length)
            {
                break;
            }

            _finishedSent |= _handshake[0] == (byte)HandshakeType.Finished && _stage == Stage.Handshake;
            keyUpdate |= _handshake[0] == (byte)HandshakeType.KeyUpdate && _stage == Stage.Application;
            _handshake.RemoveRange(0, 4 + length);
        }

        if (keyUpdate)
        {
            UseSecret(Tls13KeySchedule.NextApplicationTrafficSecret(Suite().PrfHash, _secret));
        }
    }

    private void UseSecret(byte[] secret)
    {
        CipherSuiteInfo suite = Suite();
        AeadAlgorithm algorithm = Tls13Common.AeadOf(suite);
        if (!ReferenceEquals(secret, _secret))
        {
            CryptoUtil.Wipe(_secret);
            _secret = secret.ToArray();
        }

        using Tls13TrafficKeys keys = Tls13KeySchedule.DeriveTrafficKeys(suite.PrfHash, _secret, Aeads.KeySize(algorithm), 12);
        _aead?.Dispose();
        _aead = Aeads.Create(algorithm, keys.Key);
        _iv = keys.Iv.ToArray();
        _sequence = 0;
        _handshake.Clear();
    }

    private CipherSuiteInfo Suite() =>
        _suite ??= Connection?.CipherSuite ?? throw new InvalidOperationException("keys were logged before a suite was negotiated");

    private byte[] Nonce()
    {
        byte[] nonce = _iv.ToArray();
        ulong tail = BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(4)) ^ _sequence;
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), tail);
        return nonce;
    }
}
