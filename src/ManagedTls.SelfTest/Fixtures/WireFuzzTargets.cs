using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Wire;

/// <summary>One fuzzing entry point: decodes <paramref name="data"/>; may throw only <see cref="TlsAlertException"/>.</summary>
internal delegate void WireFuzzTarget(ReadOnlySpan<byte> data);

/// <summary>
/// The wire layer's fuzzing entry points, shared by the fuzz harness and the corpus regression test.
/// Every target decodes its input and, when decoding succeeds, checks that re-encoding gives back the
/// same bytes (the codecs are lossless). A decoding failure is a <see cref="TlsAlertException"/>; a
/// round-trip mismatch is an <see cref="InvalidOperationException"/>, which the harness treats as a crash.
/// </summary>
/// <remarks>
/// Input layout: the first byte selects the context, the rest is the message body (whole message for
/// <c>handshake</c>, a u16-prefixed extension block for <c>extensions</c>). Context byte modulo 4:
/// 0 = TLS 1.3, 1 = TLS 1.2 ECDHE, 2 = TLS 1.2 DHE, 3 = TLS 1.2 RSA. For <c>extensions</c> the byte
/// modulo 8 is the <see cref="ExtensionContext"/>.
/// </remarks>
internal static class WireFuzzTargets
{
    /// <summary>Target name to entry point.</summary>
    public static IReadOnlyDictionary<string, WireFuzzTarget> All { get; } = new Dictionary<string, WireFuzzTarget>
    {
        ["handshake"] = Handshake,
        ["extensions"] = Extensions,
        ["client_hello"] = d => Body(HandshakeType.ClientHello, d),
        ["server_hello"] = d => Body(HandshakeType.ServerHello, d),
        ["encrypted_extensions"] = d => Body(HandshakeType.EncryptedExtensions, d),
        ["certificate"] = d => Body(HandshakeType.Certificate, d),
        ["certificate_request"] = d => Body(HandshakeType.CertificateRequest, d),
        ["certificate_verify"] = d => Body(HandshakeType.CertificateVerify, d),
        ["server_key_exchange"] = d => Body(HandshakeType.ServerKeyExchange, d),
        ["server_hello_done"] = d => Body(HandshakeType.ServerHelloDone, d),
        ["client_key_exchange"] = d => Body(HandshakeType.ClientKeyExchange, d),
        ["finished"] = d => Body(HandshakeType.Finished, d),
        ["new_session_ticket"] = d => Body(HandshakeType.NewSessionTicket, d),
        ["end_of_early_data"] = d => Body(HandshakeType.EndOfEarlyData, d),
        ["key_update"] = d => Body(HandshakeType.KeyUpdate, d),
        ["hello_request"] = d => Body(HandshakeType.HelloRequest, d),
        ["certificate_status"] = d => Body(HandshakeType.CertificateStatus, d),
    };

    /// <summary>The parse context a selector byte stands for.</summary>
    public static WireContext ContextFor(byte selector) => (selector & 3) switch
    {
        0 => WireContext.Tls13,
        1 => WireContext.Tls12(KeyExchangeKind.Ecdhe),
        2 => WireContext.Tls12(KeyExchangeKind.Dhe),
        _ => WireContext.Tls12(KeyExchangeKind.Rsa),
    };

    private static void Handshake(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<byte> message = data.Slice(1);
        HandshakeMessage m = HandshakeMessage.Read(message, ContextFor(data[0]));
        Same(message, m.Encode(), "handshake");
    }

    private static void Body(HandshakeType type, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        WireContext ctx = ContextFor(data[0]);
        ReadOnlySpan<byte> body = data.Slice(1);
        if (type is HandshakeType.EncryptedExtensions or HandshakeType.EndOfEarlyData or HandshakeType.KeyUpdate)
        {
            ctx = WireContext.Tls13;
        }
        else if (type is HandshakeType.ServerKeyExchange or HandshakeType.ClientKeyExchange
                 or HandshakeType.ServerHelloDone or HandshakeType.HelloRequest or HandshakeType.CertificateStatus)
        {
            ctx = ctx.IsTls13 ? WireContext.Tls12(KeyExchangeKind.Ecdhe) : ctx;
        }

        HandshakeMessage m = HandshakeMessage.ReadBody(type, body, ctx);
        Same(body, m.EncodeBody(), type.ToString());
    }

    private static void Extensions(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var context = (ExtensionContext)(data[0] & 7);
        ReadOnlySpan<byte> block = data.Slice(1);
        var r = new TlsReader(block);
        ExtensionBlock b = ExtensionBlock.Read(ref r, context, "extensions");
        r.ExpectEnd("extensions");
        Same(block, b.Encode(), "extensions");
    }

    private static void Same(ReadOnlySpan<byte> input, byte[] encoded, string what)
    {
        if (!input.SequenceEqual(encoded))
        {
            throw new InvalidOperationException($"{what}: re-encoding differs from the decoded input");
        }
    }
}
