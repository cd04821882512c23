using ManagedTls.Crypto;
using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Testing;

/// <summary>
/// Runs bytes through ManagedTls's own parsers: a message or extension either parses and comes back re-encoded by the
/// engine's writer, or the parser raises <see cref="TlsAlertException"/> with the alert it would send. Use it to check
/// that a builder produces what a strict implementation accepts, or which alert a malformed encoding earns.
/// </summary>
public static class WireCheck
{
    /// <summary>Parses one whole handshake message (header included) in the form's context and re-encodes it.</summary>
    /// <param name="form">Which message shape to expect (it decides TLS 1.2 or 1.3 parsing and the key exchange).</param>
    /// <param name="message">The encoded message.</param>
    /// <returns>The engine's encoding of what it parsed.</returns>
    /// <exception cref="TlsAlertException">The bytes are malformed; the description is the alert the engine sends.</exception>
    public static byte[] Reencode(MessageForm form, ReadOnlySpan<byte> message)
    {
        if (form == MessageForm.MessageHash)
        {
            var r = new TlsReader(message);
            if ((HandshakeType)r.ReadUInt8("Handshake.msg_type") != HandshakeType.MessageHash)
            {
                throw new TlsAlertException(AlertDescription.UnexpectedMessage, "not a message_hash message");
            }

            ReadOnlySpan<byte> hash = r.ReadVector24("Handshake.length");
            r.ExpectEnd("message_hash");
            if (hash.Length is not (32 or 48 or 64))
            {
                throw TlsAlertException.Decode($"message_hash: {hash.Length} bytes is not a transcript hash length");
            }

            return HandshakeFraming.MessageHash(hash);
        }

        return HandshakeMessage.Read(message, ContextOf(form)).Encode();
    }

    /// <summary>Parses one extension (type, length and data) as it appears in <paramref name="place"/> and re-encodes it.</summary>
    /// <param name="place">The message it sits in (decides its form and whether it is allowed there).</param>
    /// <param name="extension">The encoded extension.</param>
    /// <returns>The engine's encoding of what it parsed.</returns>
    /// <exception cref="TlsAlertException">The bytes are malformed or the extension is not allowed there.</exception>
    public static byte[] ReencodeExtension(ExtensionPlace place, ReadOnlySpan<byte> extension)
    {
        if (extension.Length > 0xFFFF)
        {
            throw TlsAlertException.Decode("extension longer than an extension block");
        }

        byte[] block = new byte[2 + extension.Length];
        block[0] = (byte)(extension.Length >> 8);
        block[1] = (byte)extension.Length;
        extension.CopyTo(block.AsSpan(2));
        var r = new TlsReader(block);
        ExtensionBlock parsed = ExtensionBlock.Read(ref r, ContextOf(place), "extensions");
        r.ExpectEnd("extensions");
        using var w = new TlsWriter();
        parsed.WriteEntries(w);
        return w.ToArray();
    }

    /// <summary>The engine's hash of <paramref name="data"/> with the hash of <paramref name="suite"/> (for building message_hash by hand).</summary>
    /// <param name="suite">A TLS 1.3 suite.</param>
    /// <param name="data">The bytes to hash.</param>
    /// <returns>The digest.</returns>
    public static byte[] TranscriptHashOf(TlsCipherSuite suite, ReadOnlySpan<byte> data) =>
        Hashes.Compute(Suites.Find(suite).PrfHash, data);

    internal static WireContext ContextOf(MessageForm form) => form switch
    {
        MessageForm.ClientHello12 or MessageForm.ServerHello12 or MessageForm.CertificateRequest12 or MessageForm.Certificate12
            or MessageForm.NewSessionTicket12 or MessageForm.HelloRequest or MessageForm.ServerHelloDone
            or MessageForm.CertificateStatus => WireContext.Tls12(),
        MessageForm.ServerKeyExchangeEcdhe or MessageForm.ClientKeyExchangeEcdhe => WireContext.Tls12(KeyExchangeKind.Ecdhe),
        MessageForm.ServerKeyExchangeDhe or MessageForm.ClientKeyExchangeDhe => WireContext.Tls12(KeyExchangeKind.Dhe),
        MessageForm.ClientKeyExchangeRsa => WireContext.Tls12(KeyExchangeKind.Rsa),
        _ => WireContext.Tls13,
    };

    internal static ExtensionContext ContextOf(ExtensionPlace place) => place switch
    {
        ExtensionPlace.ClientHello => ExtensionContext.ClientHello,
        ExtensionPlace.ServerHello => ExtensionContext.ServerHello,
        ExtensionPlace.HelloRetryRequest => ExtensionContext.HelloRetryRequest,
        ExtensionPlace.EncryptedExtensions => ExtensionContext.EncryptedExtensions,
        ExtensionPlace.CertificateEntry => ExtensionContext.Certificate,
        ExtensionPlace.CertificateRequest => ExtensionContext.CertificateRequest,
        ExtensionPlace.NewSessionTicket => ExtensionContext.NewSessionTicket,
        ExtensionPlace.ServerHelloTls12 => ExtensionContext.ServerHelloTls12,
        _ => throw new ArgumentOutOfRangeException(nameof(place), place, null),
    };
}

/// <summary>Finds TLS 1.3 suites in the engine's registry.</summary>
internal static class Suites
{
    public static CipherSuites.CipherSuiteInfo Find(TlsCipherSuite suite) =>
        CipherSuites.CipherSuiteRegistry.Find(suite) is { IsTls13: true } info
            ? info
            : throw new ArgumentException($"{suite} is not a TLS 1.3 suite the engine implements", nameof(suite));
}
