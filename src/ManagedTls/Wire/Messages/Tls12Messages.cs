using ManagedTls.Wire.Extensions;

namespace ManagedTls.Wire.Messages;

/// <summary>
/// TLS 1.2 ServerKeyExchange: <see cref="EcdheServerKeyExchange"/> or <see cref="DheServerKeyExchange"/>,
/// chosen by the suite's key exchange (RSA key transport has none: <c>unexpected_message</c>).
/// </summary>
internal abstract class ServerKeyExchange : HandshakeMessage
{
    /// <summary>Creates the signed part.</summary>
    protected ServerKeyExchange(SignatureScheme algorithm, byte[] signature)
    {
        Algorithm = algorithm;
        Signature = signature;
    }

    /// <summary>The signature's SignatureAndHashAlgorithm.</summary>
    public SignatureScheme Algorithm { get; }

    /// <summary>The signature over client_random + server_random + params.</summary>
    public byte[] Signature { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.ServerKeyExchange;

    /// <summary>Writes the params (the signed bytes, without the signature).</summary>
    public abstract void WriteParams(TlsWriter writer);

    /// <summary>The encoded params, as covered by the signature.</summary>
    public byte[] EncodeParams()
    {
        using var w = new TlsWriter();
        WriteParams(w);
        return w.ToArray();
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        WriteParams(writer);
        writer.WriteUInt16((ushort)Algorithm);
        writer.WriteVector16(Signature, "ServerKeyExchange.signature");
    }

    /// <summary>Parses the body for key exchange <paramref name="kind"/>.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     select (KeyExchangeAlgorithm) {
    ///         case dhe_rsa:  ServerDHParams params;     digitally-signed struct { ... } signed_params;
    ///         case ec_diffie_hellman: ServerECDHParams params; Signature signed_params;
    ///     };
    /// } ServerKeyExchange;
    /// struct { SignatureAndHashAlgorithm algorithm; opaque signature&lt;0..2^16-1&gt;; } digitally-signed;
    /// </code>
    /// </remarks>
    public static ServerKeyExchange Read(ReadOnlySpan<byte> body, KeyExchangeKind kind)
    {
        var r = new TlsReader(body);
        ServerKeyExchange result;
        switch (kind)
        {
            case KeyExchangeKind.Ecdhe:
            {
                byte curveType = r.ReadUInt8("ServerKeyExchange.curve_type");
                if (curveType != EcdheServerKeyExchange.NamedCurveType)
                {
                    throw TlsAlertException.Illegal($"ServerKeyExchange.curve_type: {curveType} is not named_curve(3)");
                }

                var group = (NamedGroup)r.ReadUInt16("ServerKeyExchange.namedcurve");
                byte[] point = r.ReadVector8("ServerKeyExchange.point", 1).ToArray();
                (SignatureScheme alg, byte[] sig) = ReadSignature(ref r);
                result = new EcdheServerKeyExchange(group, point, alg, sig);
                break;
            }

            case KeyExchangeKind.Dhe:
            {
                byte[] p = r.ReadVector16("ServerKeyExchange.dh_p", 1).ToArray();
                byte[] g = r.ReadVector16("ServerKeyExchange.dh_g", 1).ToArray();
                byte[] ys = r.ReadVector16("ServerKeyExchange.dh_Ys", 1).ToArray();
                (SignatureScheme alg, byte[] sig) = ReadSignature(ref r);
                result = new DheServerKeyExchange(p, g, ys, alg, sig);
                break;
            }

            case KeyExchangeKind.Rsa:
                throw new TlsAlertException(AlertDescription.UnexpectedMessage, "ServerKeyExchange with RSA key transport");
            default:
                throw TlsAlertException.Internal("ServerKeyExchange parsed without knowing the key exchange");
        }

        r.ExpectEnd("ServerKeyExchange");
        return result;
    }

    private static (SignatureScheme, byte[]) ReadSignature(ref TlsReader r)
    {
        var alg = (SignatureScheme)r.ReadUInt16("ServerKeyExchange.algorithm");
        byte[] sig = r.ReadVector16("ServerKeyExchange.signature").ToArray();
        return (alg, sig);
    }
}

/// <summary>ECDHE ServerKeyExchange (RFC 8422 section 5.4), named curves only.</summary>
/// <remarks>
/// <code>
/// struct { ECCurveType curve_type; NamedCurve namedcurve; } ECParameters;   // curve_type = named_curve(3)
/// struct { opaque point&lt;1..2^8-1&gt;; } ECPoint;
/// struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
/// </code>
/// </remarks>
internal sealed class EcdheServerKeyExchange : ServerKeyExchange
{
    /// <summary>ECCurveType named_curve.</summary>
    public const byte NamedCurveType = 3;

    /// <summary>Creates the message.</summary>
    public EcdheServerKeyExchange(NamedGroup group, byte[] publicPoint, SignatureScheme algorithm, byte[] signature)
        : base(algorithm, signature)
    {
        Group = group;
        PublicPoint = publicPoint;
    }

    /// <summary>The curve.</summary>
    public NamedGroup Group { get; }

    /// <summary>The server's ephemeral public key.</summary>
    public byte[] PublicPoint { get; }

    /// <inheritdoc/>
    public override void WriteParams(TlsWriter writer)
    {
        writer.WriteUInt8(NamedCurveType);
        writer.WriteUInt16((ushort)Group);
        writer.WriteVector8(PublicPoint, "ServerKeyExchange.point", 1);
    }
}

/// <summary>DHE ServerKeyExchange (RFC 5246 section 7.4.3).</summary>
/// <remarks>
/// <code>
/// struct {
///     opaque dh_p&lt;1..2^16-1&gt;;
///     opaque dh_g&lt;1..2^16-1&gt;;
///     opaque dh_Ys&lt;1..2^16-1&gt;;
/// } ServerDHParams;
/// </code>
/// </remarks>
internal sealed class DheServerKeyExchange : ServerKeyExchange
{
    /// <summary>Creates the message.</summary>
    public DheServerKeyExchange(byte[] p, byte[] g, byte[] ys, SignatureScheme algorithm, byte[] signature)
        : base(algorithm, signature)
    {
        P = p;
        G = g;
        Ys = ys;
    }

    /// <summary>The prime modulus (big-endian).</summary>
    public byte[] P { get; }

    /// <summary>The generator (big-endian).</summary>
    public byte[] G { get; }

    /// <summary>The server's public value (big-endian).</summary>
    public byte[] Ys { get; }

    /// <inheritdoc/>
    public override void WriteParams(TlsWriter writer)
    {
        writer.WriteVector16(P, "ServerKeyExchange.dh_p", 1);
        writer.WriteVector16(G, "ServerKeyExchange.dh_g", 1);
        writer.WriteVector16(Ys, "ServerKeyExchange.dh_Ys", 1);
    }
}

/// <summary>TLS 1.2 ClientKeyExchange (RFC 5246 section 7.4.7, RFC 8422 section 5.7).</summary>
internal sealed class ClientKeyExchange : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public ClientKeyExchange(KeyExchangeKind kind, byte[] exchangeKeys)
    {
        Kind = kind;
        ExchangeKeys = exchangeKeys;
    }

    /// <summary>Which form this is.</summary>
    public KeyExchangeKind Kind { get; }

    /// <summary>The ECDH point, the DH public value Yc, or the RSA-encrypted premaster secret.</summary>
    public byte[] ExchangeKeys { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.ClientKeyExchange;

    /// <summary>Parses the body for key exchange <paramref name="kind"/>.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     select (KeyExchangeAlgorithm) {
    ///         case rsa:  opaque EncryptedPreMasterSecret&lt;0..2^16-1&gt;;
    ///         case dhe_rsa: opaque dh_Yc&lt;1..2^16-1&gt;;
    ///         case ec_diffie_hellman: opaque point&lt;1..2^8-1&gt;;
    ///     } exchange_keys;
    /// } ClientKeyExchange;
    /// </code>
    /// </remarks>
    public static ClientKeyExchange Read(ReadOnlySpan<byte> body, KeyExchangeKind kind)
    {
        var r = new TlsReader(body);
        byte[] keys = kind switch
        {
            KeyExchangeKind.Ecdhe => r.ReadVector8("ClientKeyExchange.point", 1).ToArray(),
            KeyExchangeKind.Dhe => r.ReadVector16("ClientKeyExchange.dh_Yc", 1).ToArray(),
            KeyExchangeKind.Rsa => r.ReadVector16("ClientKeyExchange.encrypted_pre_master_secret").ToArray(),
            _ => throw TlsAlertException.Internal("ClientKeyExchange parsed without knowing the key exchange"),
        };
        r.ExpectEnd("ClientKeyExchange");
        return new ClientKeyExchange(kind, keys);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        switch (Kind)
        {
            case KeyExchangeKind.Ecdhe:
                writer.WriteVector8(ExchangeKeys, "ClientKeyExchange.point", 1);
                break;
            case KeyExchangeKind.Dhe:
                writer.WriteVector16(ExchangeKeys, "ClientKeyExchange.dh_Yc", 1);
                break;
            case KeyExchangeKind.Rsa:
                writer.WriteVector16(ExchangeKeys, "ClientKeyExchange.encrypted_pre_master_secret");
                break;
            default:
                throw TlsAlertException.Internal("ClientKeyExchange without a key exchange");
        }
    }
}

/// <summary>ServerHelloDone (RFC 5246 section 7.4.5): <c>struct { } ServerHelloDone;</c></summary>
internal sealed class ServerHelloDone : EmptyMessage
{
    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.ServerHelloDone;

    /// <summary>Parses the (empty) body.</summary>
    public static ServerHelloDone Read(ReadOnlySpan<byte> body)
    {
        ExpectEmpty(body, "ServerHelloDone");
        return new ServerHelloDone();
    }
}

/// <summary>HelloRequest (RFC 5246 section 7.4.1.1): <c>struct { } HelloRequest;</c></summary>
internal sealed class HelloRequest : EmptyMessage
{
    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.HelloRequest;

    /// <summary>Parses the (empty) body.</summary>
    public static HelloRequest Read(ReadOnlySpan<byte> body)
    {
        ExpectEmpty(body, "HelloRequest");
        return new HelloRequest();
    }
}

/// <summary>TLS 1.2 CertificateRequest (RFC 5246 section 7.4.4).</summary>
internal sealed class CertificateRequest12 : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public CertificateRequest12(byte[] certificateTypes, IReadOnlyList<SignatureScheme> signatureAlgorithms, IReadOnlyList<byte[]> authorities)
    {
        CertificateTypes = certificateTypes;
        SignatureAlgorithms = signatureAlgorithms;
        Authorities = authorities;
    }

    /// <summary>ClientCertificateType values (rsa_sign(1), ecdsa_sign(64), ...).</summary>
    public byte[] CertificateTypes { get; }

    /// <summary>supported_signature_algorithms.</summary>
    public IReadOnlyList<SignatureScheme> SignatureAlgorithms { get; }

    /// <summary>DER distinguished names of acceptable CAs.</summary>
    public IReadOnlyList<byte[]> Authorities { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.CertificateRequest;

    /// <summary>Parses the body.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     ClientCertificateType certificate_types&lt;1..2^8-1&gt;;
    ///     SignatureAndHashAlgorithm supported_signature_algorithms&lt;2..2^16-2&gt;;
    ///     DistinguishedName certificate_authorities&lt;0..2^16-1&gt;;
    /// } CertificateRequest;
    /// opaque DistinguishedName&lt;1..2^16-1&gt;;
    /// </code>
    /// </remarks>
    public static CertificateRequest12 Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        byte[] types = r.ReadVector8("CertificateRequest.certificate_types", 1).ToArray();
        List<SignatureScheme> algs = SignatureSchemeListExtension.ReadSchemes(ref r, "CertificateRequest.supported_signature_algorithms");
        TlsReader cas = r.Sub16("CertificateRequest.certificate_authorities");
        r.ExpectEnd("CertificateRequest");
        var names = new List<byte[]>();
        while (!cas.IsEmpty)
        {
            names.Add(cas.ReadVector16("CertificateRequest.distinguished_name", 1).ToArray());
        }

        return new CertificateRequest12(types, algs, names);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        writer.WriteVector8(CertificateTypes, "CertificateRequest.certificate_types", 1);
        SignatureSchemeListExtension.WriteSchemes(writer, SignatureAlgorithms, "CertificateRequest.supported_signature_algorithms");
        VectorMark m = writer.BeginVector16();
        foreach (byte[] n in Authorities)
        {
            writer.WriteVector16(n, "CertificateRequest.distinguished_name", 1);
        }

        writer.EndVector(m, "CertificateRequest.certificate_authorities");
    }
}

/// <summary>TLS 1.2 NewSessionTicket (RFC 5077 section 3.3).</summary>
internal sealed class NewSessionTicket12 : HandshakeMessage
{
    /// <summary>Creates the message.</summary>
    public NewSessionTicket12(uint lifetimeHint, byte[] ticket)
    {
        LifetimeHint = lifetimeHint;
        Ticket = ticket;
    }

    /// <summary>ticket_lifetime_hint in seconds (0 = unspecified).</summary>
    public uint LifetimeHint { get; }

    /// <summary>The opaque ticket (empty when the server does not renew).</summary>
    public byte[] Ticket { get; }

    /// <inheritdoc/>
    public override HandshakeType Type => HandshakeType.NewSessionTicket;

    /// <summary>Parses the body.</summary>
    /// <remarks>
    /// <code>
    /// struct {
    ///     uint32 ticket_lifetime_hint;
    ///     opaque ticket&lt;0..2^16-1&gt;;
    /// } NewSessionTicket;
    /// </code>
    /// </remarks>
    public static NewSessionTicket12 Read(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        uint hint = r.ReadUInt32("NewSessionTicket.ticket_lifetime_hint");
        byte[] ticket = r.ReadVector16("NewSessionTicket.ticket").ToArray();
        r.ExpectEnd("NewSessionTicket");
        return new NewSessionTicket12(hint, ticket);
    }

    /// <inheritdoc/>
    public override void WriteBody(TlsWriter writer)
    {
        writer.WriteUInt32(LifetimeHint);
        writer.WriteVector16(Ticket, "NewSessionTicket.ticket");
    }
}
