using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Handshake.Sessions;

/// <summary>
/// The server's ticket protection keys: a current key that seals new tickets and the previous one, which
/// still opens tickets sealed before the last rotation. Keys are AES-256-GCM keys drawn from the entropy
/// source the caller passes; they rotate when the current key is older than <see cref="RotationInterval"/> by
/// the caller's clock, and a key rotated away twice is wiped, so its tickets no longer open.
/// Thread-safe: one ring serves every connection of a server.
/// <code>
/// ticket = key_name[4] || nonce[12] || AES-256-GCM(key, nonce, aad = key_name, SessionTicketState)
/// nonce  = random[4] || per-key seal counter[8]   (unique under one key even with a poor entropy source)
/// </code>
/// </summary>
internal sealed class TicketKeyRing : IDisposable
{
    private const int NameLength = 4;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly object _lock = new();
    private TicketKey? _current;
    private TicketKey? _previous;

    /// <summary>Creates an empty ring; the first key is made when the first ticket is sealed.</summary>
    public TicketKeyRing(TimeSpan? rotationInterval = null)
    {
        RotationInterval = rotationInterval ?? TimeSpan.FromHours(12);
        if (RotationInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("the rotation interval must be positive", nameof(rotationInterval));
        }
    }

    /// <summary>How long a key seals new tickets before it is replaced.</summary>
    public TimeSpan RotationInterval { get; }

    /// <summary>Seals a serialized session state into a ticket with the current key.</summary>
    public byte[] Seal(ReadOnlySpan<byte> state, IEntropySource entropy, DateTimeOffset now)
    {
        lock (_lock)
        {
            Rotate(entropy, now);
            TicketKey key = _current!;
            byte[] ticket = new byte[NameLength + NonceLength + state.Length + TagLength];
            key.Name.CopyTo(ticket, 0);
            entropy.GetBytes(ticket.AsSpan(NameLength, 4));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(ticket.AsSpan(NameLength + 4, 8), ++key.SealCount);
            key.Aead.Seal(ticket.AsSpan(NameLength, NonceLength), key.Name, state, ticket.AsSpan(NameLength + NonceLength));
            return ticket;
        }
    }

    /// <summary>Opens a ticket sealed with the current or previous key; null when it does not open. The caller wipes the result.</summary>
    public byte[]? Open(ReadOnlySpan<byte> ticket, IEntropySource entropy, DateTimeOffset now)
    {
        if (ticket.Length < NameLength + NonceLength + TagLength + 1)
        {
            return null;
        }

        lock (_lock)
        {
            Rotate(entropy, now);
            ReadOnlySpan<byte> name = ticket.Slice(0, NameLength);
            TicketKey? key = _current!.Name.AsSpan().SequenceEqual(name) ? _current
                : _previous is not null && _previous.Name.AsSpan().SequenceEqual(name) ? _previous : null;
            if (key is null)
            {
                return null;
            }

            byte[] state = new byte[ticket.Length - NameLength - NonceLength - TagLength];
            return key.Aead.TryOpen(ticket.Slice(NameLength, NonceLength), name, ticket.Slice(NameLength + NonceLength), state) ? state : null;
        }
    }

    /// <summary>Wipes both keys.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _current?.Dispose();
            _previous?.Dispose();
            _current = null;
            _previous = null;
        }
    }

    private void Rotate(IEntropySource entropy, DateTimeOffset now)
    {
        if (_current is null)
        {
            _current = TicketKey.Create(entropy, now);
            return;
        }

        if (now - _current.CreatedAt < RotationInterval)
        {
            return;
        }

        _previous?.Dispose();
        _previous = now - _current.CreatedAt < RotationInterval + RotationInterval ? _current : null;
        if (_previous is null)
        {
            _current.Dispose();
        }

        _current = TicketKey.Create(entropy, now);
    }

    private sealed class TicketKey : IDisposable
    {
        private TicketKey(byte[] name, IAead aead, DateTimeOffset createdAt)
        {
            Name = name;
            Aead = aead;
            CreatedAt = createdAt;
        }

        public byte[] Name { get; }

        public IAead Aead { get; }

        public DateTimeOffset CreatedAt { get; }

        public ulong SealCount { get; set; }

        public static TicketKey Create(IEntropySource entropy, DateTimeOffset now)
        {
            byte[] name = new byte[NameLength];
            entropy.GetBytes(name);
            byte[] key = new byte[32];
            entropy.GetBytes(key);
            IAead aead = Aeads.Create(AeadAlgorithm.Aes256Gcm, key);
            CryptoUtil.Wipe(key);
            return new TicketKey(name, aead, now);
        }

        public void Dispose() => Aead.Dispose();
    }
}

/// <summary>
/// Server-side session storage: TLS 1.3 stateful tickets (the ticket is a random 32-byte id, each entry used once,
/// taken out on lookup, as OpenSSL does with SSL_OP_NO_TICKET in TLS 1.3) and TLS 1.2 session ids (looked up without
/// being taken, so an id resumes until it expires, as OpenSSL's session cache). An entry is found only by a lookup for
/// its own protocol version. Thread-safe. Entries are kept in the order they were stored, so storing one costs O(1)
/// however full the cache is: expired entries are dropped from the oldest end, and when the cache is full the oldest
/// entry goes (counted in <see cref="CacheFullCount"/>, OpenSSL's <c>sess_cache_full</c>).
/// </summary>
internal sealed class ServerSessionCache : IDisposable
{
    /// <summary>Length of the ids this cache makes.</summary>
    public const int IdLength = 32;

    private readonly object _lock = new();
    private readonly Dictionary<string, LinkedListNode<(string Id, SessionTicketState State)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Id, SessionTicketState State)> _order = new();
    private long _cacheFull;

    /// <summary>Creates a cache holding at most <paramref name="capacity"/> sessions.</summary>
    public ServerSessionCache(int capacity = 20480) => Capacity = capacity > 0 ? capacity : throw new ArgumentException("the capacity must be positive", nameof(capacity));

    /// <summary>The most sessions kept; when full, the oldest is dropped.</summary>
    public int Capacity { get; }

    /// <summary>How many sessions are stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>How many sessions were dropped because the cache was full.</summary>
    public long CacheFullCount => Interlocked.Read(ref _cacheFull);

    /// <summary>Stores <paramref name="state"/> (the cache takes ownership) under a new random id, and returns the id.</summary>
    public byte[] Store(SessionTicketState state, IEntropySource entropy, DateTimeOffset now)
    {
        byte[] id = new byte[IdLength];
        entropy.GetBytes(id);
        Store(id, state, now);
        return id;
    }

    /// <summary>
    /// Stores <paramref name="state"/> (the cache takes ownership) under <paramref name="id"/>, which the caller made
    /// random (a TLS 1.2 session id already sent in the ServerHello); an entry already under it is replaced.
    /// </summary>
    public void Store(ReadOnlySpan<byte> id, SessionTicketState state, DateTimeOffset now)
    {
        string key = CryptoUtil.ToHex(id);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<(string Id, SessionTicketState State)>? existing))
            {
                Remove(existing).Dispose();
            }

            long nowMs = now.ToUnixTimeMilliseconds();
            while (_order.First is { } oldest
                && (_entries.Count >= Capacity || nowMs - oldest.Value.State.CreatedAtMs >= oldest.Value.State.LifetimeSeconds * 1000L))
            {
                if (nowMs - oldest.Value.State.CreatedAtMs < oldest.Value.State.LifetimeSeconds * 1000L)
                {
                    Interlocked.Increment(ref _cacheFull);
                }

                Remove(oldest).Dispose();
            }

            _entries[key] = _order.AddLast((key, state));
        }
    }

    /// <summary>
    /// Takes the TLS 1.3 session stored under <paramref name="id"/> out of the cache (single use); null when there is
    /// none, or the entry is of another version (which stays).
    /// </summary>
    public SessionTicketState? Take(ReadOnlySpan<byte> id)
    {
        if (id.Length != IdLength)
        {
            return null;
        }

        string key = CryptoUtil.ToHex(id);
        lock (_lock)
        {
            return _entries.TryGetValue(key, out LinkedListNode<(string Id, SessionTicketState State)>? node) && node.Value.State.Version == ProtocolVersion.Tls13
                ? Remove(node)
                : null;
        }
    }

    /// <summary>
    /// A copy of the TLS 1.2 session stored under <paramref name="id"/>, which stays in the cache; the caller disposes
    /// the copy. Null when there is none (or it is of another version), and when it has expired at
    /// <paramref name="now"/>, which drops it and sets <paramref name="expired"/>.
    /// </summary>
    public SessionTicketState? Find(ReadOnlySpan<byte> id, DateTimeOffset now, out bool expired)
    {
        expired = false;
        if (id.Length is 0 or > IdLength)
        {
            return null;
        }

        string key = CryptoUtil.ToHex(id);
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out LinkedListNode<(string Id, SessionTicketState State)>? node) || node.Value.State.Version != ProtocolVersion.Tls12)
            {
                return null;
            }

            if (node.Value.State.IsExpiredAt(now))
            {
                expired = true;
                Remove(node).Dispose();
                return null;
            }

            return node.Value.State.Copy();
        }
    }

    /// <summary>Wipes and drops every stored session.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach ((string _, SessionTicketState state) in _order)
            {
                state.Dispose();
            }

            _entries.Clear();
            _order.Clear();
        }
    }

    private SessionTicketState Remove(LinkedListNode<(string Id, SessionTicketState State)> node)
    {
        _order.Remove(node);
        _entries.Remove(node.Value.Id);
        return node.Value.State;
    }
}
