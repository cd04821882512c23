namespace ManagedTls.Wire.Extensions;

/// <summary>supported_versions in a ClientHello (RFC 8446 section 4.2.1).</summary>
/// <remarks><code>struct { ProtocolVersion versions&lt;2..254&gt;; } SupportedVersions; // ClientHello</code></remarks>
internal sealed class SupportedVersionsClientHello : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public SupportedVersionsClientHello(IReadOnlyList<ProtocolVersion> versions) => Versions = versions;

    /// <summary>Offered versions in preference order (GREASE and unknown values kept).</summary>
    public IReadOnlyList<ProtocolVersion> Versions { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.SupportedVersions;

    /// <summary>Parses the body.</summary>
    public static SupportedVersionsClientHello Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        TlsReader list = r.Sub8("supported_versions.versions", 2, 254);
        r.ExpectEnd("supported_versions");
        if ((list.Remaining & 1) != 0)
        {
            throw TlsAlertException.Decode("supported_versions.versions: odd length");
        }

        var v = new List<ProtocolVersion>(list.Remaining / 2);
        while (!list.IsEmpty)
        {
            v.Add((ProtocolVersion)list.ReadUInt16("supported_versions.version"));
        }

        return new SupportedVersionsClientHello(v);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        VectorMark m = writer.BeginVector8();
        foreach (ProtocolVersion v in Versions)
        {
            writer.WriteUInt16((ushort)v);
        }

        writer.EndVector(m, "supported_versions.versions", 2, 254);
    }
}

/// <summary>supported_versions in a ServerHello or HelloRetryRequest (RFC 8446 section 4.2.1).</summary>
/// <remarks><code>struct { ProtocolVersion selected_version; } SupportedVersions; // ServerHello, HRR</code></remarks>
internal sealed class SupportedVersionsServerHello : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public SupportedVersionsServerHello(ProtocolVersion selected) => SelectedVersion = selected;

    /// <summary>The version the server selected.</summary>
    public ProtocolVersion SelectedVersion { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.SupportedVersions;

    /// <summary>Parses the body.</summary>
    public static SupportedVersionsServerHello Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var v = (ProtocolVersion)r.ReadUInt16("supported_versions.selected_version");
        r.ExpectEnd("supported_versions");
        return new SupportedVersionsServerHello(v);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteUInt16((ushort)SelectedVersion);
}

/// <summary>One key share (RFC 8446 section 4.2.8).</summary>
/// <remarks><code>struct { NamedGroup group; opaque key_exchange&lt;1..2^16-1&gt;; } KeyShareEntry;</code></remarks>
internal sealed record KeyShareEntry(NamedGroup Group, byte[] KeyExchange)
{
    /// <summary>Reads one entry.</summary>
    public static KeyShareEntry Read(ref TlsReader r)
    {
        var g = (NamedGroup)r.ReadUInt16("key_share.group");
        byte[] k = r.ReadVector16("key_share.key_exchange", 1).ToArray();
        return new KeyShareEntry(g, k);
    }

    /// <summary>Writes one entry.</summary>
    public void Write(TlsWriter w)
    {
        w.WriteUInt16((ushort)Group);
        w.WriteVector16(KeyExchange, "key_share.key_exchange", 1);
    }
}

/// <summary>key_share in a ClientHello (RFC 8446 section 4.2.8); two shares for one group are <c>illegal_parameter</c>.</summary>
/// <remarks><code>struct { KeyShareEntry client_shares&lt;0..2^16-1&gt;; } KeyShareClientHello;</code></remarks>
internal sealed class KeyShareClientHello : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public KeyShareClientHello(IReadOnlyList<KeyShareEntry> shares) => Shares = shares;

    /// <summary>The offered shares, in order (possibly none).</summary>
    public IReadOnlyList<KeyShareEntry> Shares { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.KeyShare;

    /// <summary>Parses the body.</summary>
    public static KeyShareClientHello Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        TlsReader list = r.Sub16("key_share.client_shares");
        r.ExpectEnd("key_share");
        var shares = new List<KeyShareEntry>();
        var groups = new HashSet<NamedGroup>();
        while (!list.IsEmpty)
        {
            KeyShareEntry e = KeyShareEntry.Read(ref list);
            if (!groups.Add(e.Group))
            {
                throw TlsAlertException.Illegal($"key_share: two shares for group {e.Group}");
            }

            shares.Add(e);
        }

        return new KeyShareClientHello(shares);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        VectorMark m = writer.BeginVector16();
        foreach (KeyShareEntry e in Shares)
        {
            e.Write(writer);
        }

        writer.EndVector(m, "key_share.client_shares");
    }
}

/// <summary>key_share in a ServerHello (RFC 8446 section 4.2.8).</summary>
/// <remarks><code>struct { KeyShareEntry server_share; } KeyShareServerHello;</code></remarks>
internal sealed class KeyShareServerHello : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public KeyShareServerHello(KeyShareEntry share) => Share = share;

    /// <summary>The server's share.</summary>
    public KeyShareEntry Share { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.KeyShare;

    /// <summary>Parses the body.</summary>
    public static KeyShareServerHello Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        KeyShareEntry e = KeyShareEntry.Read(ref r);
        r.ExpectEnd("key_share");
        return new KeyShareServerHello(e);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => Share.Write(writer);
}

/// <summary>key_share in a HelloRetryRequest (RFC 8446 section 4.2.8).</summary>
/// <remarks><code>struct { NamedGroup selected_group; } KeyShareHelloRetryRequest;</code></remarks>
internal sealed class KeyShareHelloRetryRequest : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public KeyShareHelloRetryRequest(NamedGroup selected) => SelectedGroup = selected;

    /// <summary>The group the server asks the client to retry with.</summary>
    public NamedGroup SelectedGroup { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.KeyShare;

    /// <summary>Parses the body.</summary>
    public static KeyShareHelloRetryRequest Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var g = (NamedGroup)r.ReadUInt16("key_share.selected_group");
        r.ExpectEnd("key_share");
        return new KeyShareHelloRetryRequest(g);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteUInt16((ushort)SelectedGroup);
}

/// <summary>psk_key_exchange_modes (RFC 8446 section 4.2.9): psk_ke(0), psk_dhe_ke(1).</summary>
/// <remarks><code>struct { PskKeyExchangeMode ke_modes&lt;1..255&gt;; } PskKeyExchangeModes;</code></remarks>
internal sealed class PskKeyExchangeModesExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public PskKeyExchangeModesExtension(byte[] modes) => Modes = modes;

    /// <summary>The modes (0 = psk_ke, 1 = psk_dhe_ke; others kept).</summary>
    public byte[] Modes { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.PskKeyExchangeModes;

    /// <summary>Parses the body.</summary>
    public static PskKeyExchangeModesExtension Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte[] m = r.ReadVector8("psk_key_exchange_modes.ke_modes", 1).ToArray();
        r.ExpectEnd("psk_key_exchange_modes");
        return new PskKeyExchangeModesExtension(m);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteVector8(Modes, "psk_key_exchange_modes.ke_modes", 1);
}

/// <summary>One offered PSK identity (RFC 8446 section 4.2.11).</summary>
/// <remarks><code>struct { opaque identity&lt;1..2^16-1&gt;; uint32 obfuscated_ticket_age; } PskIdentity;</code></remarks>
internal sealed record PskIdentity(byte[] Identity, uint ObfuscatedTicketAge);

/// <summary>pre_shared_key in a ClientHello (RFC 8446 section 4.2.11).</summary>
/// <remarks>
/// <code>
/// opaque PskBinderEntry&lt;32..255&gt;;
/// struct {
///     PskIdentity identities&lt;7..2^16-1&gt;;
///     PskBinderEntry binders&lt;33..2^16-1&gt;;
/// } OfferedPsks;
/// </code>
/// As many binders as identities, otherwise <c>illegal_parameter</c>. The binders are the last bytes of
/// the ClientHello; <see cref="BindersLength"/> is how many bytes to cut for the binder transcript.
/// </remarks>
internal sealed class PreSharedKeyClientHello : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public PreSharedKeyClientHello(IReadOnlyList<PskIdentity> identities, IReadOnlyList<byte[]> binders)
    {
        Identities = identities;
        Binders = binders;
    }

    /// <summary>The offered identities.</summary>
    public IReadOnlyList<PskIdentity> Identities { get; }

    /// <summary>One binder per identity.</summary>
    public IReadOnlyList<byte[]> Binders { get; }

    /// <summary>Encoded size of the binders vector, length prefix included.</summary>
    public int BindersLength
    {
        get
        {
            int n = 2;
            foreach (byte[] b in Binders)
            {
                n += 1 + b.Length;
            }

            return n;
        }
    }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.PreSharedKey;

    /// <summary>Parses the body.</summary>
    public static PreSharedKeyClientHello Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        TlsReader ids = r.Sub16("pre_shared_key.identities", 7);
        var identities = new List<PskIdentity>();
        while (!ids.IsEmpty)
        {
            byte[] id = ids.ReadVector16("pre_shared_key.identity", 1).ToArray();
            uint age = ids.ReadUInt32("pre_shared_key.obfuscated_ticket_age");
            identities.Add(new PskIdentity(id, age));
        }

        TlsReader bs = r.Sub16("pre_shared_key.binders", 33);
        r.ExpectEnd("pre_shared_key");
        var binders = new List<byte[]>();
        while (!bs.IsEmpty)
        {
            binders.Add(bs.ReadVector8("pre_shared_key.binder", 32).ToArray());
        }

        if (binders.Count != identities.Count)
        {
            throw TlsAlertException.Illegal($"pre_shared_key: {identities.Count} identities but {binders.Count} binders");
        }

        return new PreSharedKeyClientHello(identities, binders);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        VectorMark m = writer.BeginVector16();
        foreach (PskIdentity id in Identities)
        {
            writer.WriteVector16(id.Identity, "pre_shared_key.identity", 1);
            writer.WriteUInt32(id.ObfuscatedTicketAge);
        }

        writer.EndVector(m, "pre_shared_key.identities", 7);
        m = writer.BeginVector16();
        foreach (byte[] b in Binders)
        {
            writer.WriteVector8(b, "pre_shared_key.binder", 32);
        }

        writer.EndVector(m, "pre_shared_key.binders", 33);
    }
}

/// <summary>pre_shared_key in a ServerHello (RFC 8446 section 4.2.11).</summary>
/// <remarks><code>uint16 selected_identity;</code></remarks>
internal sealed class PreSharedKeyServerHello : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public PreSharedKeyServerHello(ushort selected) => SelectedIdentity = selected;

    /// <summary>Index of the accepted identity.</summary>
    public ushort SelectedIdentity { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.PreSharedKey;

    /// <summary>Parses the body.</summary>
    public static PreSharedKeyServerHello Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        ushort v = r.ReadUInt16("pre_shared_key.selected_identity");
        r.ExpectEnd("pre_shared_key");
        return new PreSharedKeyServerHello(v);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteUInt16(SelectedIdentity);
}

/// <summary>early_data (RFC 8446 section 4.2.10): empty in ClientHello and EncryptedExtensions, max_early_data_size in NewSessionTicket.</summary>
/// <remarks><code>struct { select (Handshake.msg_type) { case new_session_ticket: uint32 max_early_data_size; case client_hello: Empty; case encrypted_extensions: Empty; }; } EarlyDataIndication;</code></remarks>
internal sealed class EarlyDataExtension : TlsExtension
{
    /// <summary>Creates the extension; <paramref name="maxEarlyDataSize"/> only in a ticket.</summary>
    public EarlyDataExtension(uint? maxEarlyDataSize = null) => MaxEarlyDataSize = maxEarlyDataSize;

    /// <summary>max_early_data_size in the ticket form, else null.</summary>
    public uint? MaxEarlyDataSize { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.EarlyData;

    /// <summary>Parses the body as it appears in <paramref name="context"/>.</summary>
    public static EarlyDataExtension Read(ReadOnlySpan<byte> body, ExtensionContext context)
    {
        if (context != ExtensionContext.NewSessionTicket)
        {
            ExpectEmpty(body, "early_data");
            return new EarlyDataExtension();
        }

        var r = new TlsReader(body);
        uint v = r.ReadUInt32("early_data.max_early_data_size");
        r.ExpectEnd("early_data");
        return new EarlyDataExtension(v);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        if (MaxEarlyDataSize is uint v)
        {
            writer.WriteUInt32(v);
        }
    }
}

/// <summary>cookie (RFC 8446 section 4.2.2).</summary>
/// <remarks><code>struct { opaque cookie&lt;1..2^16-1&gt;; } Cookie;</code></remarks>
internal sealed class CookieExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public CookieExtension(byte[] cookie) => Cookie = cookie;

    /// <summary>The cookie bytes.</summary>
    public byte[] Cookie { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.Cookie;

    /// <summary>Parses the body.</summary>
    public static CookieExtension Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte[] c = r.ReadVector16("cookie.cookie", 1).ToArray();
        r.ExpectEnd("cookie");
        return new CookieExtension(c);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer) => writer.WriteVector16(Cookie, "cookie.cookie", 1);
}

/// <summary>certificate_authorities (RFC 8446 section 4.2.4): DER distinguished names.</summary>
/// <remarks>
/// <code>
/// opaque DistinguishedName&lt;1..2^16-1&gt;;
/// struct { DistinguishedName authorities&lt;3..2^16-1&gt;; } CertificateAuthoritiesExtension;
/// </code>
/// </remarks>
internal sealed class CertificateAuthoritiesExtension : TlsExtension
{
    /// <summary>Creates the extension.</summary>
    public CertificateAuthoritiesExtension(IReadOnlyList<byte[]> authorities) => Authorities = authorities;

    /// <summary>DER-encoded distinguished names.</summary>
    public IReadOnlyList<byte[]> Authorities { get; }

    /// <inheritdoc/>
    public override ExtensionType Type => ExtensionType.CertificateAuthorities;

    /// <summary>Parses the body.</summary>
    public static CertificateAuthoritiesExtension Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        TlsReader list = r.Sub16("certificate_authorities.authorities", 3);
        r.ExpectEnd("certificate_authorities");
        var names = new List<byte[]>();
        while (!list.IsEmpty)
        {
            names.Add(list.ReadVector16("certificate_authorities.distinguished_name", 1).ToArray());
        }

        return new CertificateAuthoritiesExtension(names);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        VectorMark m = writer.BeginVector16();
        foreach (byte[] n in Authorities)
        {
            writer.WriteVector16(n, "certificate_authorities.distinguished_name", 1);
        }

        writer.EndVector(m, "certificate_authorities.authorities", 3);
    }
}
