namespace ManagedTls.Wire.Extensions;

/// <summary>Decodes one extension's body into its typed form, choosing the form by message context.</summary>
internal static class ExtensionCodec
{
    /// <summary>Decodes <paramref name="body"/> of extension <paramref name="type"/> as it appears in <paramref name="context"/>.</summary>
    public static TlsExtension Decode(ushort type, ReadOnlySpan<byte> body, ExtensionContext context)
    {
        bool server = context is ExtensionContext.ServerHello or ExtensionContext.HelloRetryRequest
            or ExtensionContext.EncryptedExtensions or ExtensionContext.ServerHelloTls12;
        switch ((ExtensionType)type)
        {
            case ExtensionType.ServerName:
                return ServerNameExtension.Read(body, context);
            case ExtensionType.MaxFragmentLength:
                return MaxFragmentLengthExtension.Read(body);
            case ExtensionType.StatusRequest:
                return StatusRequestExtension.Read(body, context);
            case ExtensionType.SupportedGroups:
                return SupportedGroupsExtension.Read(body);
            case ExtensionType.EcPointFormats:
                return EcPointFormatsExtension.Read(body);
            case ExtensionType.SignatureAlgorithms:
                return new SignatureAlgorithmsExtension(SignatureSchemeListExtension.ReadList(body, "signature_algorithms"));
            case ExtensionType.SignatureAlgorithmsCert:
                return new SignatureAlgorithmsCertExtension(SignatureSchemeListExtension.ReadList(body, "signature_algorithms_cert"));
            case ExtensionType.ApplicationLayerProtocolNegotiation:
                return AlpnExtension.Read(body, server);
            case ExtensionType.Padding:
                return PaddingExtension.Read(body);
            case ExtensionType.EncryptThenMac:
            case ExtensionType.ExtendedMasterSecret:
            case ExtensionType.PostHandshakeAuth:
                TlsExtension.ExpectEmpty(body, ((ExtensionType)type).ToString());
                return new EmptyExtension((ExtensionType)type);
            case ExtensionType.RecordSizeLimit:
                return RecordSizeLimitExtension.Read(body);
            case ExtensionType.SessionTicket:
                return new SessionTicketExtension(body.ToArray());
            case ExtensionType.RenegotiationInfo:
                return RenegotiationInfoExtension.Read(body);
            case ExtensionType.SupportedVersions:
                return context == ExtensionContext.ClientHello
                    ? SupportedVersionsClientHello.Read(body)
                    : SupportedVersionsServerHello.Read(body);
            case ExtensionType.KeyShare:
                return context switch
                {
                    ExtensionContext.ClientHello => KeyShareClientHello.Read(body),
                    ExtensionContext.HelloRetryRequest => KeyShareHelloRetryRequest.Read(body),
                    _ => KeyShareServerHello.Read(body),
                };
            case ExtensionType.PskKeyExchangeModes:
                return PskKeyExchangeModesExtension.Read(body);
            case ExtensionType.PreSharedKey:
                return context == ExtensionContext.ClientHello
                    ? PreSharedKeyClientHello.Read(body)
                    : PreSharedKeyServerHello.Read(body);
            case ExtensionType.EarlyData:
                return EarlyDataExtension.Read(body, context);
            case ExtensionType.Cookie:
                return CookieExtension.Read(body);
            case ExtensionType.CertificateAuthorities:
                return CertificateAuthoritiesExtension.Read(body);
            default:
                return new UnknownExtension(type, body.ToArray());
        }
    }
}
