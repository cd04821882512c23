using System.Text;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Handshake.Tls13;
using ManagedTls.X509;
using ManagedTls.X509.Store;

namespace ManagedTls.Ssl;

/// <summary>
/// A TLS 1.3 or TLS 1.2 client session in OpenSSL's <c>SSL_SESSION</c> encoding (<c>PEM_write_SSL_SESSION</c>,
/// <c>-----BEGIN SSL SESSION PARAMETERS-----</c>), so files from <c>openssl s_client -sess_out</c> and ours are
/// exchangeable. The file holds the resumption PSK in clear, as OpenSSL's does.
/// <code>
/// SSL_SESSION ::= SEQUENCE {
///   version            INTEGER (1),
///   sslVersion         INTEGER (0x0304, or 0x0303 for TLS 1.2),
///   cipher             OCTET STRING (2 bytes, the suite code),
///   sessionId          OCTET STRING (SHA-256 of the ticket; TLS 1.2 without a ticket: the server's session id),
///   masterKey          OCTET STRING (the resumption PSK; TLS 1.2: the master secret),
///   keyArg         [0] OCTET STRING OPTIONAL,
///   time           [1] EXPLICIT INTEGER (seconds since the epoch),
///   timeout        [2] EXPLICIT INTEGER (seconds),
///   peer           [3] EXPLICIT Certificate OPTIONAL,
///   sessionIdCtx   [4] EXPLICIT OCTET STRING,
///   verifyResult   [5] EXPLICIT INTEGER OPTIONAL,
///   hostName       [6] EXPLICIT OCTET STRING OPTIONAL,
///   ...            [7], [8] PSK identity hint and identity (unused),
///   lifetimeHint   [9] EXPLICIT INTEGER OPTIONAL,
///   ticket        [10] EXPLICIT OCTET STRING OPTIONAL,
///   ...           [11], [12] compression, SRP user name (unused),
///   flags         [13] EXPLICIT INTEGER OPTIONAL (TLS 1.2: 1 = extended master secret),
///   ticketAgeAdd  [14] EXPLICIT INTEGER OPTIONAL,
///   maxEarlyData  [15] EXPLICIT INTEGER OPTIONAL,
///   alpnSelected  [16] EXPLICIT OCTET STRING OPTIONAL,
///   ...           [17].. (ignored when read)
/// }
/// </code>
/// </summary>
internal static class SslSessionPem
{
    /// <summary>The PEM label OpenSSL uses.</summary>
    public const string Label = "SSL SESSION PARAMETERS";

    // SSL_SESS_FLAG_EXTMS, OpenSSL's flag for a session made with extended master secret.
    private const long ExtendedMasterSecretFlag = 1;

    // 9999-12-31T23:59:59Z, the last second DateTimeOffset can hold.
    private const long MaxUnixSeconds = 253402300799;

    /// <summary>The DER encoding of <paramref name="session"/>.</summary>
    public static byte[] Encode(Tls13Session session)
    {
        byte[] psk = session.Psk.ToArray();
        var body = new List<byte[]>
        {
            Integer(1),
            Integer(0x0304),
            Tlv(0x04, [(byte)(session.Suite.Code >> 8), (byte)session.Suite.Code]),
            Tlv(0x04, Hashes.Compute(HashAlgorithm.Sha256, session.Ticket)),
            Tlv(0x04, psk),
            Explicit(1, Integer(session.CreatedAt.ToUnixTimeSeconds())),
            Explicit(2, Integer(session.LifetimeSeconds)),
        };
        if (session.PeerChain.Count > 0)
        {
            body.Add(Explicit(3, session.PeerChain[0]));
        }

        body.Add(Explicit(4, Tlv(0x04, [])));
        if (session.PeerChain.Count > 0)
        {
            body.Add(Explicit(5, Integer(session.VerifyResult is { } v ? (long)v.Error : 0)));
        }

        if (session.ServerName is { Length: > 0 } name)
        {
            body.Add(Explicit(6, Tlv(0x04, Encoding.ASCII.GetBytes(name))));
        }

        body.Add(Explicit(9, Integer(session.LifetimeSeconds)));
        body.Add(Explicit(10, Tlv(0x04, session.Ticket)));
        body.Add(Explicit(14, Integer(session.AgeAdd)));
        if (session.Alpn is { Length: > 0 } alpn)
        {
            body.Add(Explicit(16, Tlv(0x04, alpn)));
        }

        byte[] content = Concat(body);
        byte[] der = Tlv(0x30, content);
        CryptoUtil.Wipe(content);
        CryptoUtil.Wipe(psk);
        foreach (byte[] part in body)
        {
            CryptoUtil.Wipe(part);
        }

        return der;
    }

    /// <summary>
    /// The DER encoding of a TLS 1.2 <paramref name="session"/>, the fields OpenSSL 3.0 writes for one: its id, the
    /// master secret, the ticket and its hint when there is one, and flags [13] = 1 when it used extended master secret.
    /// </summary>
    public static byte[] Encode(Tls12Session session)
    {
        byte[] master = session.MasterSecret.ToArray();
        var body = new List<byte[]>
        {
            Integer(1),
            Integer(0x0303),
            Tlv(0x04, [(byte)(session.Suite.Code >> 8), (byte)session.Suite.Code]),
            Tlv(0x04, session.SessionId),
            Tlv(0x04, master),
            Explicit(1, Integer(session.CreatedAt.ToUnixTimeSeconds())),
            Explicit(2, Integer(session.TimeoutSeconds)),
        };
        if (session.PeerChain.Count > 0)
        {
            body.Add(Explicit(3, session.PeerChain[0]));
        }

        body.Add(Explicit(4, Tlv(0x04, [])));
        if (session.PeerChain.Count > 0)
        {
            body.Add(Explicit(5, Integer(session.VerifyResult is { } v ? (long)v.Error : 0)));
        }

        if (session.ServerName is { Length: > 0 } name)
        {
            body.Add(Explicit(6, Tlv(0x04, Encoding.ASCII.GetBytes(name))));
        }

        if (session.Ticket is { } ticket)
        {
            body.Add(Explicit(9, Integer(session.LifetimeHintSeconds)));
            body.Add(Explicit(10, Tlv(0x04, ticket)));
        }

        if (session.ExtendedMasterSecret)
        {
            body.Add(Explicit(13, Integer(ExtendedMasterSecretFlag)));
        }

        if (session.Alpn is { Length: > 0 } alpn)
        {
            body.Add(Explicit(16, Tlv(0x04, alpn)));
        }

        byte[] content = Concat(body);
        byte[] der = Tlv(0x30, content);
        CryptoUtil.Wipe(content);
        CryptoUtil.Wipe(master);
        foreach (byte[] part in body)
        {
            CryptoUtil.Wipe(part);
        }

        return der;
    }

    /// <summary>The PEM text of a TLS 1.2 <paramref name="session"/>.</summary>
    public static string ToPem(Tls12Session session) => Armor(Encode(session));

    /// <summary>The PEM text of <paramref name="session"/>, 64 base64 characters a line, as OpenSSL writes it.</summary>
    public static string ToPem(Tls13Session session) => Armor(Encode(session));

    private static string Armor(byte[] der)
    {
        try
        {
            return X509.Store.PemWriter.Encode(Label, der);
        }
        finally
        {
            CryptoUtil.Wipe(der);
        }
    }

    /// <summary>Reads the first session block of <paramref name="pem"/>.</summary>
    /// <returns>The session, either TLS 1.3 or TLS 1.2.</returns>
    /// <exception cref="SslException">No session block, a malformed one, a version other than TLS 1.3 or TLS 1.2, a
    /// suite that is unknown or not of that version, or nothing to resume with (TLS 1.3: no ticket).</exception>
    public static (Tls13Session? Tls13, Tls12Session? Tls12) ReadAny(string pem)
    {
        PemBlock? block;
        try
        {
            block = PemReader.Read(pem).FirstOrDefault(b => b.Label == Label);
        }
        catch (Exception e) when (e is CertificateStoreException or FormatException or TlsAlertException)
        {
            throw new SslException("PEM", null, "bad base64 decode", e);
        }

        if (block is null)
        {
            throw new SslException("PEM", "NO_START_LINE", "no start line");
        }

        try
        {
            return DecodeAny(block.Data);
        }
        finally
        {
            CryptoUtil.Wipe(block.Data);
        }
    }

    /// <summary>Parses the DER of an <c>SSL_SESSION</c>.</summary>
    /// <exception cref="SslException">As <see cref="FromPem"/>.</exception>
    public static (Tls13Session? Tls13, Tls12Session? Tls12) DecodeAny(byte[] der)
    {
        List<DerNode> fields;
        try
        {
            fields = DerNode.Parse(der).Sequence();
        }
        catch (TlsAlertException e)
        {
            throw Asn1("malformed session", e);
        }

        if (fields.Count < 5 || ReadInteger(fields[0]) != 1)
        {
            throw Asn1("unsupported session encoding");
        }

        long version = ReadInteger(fields[1]);
        if (version is not (0x0304 or 0x0303))
        {
            throw new SslException("SSL", "UNSUPPORTED_SSL_VERSION", "only TLS 1.3 and TLS 1.2 sessions can be resumed");
        }

        bool tls13 = version == 0x0304;
        ReadOnlySpan<byte> cipher = Octets(fields[2]);
        CipherSuiteInfo? suite = cipher.Length == 2 ? CipherSuiteRegistry.Find((ushort)((cipher[0] << 8) | cipher[1])) : null;
        if (suite is null || suite.IsTls13 != tls13)
        {
            throw new SslException("SSL", "UNKNOWN_CIPHER_RETURNED", "unknown cipher returned");
        }

        byte[] sessionId = Octets(fields[3]).ToArray();
        byte[] psk = Octets(fields[4]).ToArray();
        long time = 0, timeout = SslSession.DefaultTimeout, lifetime = -1, ageAdd = 0, flags = 0;
        byte[]? peer = null, ticket = null, alpn = null;
        string? hostName = null;
        long? verify = null;
        try
        {
            for (int i = 5; i < fields.Count; i++)
            {
                DerNode f = fields[i];
                if (!f.IsContext)
                {
                    throw Asn1("unexpected field");
                }

                if (f.TagNumber == 0)
                {
                    continue;
                }

                DerNode inner = Explicit(f);
                switch (f.TagNumber)
                {
                    case 1: time = ReadInteger(inner); break;
                    case 2: timeout = ReadInteger(inner); break;
                    case 3: peer = inner.Encoded(); break;
                    case 5: verify = ReadInteger(inner); break;
                    case 6: hostName = Encoding.ASCII.GetString(Octets(inner).ToArray()); break;
                    case 9: lifetime = ReadInteger(inner); break;
                    case 10: ticket = Octets(inner).ToArray(); break;
                    case 13: flags = ReadInteger(inner); break;
                    case 14: ageAdd = ReadInteger(inner); break;
                    case 16: alpn = Octets(inner).ToArray(); break;
                    default: break;
                }
            }

            if (!tls13)
            {
                return (null, DecodeTls12(suite, psk, sessionId, time, timeout, lifetime, flags, ticket, peer, verify, hostName, alpn));
            }

            if (ticket is null || ticket.Length == 0)
            {
                throw new SslException("SSL", null, "the session has no ticket to resume with");
            }

            if (lifetime < 0)
            {
                lifetime = timeout;
            }

            if (lifetime is < 0 or > uint.MaxValue || ageAdd is < 0 or > uint.MaxValue || time is < 0 or > MaxUnixSeconds)
            {
                throw Asn1("session field out of range");
            }

            IReadOnlyList<byte[]> chain = peer is null ? [] : [peer];
            var session = new Tls13Session(ticket, psk, suite, (uint)lifetime, (uint)ageAdd, DateTimeOffset.FromUnixTimeSeconds(time))
            {
                Alpn = alpn is { Length: > 0 } ? alpn : null,
                ServerName = hostName,
                PeerChain = chain,
                VerifyResult = peer is not null && verify is { } code ? new VerifyResult(chain, (VerifyError)(int)code, 0, null) : null,
            };
            psk = [];
            return (session, null);
        }
        finally
        {
            CryptoUtil.Wipe(psk);
        }
    }

    // A TLS 1.2 session from its fields; takes a copy of the master secret (48 bytes, else malformed).
    private static Tls12Session DecodeTls12(
        CipherSuiteInfo suite, byte[] master, byte[] sessionId, long time, long timeout, long lifetime, long flags,
        byte[]? ticket, byte[]? peer, long? verify, string? hostName, byte[]? alpn)
    {
        if (master.Length != Tls12KeySchedule.MasterSecretLength || sessionId.Length > 32)
        {
            throw Asn1("session field out of range");
        }

        if (timeout is < 0 or > uint.MaxValue || lifetime > uint.MaxValue || time is < 0 or > MaxUnixSeconds)
        {
            throw Asn1("session field out of range");
        }

        IReadOnlyList<byte[]> chain = peer is null ? [] : [peer];
        return new Tls12Session(suite, master.ToArray(), (flags & ExtendedMasterSecretFlag) != 0, sessionId, DateTimeOffset.FromUnixTimeSeconds(time), (uint)timeout)
        {
            Ticket = ticket is { Length: > 0 } ? ticket : null,
            LifetimeHintSeconds = ticket is { Length: > 0 } && lifetime > 0 ? (uint)lifetime : 0,
            Alpn = alpn is { Length: > 0 } ? alpn : null,
            ServerName = hostName,
            PeerChain = chain,
            VerifyResult = peer is not null && verify is { } code ? new VerifyResult(chain, (VerifyError)(int)code, 0, null) : null,
        };
    }

    /// <summary>Reads the first session block of <paramref name="pem"/>, which must be a TLS 1.3 session.</summary>
    /// <exception cref="SslException">As <see cref="ReadAny"/>, or the session is a TLS 1.2 one.</exception>
    public static Tls13Session FromPem(string pem) => Tls13Only(ReadAny(pem));

    /// <summary>Parses the DER of a TLS 1.3 <c>SSL_SESSION</c>.</summary>
    /// <exception cref="SslException">As <see cref="DecodeAny"/>, or the session is a TLS 1.2 one.</exception>
    public static Tls13Session Decode(byte[] der) => Tls13Only(DecodeAny(der));

    private static Tls13Session Tls13Only((Tls13Session? Tls13, Tls12Session? Tls12) session)
    {
        if (session.Tls13 is { } s)
        {
            return s;
        }

        session.Tls12?.Dispose();
        throw new SslException("SSL", "UNSUPPORTED_SSL_VERSION", "not a TLS 1.3 session");
    }

    private static SslException Asn1(string message, Exception? inner = null) => new("ASN1", null, message, inner);

    private static DerNode Explicit(DerNode node)
    {
        try
        {
            return node.Explicit();
        }
        catch (TlsAlertException e)
        {
            throw Asn1("malformed session", e);
        }
    }

    private static ReadOnlySpan<byte> Octets(DerNode node) =>
        node.Is(4) ? node.Content : throw Asn1("expected OCTET STRING");

    private static long ReadInteger(DerNode node)
    {
        ReadOnlySpan<byte> c = node.Content;
        if (!node.Is(2) || c.Length is 0 or > 9 || (c.Length == 9 && c[0] != 0) || (c[0] & 0x80) != 0)
        {
            throw Asn1("expected a small non-negative INTEGER");
        }

        long v = 0;
        foreach (byte b in c)
        {
            v = (v << 8) | b;
        }

        return v;
    }

    private static byte[] Integer(long value)
    {
        var bytes = new List<byte>();
        do
        {
            bytes.Insert(0, (byte)value);
            value >>= 8;
        }
        while (value > 0);
        if ((bytes[0] & 0x80) != 0)
        {
            bytes.Insert(0, 0);
        }

        return Tlv(0x02, bytes.ToArray());
    }

    private static byte[] Explicit(int tag, byte[] inner) => Tlv(0xA0 | tag, inner);

    private static byte[] Tlv(int tag, byte[] content)
    {
        int n = content.Length;
        int lengthBytes = n < 0x80 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
        byte[] result = new byte[2 + lengthBytes + n];
        result[0] = (byte)tag;
        if (lengthBytes == 0)
        {
            result[1] = (byte)n;
        }
        else
        {
            result[1] = (byte)(0x80 | lengthBytes);
            for (int i = 0; i < lengthBytes; i++)
            {
                result[2 + i] = (byte)(n >> (8 * (lengthBytes - 1 - i)));
            }
        }

        content.CopyTo(result, 2 + lengthBytes);
        return result;
    }

    private static byte[] Concat(List<byte[]> parts)
    {
        byte[] all = new byte[parts.Sum(p => p.Length)];
        int at = 0;
        foreach (byte[] p in parts)
        {
            p.CopyTo(all, at);
            at += p.Length;
        }

        return all;
    }
}
