using ManagedTls.Crypto;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.Handshake.Sessions;

/// <summary>
/// What a server needs to resume a session: the PSK (TLS 1.3: derived from the resumption master secret and the
/// ticket nonce; TLS 1.2: the master secret), the protocol version and, for TLS 1.2, whether the session used
/// extended_master_secret (RFC 7627), the suite, when and for how long the ticket was issued, its ticket_age_add, and what the
/// original handshake established (ALPN, server name, the client's certificate chain). Sealed into a
/// stateless ticket or kept in the <see cref="ServerSessionCache"/>. <see cref="Dispose"/> wipes the PSK.
/// </summary>
internal sealed class SessionTicketState : IDisposable
{
    // Format 3 holds a TLS 1.3 session; format 4 adds the protocol version and the extended_master_secret flag.
    private const byte Tls13Format = 3;
    private const byte TaggedFormat = 4;

    /// <summary>Creates a state; it takes ownership of <paramref name="psk"/>.</summary>
    public SessionTicketState(byte[] psk, TlsCipherSuite suite, long createdAtMs, uint lifetimeSeconds, uint ageAdd)
    {
        Psk = psk;
        Suite = suite;
        CreatedAtMs = createdAtMs;
        LifetimeSeconds = lifetimeSeconds;
        AgeAdd = ageAdd;
    }

    /// <summary>The protocol version the session was made with; a session resumes only a handshake of the same version.</summary>
    public ProtocolVersion Version { get; init; } = ProtocolVersion.Tls13;

    /// <summary>TLS 1.2: the session's master secret was made with extended_master_secret (RFC 7627).</summary>
    public bool ExtendedMasterSecret { get; init; }

    /// <summary>The resumption PSK (TLS 1.2: the master secret).</summary>
    public byte[] Psk { get; }

    /// <summary>The suite of the original handshake.</summary>
    public TlsCipherSuite Suite { get; }

    /// <summary>Issue time, milliseconds since the Unix epoch.</summary>
    public long CreatedAtMs { get; }

    /// <summary>ticket_lifetime in seconds.</summary>
    public uint LifetimeSeconds { get; }

    /// <summary>ticket_age_add.</summary>
    public uint AgeAdd { get; }

    /// <summary>The ALPN protocol agreed, or null.</summary>
    public byte[]? Alpn { get; init; }

    /// <summary>The server name the client asked for, or null.</summary>
    public string? ServerName { get; init; }

    /// <summary>The session context (<see cref="TlsConfig.SessionContext"/>) the ticket was issued under.</summary>
    public byte[] SessionContext { get; init; } = [];

    /// <summary>The client's certificate chain, leaf first (DER); empty when it sent none.</summary>
    public IReadOnlyList<byte[]> ClientChain { get; init; } = [];

    /// <summary>The outcome of verifying the client's chain in the original handshake, or null when it was not verified.</summary>
    public VerifyResult? ClientVerify { get; init; }

    /// <summary>
    /// The serialized state.
    /// <code>
    /// struct {
    ///     uint8 version;                        // 3: a TLS 1.3 session; 4: the two fields below follow
    ///     ProtocolVersion protocol;             // version 4 only: 0x0303 (TLS 1.2)
    ///     uint8 extended_master_secret;         // version 4 only: 0 or 1
    ///     CipherSuite suite;
    ///     uint64 created_at_ms;
    ///     uint32 lifetime_seconds;
    ///     uint32 age_add;
    ///     opaque psk&lt;1..255&gt;;
    ///     opaque alpn&lt;0..255&gt;;
    ///     opaque server_name&lt;0..2^16-1&gt;;
    ///     opaque session_context&lt;0..255&gt;;
    ///     opaque client_chain&lt;0..2^24-1&gt;;   // ASN.1Cert entries, each &lt;1..2^24-1&gt;
    ///     uint8 client_verified;                // 0: not verified; 1: the three fields below follow
    ///     uint32 verify_error;
    ///     uint32 verify_error_depth;
    ///     opaque verified_chain&lt;0..2^24-1&gt;; // ASN.1Cert entries, each &lt;1..2^24-1&gt;
    /// } SessionTicketState;
    /// </code>
    /// The caller wipes the result.
    /// </summary>
    public byte[] Encode()
    {
        using var w = new TlsWriter(256);
        if (Version == ProtocolVersion.Tls13)
        {
            w.WriteUInt8(Tls13Format);
        }
        else
        {
            w.WriteUInt8(TaggedFormat);
            w.WriteUInt16((ushort)Version);
            w.WriteUInt8(ExtendedMasterSecret ? (byte)1 : (byte)0);
        }

        w.WriteUInt16((ushort)Suite);
        w.WriteUInt32((uint)((ulong)CreatedAtMs >> 32));
        w.WriteUInt32((uint)CreatedAtMs);
        w.WriteUInt32(LifetimeSeconds);
        w.WriteUInt32(AgeAdd);
        w.WriteVector8(Psk, "state.psk", 1);
        w.WriteVector8(Alpn ?? [], "state.alpn");
        w.WriteVector16(ServerName is null ? [] : System.Text.Encoding.UTF8.GetBytes(ServerName), "state.server_name");
        w.WriteVector8(SessionContext, "state.session_context");
        VectorMark chain = w.BeginVector24();
        foreach (byte[] cert in ClientChain)
        {
            w.WriteVector24(cert, "state.client_chain.cert", 1);
        }

        w.EndVector(chain, "state.client_chain");
        w.WriteUInt8(ClientVerify is null ? (byte)0 : (byte)1);
        if (ClientVerify is not null)
        {
            w.WriteUInt32((uint)ClientVerify.Error);
            w.WriteUInt32((uint)ClientVerify.ErrorDepth);
            VectorMark verified = w.BeginVector24();
            foreach (byte[] cert in ClientVerify.Chain)
            {
                w.WriteVector24(cert, "state.verified_chain.cert", 1);
            }

            w.EndVector(verified, "state.verified_chain");
        }

        byte[] result = w.ToArray();
        return result;
    }

    /// <summary>Parses a serialized state; null when it is malformed (a ticket we cannot read is simply not resumed).</summary>
    public static SessionTicketState? Decode(ReadOnlySpan<byte> data)
    {
        try
        {
            var r = new TlsReader(data);
            byte format = r.ReadUInt8("state.version");
            if (format is not (Tls13Format or TaggedFormat))
            {
                return null;
            }

            var version = format == Tls13Format ? ProtocolVersion.Tls13 : (ProtocolVersion)r.ReadUInt16("state.protocol");
            byte ems = format == Tls13Format ? (byte)0 : r.ReadUInt8("state.extended_master_secret");
            if ((format == TaggedFormat && version != ProtocolVersion.Tls12) || ems > 1)
            {
                return null;
            }

            var suite = (TlsCipherSuite)r.ReadUInt16("state.suite");
            long created = (long)(((ulong)r.ReadUInt32("state.created") << 32) | r.ReadUInt32("state.created"));
            uint lifetime = r.ReadUInt32("state.lifetime");
            uint ageAdd = r.ReadUInt32("state.age_add");
            byte[] psk = r.ReadVector8("state.psk", 1).ToArray();
            ReadOnlySpan<byte> alpn = r.ReadVector8("state.alpn");
            ReadOnlySpan<byte> name = r.ReadVector16("state.server_name");
            byte[] sessionContext = r.ReadVector8("state.session_context").ToArray();
            TlsReader chainReader = r.Sub24("state.client_chain");
            var chain = new List<byte[]>();
            while (!chainReader.IsEmpty)
            {
                chain.Add(chainReader.ReadVector24("state.client_chain.cert", 1).ToArray());
            }

            VerifyResult? verify = null;
            byte verified = r.ReadUInt8("state.client_verified");
            if (verified > 1)
            {
                return null;
            }

            if (verified == 1)
            {
                var error = (VerifyError)r.ReadUInt32("state.verify_error");
                int depth = (int)r.ReadUInt32("state.verify_error_depth");
                TlsReader verifiedReader = r.Sub24("state.verified_chain");
                var verifiedChain = new List<byte[]>();
                while (!verifiedReader.IsEmpty)
                {
                    verifiedChain.Add(verifiedReader.ReadVector24("state.verified_chain.cert", 1).ToArray());
                }

                verify = new VerifyResult(verifiedChain, error, depth, null);
            }

            r.ExpectEnd("state");
            return new SessionTicketState(psk, suite, created, lifetime, ageAdd)
            {
                Version = version,
                ExtendedMasterSecret = ems == 1,
                Alpn = alpn.IsEmpty ? null : alpn.ToArray(),
                ServerName = name.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(name.ToArray()),
                SessionContext = sessionContext,
                ClientChain = chain,
                ClientVerify = verify,
            };
        }
        catch (TlsAlertException)
        {
            return null;
        }
    }

    /// <summary>True when the session has expired at <paramref name="now"/> (or claims to come from the future).</summary>
    public bool IsExpiredAt(DateTimeOffset now)
    {
        long ageMs = now.ToUnixTimeMilliseconds() - CreatedAtMs;
        return ageMs < 0 || ageMs >= LifetimeSeconds * 1000L;
    }

    /// <summary>A copy with its own PSK, which the caller disposes.</summary>
    public SessionTicketState Copy() => new(Psk.ToArray(), Suite, CreatedAtMs, LifetimeSeconds, AgeAdd)
    {
        Version = Version,
        ExtendedMasterSecret = ExtendedMasterSecret,
        Alpn = Alpn,
        ServerName = ServerName,
        SessionContext = SessionContext,
        ClientChain = ClientChain,
        ClientVerify = ClientVerify,
    };

    /// <summary>Wipes the PSK.</summary>
    public void Dispose() => CryptoUtil.Wipe(Psk);
}
