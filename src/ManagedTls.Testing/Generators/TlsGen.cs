using FsCheck;
using FsCheck.Fluent;
using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>
/// FsCheck generators (FsCheck 3 <see cref="Gen{T}"/>) of valid messages and extensions: random but well-formed field
/// values for every form of <see cref="TlsMessages"/> and <see cref="TlsExtensions"/>, in a place where each is allowed.
/// Every generated value parses in ManagedTls and re-encodes to the same bytes. Mutations of valid values are in
/// <see cref="TlsMutations"/>; ready-made <see cref="Arbitrary{T}"/> instances in <see cref="TlsArbitraries"/>.
/// </summary>
public static class TlsGen
{
    /// <summary>Any byte.</summary>
    public static Gen<byte> Byte { get; } = Gen.Choose(0, 255).Select(b => (byte)b);

    /// <summary>Any 16-bit value.</summary>
    public static Gen<ushort> UInt16 { get; } = Gen.Choose(0, 0xFFFF).Select(v => (ushort)v);

    /// <summary>Any 32-bit value.</summary>
    public static Gen<uint> UInt32 { get; } = UInt16.SelectMany(hi => UInt16, (hi, lo) => ((uint)hi << 16) | lo);

    /// <summary>Random bytes, <paramref name="min"/> to <paramref name="max"/> of them.</summary>
    /// <param name="min">Fewest.</param>
    /// <param name="max">Most.</param>
    /// <returns>The generator.</returns>
    public static Gen<byte[]> Bytes(int min, int max) => Gen.Choose(min, max).SelectMany(n => Byte.ArrayOf(n));

    /// <summary>Valid messages of <paramref name="form"/>.</summary>
    /// <param name="form">The form.</param>
    /// <returns>The generator (a fresh tree per value).</returns>
    public static Gen<HandshakeBuilder> Message(MessageForm form) => form switch
    {
        MessageForm.ClientHello or MessageForm.ClientHello12 =>
            from version in UInt16
            from random in Bytes(32, 32)
            from sid in Bytes(0, 32)
            from suites in ArrayOf(UInt16, 1, 10)
            from compression in Bytes(1, 3)
            from ext in Block(ExtensionPlace.ClientHello)
            select TlsMessages.ClientHello(ext, suites.Select(s => (TlsCipherSuite)s), random, sid)
                .Set("legacy_version", version)
                .Replace("legacy_compression_methods", new VectorNode("legacy_compression_methods", 1, compression.Select(c => new UIntNode("compression_method", 1, c)))),
        MessageForm.ServerHello =>
            from random in Bytes(32, 32)
            from sid in Bytes(0, 32)
            from suite in UInt16
            from compression in Byte
            from ext in Block(ExtensionPlace.ServerHello, ExtensionForm.SupportedVersionsServer)
            select TlsMessages.ServerHello((TlsCipherSuite)suite, ext, random, sid).Set("legacy_compression_method", compression),
        MessageForm.ServerHello12 =>
            from random in Bytes(32, 32)
            from sid in Bytes(0, 32)
            from suite in UInt16
            from ext in Block(ExtensionPlace.ServerHelloTls12)
            from withBlock in Gen.Elements(true, true, false)
            select WithoutBlockUnless(withBlock, TlsMessages.ServerHello12((TlsCipherSuite)suite, ext).SetBytes("random", random).SetBytes("legacy_session_id_echo", sid)),
        MessageForm.HelloRetryRequest =>
            from suite in UInt16
            from sid in Bytes(0, 32)
            from ext in Block(ExtensionPlace.HelloRetryRequest)
            select TlsMessages.HelloRetryRequest(cipherSuite: (TlsCipherSuite)suite, sessionIdEcho: sid).Replace("extensions", new VectorNode("extensions", 2, ext)),
        MessageForm.EncryptedExtensions => Block(ExtensionPlace.EncryptedExtensions).Select(ext => TlsMessages.EncryptedExtensions(ext)),
        MessageForm.CertificateRequest =>
            from context in Bytes(0, 10)
            from ext in Block(ExtensionPlace.CertificateRequest, ExtensionForm.SignatureAlgorithms)
            select TlsMessages.CertificateRequest(context, ext),
        MessageForm.CertificateRequest12 =>
            from types in Bytes(1, 4)
            from schemes in ArrayOf(UInt16, 1, 8)
            from names in ArrayOf(Bytes(1, 12), 0, 3)
            select TlsMessages.CertificateRequest12(names)
                .Replace("certificate_types", new VectorNode("certificate_types", 1, types.Select(t => new UIntNode("certificate_type", 1, t))))
                .Replace("supported_signature_algorithms", TlsExtensions.SchemeList(schemes.Select(s => (SignatureScheme)s).ToArray())),
        MessageForm.Certificate =>
            from context in Bytes(0, 10)
            from entries in ArrayOf(
                from cert in Bytes(1, 50)
                from ext in Block(ExtensionPlace.CertificateEntry)
                select (TlsNode)TlsMessages.CertificateEntry(cert, ext), 0, 3)
            select TlsMessages.CertificateWithEntries(entries, context),
        MessageForm.Certificate12 => ArrayOf(Bytes(1, 50), 0, 3).Select(c => TlsMessages.Certificate12(c)),
        MessageForm.CertificateVerify =>
            from alg in UInt16
            from sig in Bytes(0, 80)
            select TlsMessages.CertificateVerify((SignatureScheme)alg, sig),
        MessageForm.Finished => Bytes(1, 64).Select(v => TlsMessages.Finished(v)),
        MessageForm.NewSessionTicket =>
            from lifetime in UInt32
            from add in UInt32
            from nonce in Bytes(0, 10)
            from ticket in Bytes(1, 40)
            from ext in Block(ExtensionPlace.NewSessionTicket)
            select TlsMessages.NewSessionTicket(ticket, nonce, lifetime, add, ext),
        MessageForm.NewSessionTicket12 =>
            from hint in UInt32
            from ticket in Bytes(0, 40)
            select TlsMessages.NewSessionTicket12(ticket, hint),
        MessageForm.EndOfEarlyData => Gen.Constant(0).Select(_ => TlsMessages.EndOfEarlyData()),
        MessageForm.HelloRequest => Gen.Constant(0).Select(_ => TlsMessages.HelloRequest()),
        MessageForm.ServerHelloDone => Gen.Constant(0).Select(_ => TlsMessages.ServerHelloDone()),
        MessageForm.KeyUpdate => Gen.Elements(true, false).Select(TlsMessages.KeyUpdate),
        MessageForm.ServerKeyExchangeEcdhe =>
            from namedCurve in UInt16
            from point in Bytes(1, 80)
            from alg in UInt16
            from sig in Bytes(0, 80)
            select TlsMessages.ServerKeyExchangeEcdhe((NamedGroup)namedCurve, point, (SignatureScheme)alg).SetBytes("signature", sig),
        MessageForm.ServerKeyExchangeDhe =>
            from p in Bytes(1, 64)
            from g in Bytes(1, 4)
            from ys in Bytes(1, 64)
            from alg in UInt16
            from sig in Bytes(0, 80)
            select TlsMessages.ServerKeyExchangeDhe((SignatureScheme)alg).SetBytes("dh_p", p).SetBytes("dh_g", g).SetBytes("dh_Ys", ys).SetBytes("signature", sig),
        MessageForm.ClientKeyExchangeEcdhe => Bytes(1, 80).Select(p => TlsMessages.ClientKeyExchangeEcdhe(p)),
        MessageForm.ClientKeyExchangeDhe => Bytes(1, 64).Select(y => TlsMessages.ClientKeyExchangeDhe(y)),
        MessageForm.ClientKeyExchangeRsa => Bytes(0, 80).Select(e => TlsMessages.ClientKeyExchangeRsa(e)),
        MessageForm.CertificateStatus => Bytes(1, 40).Select(o => TlsMessages.CertificateStatus(o)),
        MessageForm.MessageHash => Gen.Elements(32, 48, 64).SelectMany(n => Bytes(n, n)).Select(h => TlsMessages.MessageHash(h)),
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
    };

    /// <summary>Valid extensions of <paramref name="form"/> (as they appear in <see cref="TlsForms.PlaceOf"/>).</summary>
    /// <param name="form">The form.</param>
    /// <returns>The generator (a fresh tree per value).</returns>
    public static Gen<ExtensionBuilder> Extension(ExtensionForm form) => form switch
    {
        ExtensionForm.ServerName => Ascii(1, 20).Select(h => TlsExtensions.ServerName(h)),
        ExtensionForm.MaxFragmentLength => Gen.Choose(1, 4).Select(c => TlsExtensions.MaxFragmentLength((byte)c)),
        ExtensionForm.StatusRequest =>
            from ids in ArrayOf(Bytes(1, 10), 0, 3)
            from requestExtensions in Bytes(0, 10)
            select TlsExtensions.StatusRequest()
                .Replace("responder_id_list", new VectorNode("responder_id_list", 2, ids.Select(i => VectorNode.Opaque("responder_id", 2, i))))
                .SetBytes("request_extensions", requestExtensions),
        ExtensionForm.StatusRequestResponse => Bytes(1, 30).Select(o => TlsExtensions.StatusRequestResponse(o)),
        ExtensionForm.SupportedGroups => ArrayOf(UInt16, 1, 6).Select(g => TlsExtensions.SupportedGroups(g.Select(v => (NamedGroup)v).ToArray())),
        ExtensionForm.EcPointFormats => Bytes(1, 3).Select(TlsExtensions.EcPointFormats),
        ExtensionForm.SignatureAlgorithms => ArrayOf(UInt16, 1, 8).Select(s => TlsExtensions.SignatureAlgorithms(s.Select(v => (SignatureScheme)v).ToArray())),
        ExtensionForm.SignatureAlgorithmsCert => ArrayOf(UInt16, 1, 8).Select(s => TlsExtensions.SignatureAlgorithmsCert(s.Select(v => (SignatureScheme)v).ToArray())),
        ExtensionForm.Alpn => ArrayOf(Ascii(1, 10), 1, 4).Select(TlsExtensions.Alpn),
        ExtensionForm.AlpnServer => Ascii(1, 10).Select(p => TlsExtensions.Alpn(p)),
        ExtensionForm.SignedCertificateTimestampList => ArrayOf(Bytes(1, 20), 1, 3).Select(TlsExtensions.SignedCertificateTimestamp),
        ExtensionForm.Padding => Gen.Choose(0, 30).Select(TlsExtensions.Padding),
        ExtensionForm.RecordSizeLimit => Gen.Choose(64, 0xFFFF).Select(v => TlsExtensions.RecordSizeLimit((ushort)v)),
        ExtensionForm.SessionTicket => Bytes(0, 20).Select(TlsExtensions.SessionTicket),
        ExtensionForm.PreSharedKey =>
            from n in Gen.Choose(1, 3)
            from ids in (from id in Bytes(1, 20) from age in UInt32 select (TlsNode)TlsExtensions.PskIdentity(id, age)).ArrayOf(n)
            from binders in Bytes(32, 48).ArrayOf(n)
            select TlsExtensions.PreSharedKey(ids, binders),
        ExtensionForm.PreSharedKeyServer => UInt16.Select(TlsExtensions.PreSharedKeyServer),
        ExtensionForm.EarlyDataTicket => UInt32.Select(TlsExtensions.EarlyDataTicket),
        ExtensionForm.SupportedVersions => ArrayOf(UInt16, 1, 5).Select(v => TlsExtensions.SupportedVersions(v.Select(x => (ProtocolVersion)x).ToArray())),
        ExtensionForm.SupportedVersionsServer => UInt16.Select(v => TlsExtensions.SupportedVersionsServer((ProtocolVersion)v)),
        ExtensionForm.Cookie => Bytes(1, 40).Select(TlsExtensions.Cookie),
        ExtensionForm.PskKeyExchangeModes => Bytes(1, 3).Select(TlsExtensions.PskKeyExchangeModes),
        ExtensionForm.CertificateAuthorities => ArrayOf(Bytes(1, 12), 1, 3).Select(TlsExtensions.CertificateAuthorities),
        ExtensionForm.OidFilters => ArrayOf(from oid in Bytes(1, 5) from values in Bytes(0, 10) select (oid, values), 0, 3).Select(TlsExtensions.OidFilters),
        ExtensionForm.KeyShareClient =>
            from groups in Gen.Shuffle(Enumerable.Range(1, 60).ToArray())
            from keys in ArrayOf(Bytes(1, 40), 0, 3)
            select TlsExtensions.KeyShareClient(keys.Select((k, i) => (TlsNode)TlsExtensions.KeyShareEntry((NamedGroup)groups[i], k)).ToArray()),
        ExtensionForm.KeyShareServer =>
            from g in UInt16
            from key in Bytes(1, 40)
            select TlsExtensions.KeyShareServer((NamedGroup)g, key),
        ExtensionForm.KeyShareRetry => UInt16.Select(g => TlsExtensions.KeyShareRetry((NamedGroup)g)),
        ExtensionForm.RenegotiationInfo => Bytes(0, 24).Select(TlsExtensions.RenegotiationInfo),
        ExtensionForm.Raw =>
            from type in Gen.Elements(UnknownTypes)
            from data in Bytes(0, 12)
            select TlsExtensions.Raw(type, data),
        _ => Gen.Constant(0).Select(_ => TlsForms.Extension(form)),
    };

    /// <summary>Valid messages of any form, with the form.</summary>
    /// <returns>The generator.</returns>
    public static Gen<GeneratedMessage> AnyMessage() =>
        Gen.Elements(TlsForms.AllMessages.ToArray()).SelectMany(f => Message(f).Select(m => new GeneratedMessage(f, m)));

    /// <summary>Valid extensions of any form, with the form and place.</summary>
    /// <returns>The generator.</returns>
    public static Gen<GeneratedExtension> AnyExtension() =>
        Gen.Elements(TlsForms.AllExtensions.ToArray()).SelectMany(f => Extension(f).Select(e => new GeneratedExtension(f, TlsForms.PlaceOf(f), e)));

    /// <summary>
    /// A valid extension list for <paramref name="place"/>: a random subset of the forms allowed there (each type once),
    /// <paramref name="required"/> always present, in random order with pre_shared_key last.
    /// </summary>
    /// <param name="place">The message.</param>
    /// <param name="required">Forms that must be present.</param>
    /// <returns>The generator.</returns>
    public static Gen<ExtensionBuilder[]> Block(ExtensionPlace place, params ExtensionForm[] required)
    {
        ExtensionForm[] allowed = FormsFor(place);
        ExtensionForm[] forced = allowed.Where(required.Contains).ToArray();
        ExtensionForm[] optional = allowed.Where(f => !required.Contains(f)).ToArray();
        return Gen.SubListOf(optional)
            .SelectMany(sub => Gen.Shuffle(sub.Concat(forced).ToArray()))
            .SelectMany(forms => Gen.CollectToList(forms.OrderBy(f => f == ExtensionForm.PreSharedKey ? 1 : 0).Select(Extension)))
            .Select(list => list.ToArray());
    }

    /// <summary>The extension forms that are valid in <paramref name="place"/> (one form per type).</summary>
    /// <param name="place">The message.</param>
    /// <returns>The forms.</returns>
    public static ExtensionForm[] FormsFor(ExtensionPlace place) => place switch
    {
        ExtensionPlace.ClientHello =>
        [
            ExtensionForm.ServerName, ExtensionForm.MaxFragmentLength, ExtensionForm.StatusRequest, ExtensionForm.SupportedGroups,
            ExtensionForm.EcPointFormats, ExtensionForm.SignatureAlgorithms, ExtensionForm.SignatureAlgorithmsCert, ExtensionForm.Alpn,
            ExtensionForm.SignedCertificateTimestamp, ExtensionForm.Padding, ExtensionForm.EncryptThenMac, ExtensionForm.ExtendedMasterSecret,
            ExtensionForm.RecordSizeLimit, ExtensionForm.SessionTicket, ExtensionForm.PreSharedKey, ExtensionForm.EarlyData,
            ExtensionForm.SupportedVersions, ExtensionForm.Cookie, ExtensionForm.PskKeyExchangeModes, ExtensionForm.CertificateAuthorities,
            ExtensionForm.PostHandshakeAuth, ExtensionForm.KeyShareClient, ExtensionForm.RenegotiationInfo, ExtensionForm.Raw,
        ],
        ExtensionPlace.ServerHello => [ExtensionForm.SupportedVersionsServer, ExtensionForm.KeyShareServer, ExtensionForm.PreSharedKeyServer, ExtensionForm.Raw],
        ExtensionPlace.HelloRetryRequest => [ExtensionForm.SupportedVersionsServer, ExtensionForm.KeyShareRetry, ExtensionForm.Cookie, ExtensionForm.Raw],
        ExtensionPlace.EncryptedExtensions =>
        [
            ExtensionForm.ServerNameAck, ExtensionForm.MaxFragmentLength, ExtensionForm.SupportedGroups, ExtensionForm.AlpnServer,
            ExtensionForm.RecordSizeLimit, ExtensionForm.EarlyData, ExtensionForm.Raw,
        ],
        ExtensionPlace.CertificateEntry => [ExtensionForm.StatusRequestResponse, ExtensionForm.SignedCertificateTimestampList, ExtensionForm.Raw],
        ExtensionPlace.CertificateRequest =>
        [
            ExtensionForm.StatusRequestAck, ExtensionForm.SignatureAlgorithms, ExtensionForm.SignatureAlgorithmsCert,
            ExtensionForm.SignedCertificateTimestamp, ExtensionForm.CertificateAuthorities, ExtensionForm.OidFilters, ExtensionForm.Raw,
        ],
        ExtensionPlace.NewSessionTicket => [ExtensionForm.EarlyDataTicket, ExtensionForm.Raw],
        ExtensionPlace.ServerHelloTls12 =>
        [
            ExtensionForm.ServerNameAck, ExtensionForm.MaxFragmentLength, ExtensionForm.StatusRequestAck, ExtensionForm.SupportedGroups,
            ExtensionForm.EcPointFormats, ExtensionForm.AlpnServer, ExtensionForm.SignedCertificateTimestamp, ExtensionForm.EncryptThenMac,
            ExtensionForm.ExtendedMasterSecret, ExtensionForm.RecordSizeLimit, ExtensionForm.SessionTicket, ExtensionForm.RenegotiationInfo,
            ExtensionForm.Raw,
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(place), place, null),
    };

    private static readonly ushort[] UnknownTypes = [0x0a0a, 0x2a2a, 0x3374, 0x4a4a, 0xfe0d, 0xff02, 0x7777];

    private static Gen<T[]> ArrayOf<T>(Gen<T> item, int min, int max) => Gen.Choose(min, max).SelectMany(n => item.ArrayOf(n));

    private static Gen<string> Ascii(int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789-./".ToCharArray()).ArrayOf(n)).Select(c => new string(c));

    private static HandshakeBuilder WithoutBlockUnless(bool keep, HandshakeBuilder message) => keep ? message : message.Remove("extensions");
}

/// <summary>A valid generated message and its form (the context to parse it in).</summary>
/// <param name="Form">The form.</param>
/// <param name="Message">The message.</param>
public sealed record GeneratedMessage(MessageForm Form, HandshakeBuilder Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Form}: {Hex.Format(Message.Encode(), 96)}";
}

/// <summary>A valid generated extension, its form and the message it belongs in.</summary>
/// <param name="Form">The form.</param>
/// <param name="Place">Where it is valid.</param>
/// <param name="Extension">The extension.</param>
public sealed record GeneratedExtension(ExtensionForm Form, ExtensionPlace Place, ExtensionBuilder Extension)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Form} in {Place}: {Hex.Format(Extension.Encode(), 96)}";
}
