using ManagedTls.Wire;
using ManagedTls.Wire.Extensions;
using ManagedTls.Wire.Messages;

namespace ManagedTls.Testing;

/// <summary>An extension of a received message: its code point and raw extension_data.</summary>
/// <param name="Type">The code point.</param>
/// <param name="Data">extension_data.</param>
public sealed record ReceivedExtension(ExtensionType Type, byte[] Data);

/// <summary>An alert the system under test sent.</summary>
/// <param name="Level">The level byte.</param>
/// <param name="Description">The description byte.</param>
/// <param name="Protected">True when it arrived in a protected record.</param>
public sealed record ReceivedAlert(AlertLevel Level, AlertDescription Description, bool Protected)
{
    /// <inheritdoc/>
    public override string ToString() => $"alert {Description} ({Level}{(Protected ? ", protected" : "")})";
}

/// <summary>
/// A handshake message the system under test sent, as it arrived (reassembled across records), with accessors parsed
/// by ManagedTls's own parser. When the parser rejects the message, <see cref="ParseError"/> says why and the accessors
/// are empty.
/// </summary>
public sealed class ReceivedMessage
{
    internal ReceivedMessage(byte[] encoded, bool isProtected, WireContext? context = null)
    {
        Bytes = encoded;
        Protected = isProtected;
        Parse(context);
    }

    /// <summary>msg_type.</summary>
    public HandshakeType Type => (HandshakeType)Bytes[0];

    /// <summary>The whole message: header and body.</summary>
    public byte[] Bytes { get; }

    /// <summary>The body, without the 4-byte header.</summary>
    public byte[] Body => Bytes.AsSpan(4).ToArray();

    /// <summary>True when it arrived in protected records.</summary>
    public bool Protected { get; }

    /// <summary>
    /// The parser's complaint, or null when it parsed: once a TLS 1.2 ServerHello was sent or received, in its TLS 1.2
    /// form for the negotiated key exchange; before, in its TLS 1.3 form, or its TLS 1.2 form for a type TLS 1.3 does not have.
    /// </summary>
    public string? ParseError { get; private set; }

    /// <summary>The message's extensions in wire order (hellos, EncryptedExtensions, CertificateRequest, NewSessionTicket); else empty.</summary>
    public IReadOnlyList<ReceivedExtension> Extensions { get; private set; } = [];

    /// <summary>True for a ServerHello carrying the HelloRetryRequest random.</summary>
    public bool IsHelloRetryRequest { get; private set; }

    /// <summary>The cipher suite of a ServerHello or HelloRetryRequest.</summary>
    public TlsCipherSuite? CipherSuite { get; private set; }

    /// <summary>The group of a ServerHello's key_share or a HelloRetryRequest's selected_group.</summary>
    public NamedGroup? KeyShareGroup { get; private set; }

    /// <summary>A Certificate's DER certificates, leaf first.</summary>
    public IReadOnlyList<byte[]> Certificates { get; private set; } = [];

    /// <summary>
    /// For a Finished during the handshake: whether its verify_data matched the kit's transcript. For a TLS 1.2
    /// ServerKeyExchange: whether its signature verifies with the key of the certificate received before it. Else null.
    /// </summary>
    public bool? Verified { get; internal set; }

    /// <summary>The extension of type <paramref name="type"/>, or null.</summary>
    /// <param name="type">The code point.</param>
    /// <returns>The extension or null.</returns>
    public ReceivedExtension? Extension(ExtensionType type) => Extensions.FirstOrDefault(e => e.Type == type);

    /// <summary>True when the message carries an extension of type <paramref name="type"/>.</summary>
    /// <param name="type">The code point.</param>
    /// <returns>Whether it is present.</returns>
    public bool HasExtension(ExtensionType type) => Extension(type) is not null;

    /// <inheritdoc/>
    public override string ToString() => $"{Type}{(IsHelloRetryRequest ? " (HelloRetryRequest)" : "")} [{Hex.Format(Bytes)}]";

    internal HandshakeMessage? Parsed { get; private set; }

    private void Parse(WireContext? context)
    {
        if (context is { } known)
        {
            try
            {
                Parsed = HandshakeMessage.Read(Bytes, known);
            }
            catch (TlsAlertException e)
            {
                ParseError = $"{e.Description}: {e.Message}";
                return;
            }
        }
        else
        {
            try
            {
                Parsed = HandshakeMessage.Read(Bytes, WireContext.Tls13);
            }
            catch (TlsAlertException e13) when (e13.Description == AlertDescription.UnexpectedMessage)
            {
                // A type that does not exist in TLS 1.3 (HelloRequest, ServerHelloDone...): the TLS 1.2 parser.
                try
                {
                    Parsed = HandshakeMessage.Read(Bytes, WireContext.Tls12());
                }
                catch (TlsAlertException e12)
                {
                    ParseError = $"{e12.Description}: {e12.Message}";
                    return;
                }
            }
            catch (TlsAlertException e13)
            {
                ParseError = $"{e13.Description}: {e13.Message}";
                return;
            }
        }

        ExtensionBlock? block = Parsed switch
        {
            ClientHello ch => ch.Extensions,
            ServerHello sh => sh.Extensions,
            EncryptedExtensions ee => ee.Extensions,
            CertificateRequest13 cr => cr.Extensions,
            NewSessionTicket13 nst => nst.Extensions,
            _ => null,
        };
        if (block is not null)
        {
            Extensions = block.Select(e => new ReceivedExtension(e.Type, e.EncodeBody())).ToArray();
        }

        switch (Parsed)
        {
            case ServerHello sh:
                IsHelloRetryRequest = sh.IsHelloRetryRequest;
                CipherSuite = sh.CipherSuite;
                KeyShareGroup = sh.Extensions.Get<KeyShareServerHello>()?.Share.Group ?? sh.Extensions.Get<KeyShareHelloRetryRequest>()?.SelectedGroup;
                break;
            case CertificateMessage cm:
                Certificates = cm.Entries.Select(e => e.Data).ToArray();
                break;
        }
    }
}

/// <summary>A ticket the system under test issued in a TLS 1.3 NewSessionTicket, with the PSK it stands for (RFC 8446 section 4.6.1).</summary>
public sealed class TlsTicket
{
    private readonly byte[] _psk;

    internal TlsTicket(byte[] ticket, byte[] nonce, uint lifetime, uint ageAdd, uint? maxEarlyData, TlsCipherSuite suite, byte[] psk, DateTimeOffset receivedAt)
    {
        Ticket = ticket;
        Nonce = nonce;
        Lifetime = lifetime;
        AgeAdd = ageAdd;
        MaxEarlyDataSize = maxEarlyData;
        CipherSuite = suite;
        _psk = psk;
        ReceivedAt = receivedAt;
    }

    /// <summary>The ticket (the PSK identity to offer).</summary>
    public byte[] Ticket { get; }

    /// <summary>ticket_nonce.</summary>
    public byte[] Nonce { get; }

    /// <summary>ticket_lifetime in seconds.</summary>
    public uint Lifetime { get; }

    /// <summary>ticket_age_add.</summary>
    public uint AgeAdd { get; }

    /// <summary>max_early_data_size from an early_data extension, or null.</summary>
    public uint? MaxEarlyDataSize { get; }

    /// <summary>The suite of the connection that issued it (its hash is the PSK's hash).</summary>
    public TlsCipherSuite CipherSuite { get; }

    /// <summary>When it arrived (by the script's clock).</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The PSK: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) (a copy).</summary>
    public byte[] Psk => (byte[])_psk.Clone();

    internal ReadOnlySpan<byte> PskSpan => _psk;

    /// <summary>obfuscated_ticket_age for an offer at <paramref name="now"/>: the age in milliseconds plus ticket_age_add, mod 2^32.</summary>
    /// <param name="now">The time of the offer.</param>
    /// <returns>The obfuscated age.</returns>
    public uint ObfuscatedAge(DateTimeOffset now) => unchecked((uint)Math.Max(0, (long)(now - ReceivedAt).TotalMilliseconds) + AgeAdd);

    /// <inheritdoc/>
    public override string ToString() => $"ticket {Hex.Format(Ticket, 16)} ({CipherSuite}, {Lifetime} s)";
}
