using FsCheck;
using FsCheck.Fluent;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Tests.Wire;

/// <summary>FsCheck generators for every handshake message and extension, valid for their context.</summary>
internal static class WireGenerators
{
    public static Gen<byte> Byte => Gen.Choose(0, 255).Select(b => (byte)b);

    public static Gen<ushort> U16 => Gen.Choose(0, 0xFFFF).Select(v => (ushort)v);

    public static Gen<uint> U32 => U16.SelectMany(hi => U16, (hi, lo) => ((uint)hi << 16) | lo);

    public static Gen<byte[]> Bytes(int min, int max) => Gen.Choose(min, max).SelectMany(n => Byte.ArrayOf(n));

    public static Gen<List<T>> ListOf<T>(Gen<T> item, int min, int max)
        => Gen.Choose(min, max).SelectMany(n => item.ListOf(n)).Select(l => l.ToList());

    private static readonly ushort[] UnknownTypes = [0x0a0a, 0x2a2a, 0x3374, 0xfe0d, 0xff02, 0x7777];

    private static Gen<TlsExtension> Ext<T>(Gen<T> g)
        where T : TlsExtension
        => g.Select(x => (TlsExtension)x);

    /// <summary>Every extension type legal in <paramref name="c"/> with a generator of its form there.</summary>
    private static IEnumerable<(ushort Type, Gen<TlsExtension> Gen)> Candidates(ExtensionContext c)
    {
        bool server = c is ExtensionContext.EncryptedExtensions or ExtensionContext.ServerHelloTls12;
        var all = new List<(ExtensionType, Gen<TlsExtension>)>
        {
            (ExtensionType.ServerName, c == ExtensionContext.ClientHello
                ? Ext(Gen.Choose(0x21, 0x7E).Select(b => (byte)b).ArrayOf().Where(h => h.Length is > 0 and <= 20).Select(h => new ServerNameExtension(h)))
                : Gen.Constant((TlsExtension)new ServerNameExtension((byte[]?)null))),
            (ExtensionType.MaxFragmentLength, Ext(Gen.Choose(1, 4).Select(v => new MaxFragmentLengthExtension((byte)v)))),
            (ExtensionType.StatusRequest, c switch
            {
                ExtensionContext.ClientHello => Ext(ListOf(Bytes(1, 10), 0, 3).SelectMany(ids => Bytes(0, 10), (ids, ex) => StatusRequestExtension.OcspRequest(ids, ex))),
                ExtensionContext.Certificate => Ext(Bytes(1, 30).Select(StatusRequestExtension.Response)),
                _ => Gen.Constant((TlsExtension)StatusRequestExtension.EmptyAck()),
            }),
            (ExtensionType.SupportedGroups, Ext(ListOf(U16.Select(v => (NamedGroup)v), 1, 6).Select(l => new SupportedGroupsExtension(l)))),
            (ExtensionType.EcPointFormats, Ext(Bytes(1, 3).Select(b => new EcPointFormatsExtension(b)))),
            (ExtensionType.SignatureAlgorithms, Ext(ListOf(U16.Select(v => (SignatureScheme)v), 1, 8).Select(l => new SignatureAlgorithmsExtension(l)))),
            (ExtensionType.SignatureAlgorithmsCert, Ext(ListOf(U16.Select(v => (SignatureScheme)v), 1, 8).Select(l => new SignatureAlgorithmsCertExtension(l)))),
            (ExtensionType.ApplicationLayerProtocolNegotiation, Ext(ListOf(Bytes(1, 10), 1, server ? 1 : 4).Select(l => new AlpnExtension(l)))),
            (ExtensionType.Padding, Ext(Gen.Choose(0, 30).Select(n => new PaddingExtension(n)))),
            (ExtensionType.EncryptThenMac, Gen.Constant((TlsExtension)new EmptyExtension(ExtensionType.EncryptThenMac))),
            (ExtensionType.ExtendedMasterSecret, Gen.Constant((TlsExtension)new EmptyExtension(ExtensionType.ExtendedMasterSecret))),
            (ExtensionType.PostHandshakeAuth, Gen.Constant((TlsExtension)new EmptyExtension(ExtensionType.PostHandshakeAuth))),
            (ExtensionType.RecordSizeLimit, Ext(Gen.Choose(64, 0xFFFF).Select(v => new RecordSizeLimitExtension((ushort)v)))),
            (ExtensionType.SessionTicket, Ext(Bytes(0, 20).Select(b => new SessionTicketExtension(b)))),
            (ExtensionType.RenegotiationInfo, Ext(Bytes(0, 24).Select(b => new RenegotiationInfoExtension(b)))),
            (ExtensionType.SupportedVersions, c == ExtensionContext.ClientHello
                ? Ext(ListOf(U16.Select(v => (ProtocolVersion)v), 1, 5).Select(l => new SupportedVersionsClientHello(l)))
                : Ext(U16.Select(v => new SupportedVersionsServerHello((ProtocolVersion)v)))),
            (ExtensionType.KeyShare, c switch
            {
                ExtensionContext.ClientHello => Ext(Gen.Shuffle(Enumerable.Range(1, 40).ToArray()).SelectMany(
                    groups => ListOf(Bytes(1, 40), 0, 3),
                    (groups, keys) => new KeyShareClientHello(keys.Select((k, i) => new KeyShareEntry((NamedGroup)groups[i], k)).ToList()))),
                ExtensionContext.HelloRetryRequest => Ext(U16.Select(g => new KeyShareHelloRetryRequest((NamedGroup)g))),
                _ => Ext(U16.SelectMany(g => Bytes(1, 40), (g, k) => new KeyShareServerHello(new KeyShareEntry((NamedGroup)g, k)))),
            }),
            (ExtensionType.PskKeyExchangeModes, Ext(Bytes(1, 2).Select(b => new PskKeyExchangeModesExtension(b)))),
            (ExtensionType.PreSharedKey, c == ExtensionContext.ClientHello
                ? Ext(Gen.Choose(1, 3).SelectMany(n => Bytes(1, 20).SelectMany(id => U32, (id, age) => new PskIdentity(id, age)).ListOf(n)
                    .SelectMany(ids => Bytes(32, 48).ListOf(n), (ids, bs) => new PreSharedKeyClientHello(ids.ToList(), bs.ToList()))))
                : Ext(U16.Select(v => new PreSharedKeyServerHello(v)))),
            (ExtensionType.EarlyData, c == ExtensionContext.NewSessionTicket
                ? Ext(U32.Select(v => new EarlyDataExtension(v)))
                : Gen.Constant((TlsExtension)new EarlyDataExtension())),
            (ExtensionType.Cookie, Ext(Bytes(1, 40).Select(b => new CookieExtension(b)))),
            (ExtensionType.CertificateAuthorities, Ext(ListOf(Bytes(1, 12), 1, 3).Select(l => new CertificateAuthoritiesExtension(l)))),
        };
        foreach ((ExtensionType t, Gen<TlsExtension> g) in all)
        {
            if (ExtensionRules.IsAllowed(t, c))
            {
                yield return ((ushort)t, g);
            }
        }

        foreach (ushort u in UnknownTypes)
        {
            yield return (u, Ext(Bytes(0, 12).Select(b => new UnknownExtension(u, b))));
        }
    }

    /// <summary>A valid extension block for <paramref name="c"/>: distinct types, pre_shared_key last, <paramref name="required"/> always present.</summary>
    public static Gen<ExtensionBlock> Block(ExtensionContext c, params ExtensionType[] required)
    {
        var candidates = Candidates(c).ToArray();
        var forced = candidates.Where(x => required.Contains((ExtensionType)x.Type)).ToArray();
        var optional = candidates.Where(x => !required.Contains((ExtensionType)x.Type)).ToArray();
        return Gen.SubListOf(optional)
            .SelectMany(sub => Gen.Shuffle(sub.Concat(forced)))
            .SelectMany(picked => Gen.CollectToList(picked.OrderBy(p => p.Type == (ushort)ExtensionType.PreSharedKey ? 1 : 0).Select(p => p.Gen)))
            .Select(list => new ExtensionBlock(list));
    }

    private static Gen<byte[]> Random32 => Bytes(32, 32);

    public static Gen<HandshakeMessage> Msg<T>(Gen<T> g)
        where T : HandshakeMessage
        => g.Select(x => (HandshakeMessage)x);

    /// <summary>(message, context to parse it in) for every message type.</summary>
    public static IReadOnlyDictionary<string, Gen<(HandshakeMessage Message, WireContext Context)>> Messages { get; } = BuildMessages();

    private static Dictionary<string, Gen<(HandshakeMessage, WireContext)>> BuildMessages()
    {
        var t13 = WireContext.Tls13;
        Gen<(HandshakeMessage, WireContext)> In(Gen<HandshakeMessage> g, WireContext ctx) => g.Select(m => (m, ctx));
        Gen<TlsCipherSuite> suite = U16.Select(v => (TlsCipherSuite)v);
        Gen<SignatureScheme> scheme = U16.Select(v => (SignatureScheme)v);

        Gen<ClientHello> clientHello =
            from v in U16
            from r in Random32
            from sid in Bytes(0, 32)
            from suites in ListOf(suite, 1, 10)
            from comp in Bytes(1, 3)
            from ext in Block(ExtensionContext.ClientHello)
            from hasBlock in Gen.Elements(true, true, false)
            select new ClientHello((ProtocolVersion)v, r, sid, suites, comp, ext, hasBlock);

        Gen<ServerHello> serverHello13 =
            from r in Random32
            from sid in Bytes(0, 32)
            from s in suite
            from ext in Block(ExtensionContext.ServerHello, ExtensionType.SupportedVersions)
            select new ServerHello(ProtocolVersion.Tls12, r, sid, s, 0, ext);
        Gen<ServerHello> helloRetry =
            from sid in Bytes(0, 32)
            from s in suite
            from ext in Block(ExtensionContext.HelloRetryRequest)
            select new ServerHello(ProtocolVersion.Tls12, ServerHello.HelloRetryRequestRandom, sid, s, 0, ext);
        Gen<ServerHello> serverHello12 =
            from r in Random32
            from sid in Bytes(0, 32)
            from s in suite
            from comp in Byte
            from ext in Block(ExtensionContext.ServerHelloTls12)
            from hasBlock in Gen.Elements(true, false)
            select new ServerHello(ProtocolVersion.Tls12, r, sid, s, comp, ext, hasBlock);

        Gen<CertificateEntry> entry13 = Bytes(1, 60).SelectMany(d => Block(ExtensionContext.Certificate), (d, e) => new CertificateEntry(d, e));
        Gen<CertificateMessage> cert13 = Bytes(0, 8).SelectMany(ctx => ListOf(entry13, 0, 3), (ctx, l) => new CertificateMessage(ctx, l));
        Gen<CertificateMessage> cert12 = ListOf(Bytes(1, 60).Select(d => new CertificateEntry(d)), 0, 3).Select(l => new CertificateMessage(null, l));

        var kxGen = Gen.Elements(KeyExchangeKind.Ecdhe, KeyExchangeKind.Dhe, KeyExchangeKind.Rsa);
        Gen<ClientKeyExchange> cke = kxGen.SelectMany(k => Bytes(k == KeyExchangeKind.Rsa ? 0 : 1, 300).Select(b => k == KeyExchangeKind.Ecdhe && b.Length > 255 ? b.AsSpan(0, 255).ToArray() : b), (k, b) => new ClientKeyExchange(k, b));

        return new Dictionary<string, Gen<(HandshakeMessage, WireContext)>>
        {
            ["ClientHello"] = In(Msg(clientHello), t13),
            ["ServerHello13"] = In(Msg(serverHello13), t13),
            ["HelloRetryRequest"] = In(Msg(helloRetry), t13),
            ["ServerHello12"] = In(Msg(serverHello12), WireContext.Tls12()),
            ["EncryptedExtensions"] = In(Msg(Block(ExtensionContext.EncryptedExtensions).Select(e => new EncryptedExtensions(e))), t13),
            ["Certificate13"] = In(Msg(cert13), t13),
            ["Certificate12"] = In(Msg(cert12), WireContext.Tls12()),
            ["CertificateRequest13"] = In(Msg(Bytes(0, 8).SelectMany(c => Block(ExtensionContext.CertificateRequest, ExtensionType.SignatureAlgorithms), (c, e) => new CertificateRequest13(c, e))), t13),
            ["CertificateRequest12"] = In(Msg(
                from types in Bytes(1, 4)
                from algs in ListOf(scheme, 1, 8)
                from cas in ListOf(Bytes(1, 20), 0, 3)
                select new CertificateRequest12(types, algs, cas)), WireContext.Tls12()),
            ["CertificateVerify"] = In(Msg(scheme.SelectMany(s => Bytes(0, 100), (s, sig) => new CertificateVerify(s, sig))), t13),
            ["ServerKeyExchangeEcdhe"] = In(Msg(
                from g in U16
                from p in Bytes(1, 97)
                from s in scheme
                from sig in Bytes(0, 100)
                select (ServerKeyExchange)new EcdheServerKeyExchange((NamedGroup)g, p, s, sig)), WireContext.Tls12(KeyExchangeKind.Ecdhe)),
            ["ServerKeyExchangeDhe"] = In(Msg(
                from p in Bytes(1, 300)
                from g in Bytes(1, 2)
                from ys in Bytes(1, 300)
                from s in scheme
                from sig in Bytes(0, 100)
                select (ServerKeyExchange)new DheServerKeyExchange(p, g, ys, s, sig)), WireContext.Tls12(KeyExchangeKind.Dhe)),
            ["ClientKeyExchange"] = cke.Select(m => ((HandshakeMessage)m, WireContext.Tls12(m.Kind))),
            ["Finished"] = In(Msg(Bytes(1, 64).Select(v => new Finished(v))), t13),
            ["NewSessionTicket13"] = In(Msg(
                from l in U32
                from a in U32
                from n in Bytes(0, 8)
                from t in Bytes(1, 80)
                from e in Block(ExtensionContext.NewSessionTicket)
                select new NewSessionTicket13(l, a, n, t, e)), t13),
            ["NewSessionTicket12"] = In(Msg(U32.SelectMany(l => Bytes(0, 80), (l, t) => new NewSessionTicket12(l, t))), WireContext.Tls12()),
            ["KeyUpdate"] = In(Msg(Gen.Elements(true, false).Select(b => new KeyUpdate(b))), t13),
            ["EndOfEarlyData"] = In(Msg(Gen.Constant(new EndOfEarlyData())), t13),
            ["ServerHelloDone"] = In(Msg(Gen.Constant(new ServerHelloDone())), WireContext.Tls12()),
            ["HelloRequest"] = In(Msg(Gen.Constant(new HelloRequest())), WireContext.Tls12()),
            ["CertificateStatus"] = In(Msg(Bytes(1, 80).Select(b => new CertificateStatus(b))), WireContext.Tls12()),
        };
    }
}
