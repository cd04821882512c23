namespace ManagedTls.Http;

/// <summary>
/// Follows the HTTP/2 frames a client writes and finds, in each HEADERS frame, the one byte <c>:scheme: http</c> that
/// <c>SocketsHttpHandler</c> writes for its plain-text pool, so that it can be sent as <c>:scheme: https</c>.
/// </summary>
/// <remarks>
/// <para>RFC 9113 section 4.1, the frame header:</para>
/// <code>
/// HTTP Frame {
///   Length (24),
///   Type (8),
///   Flags (8),
///   Reserved (1),
///   Stream Identifier (31),
///   Frame Payload (..),
/// }
/// </code>
/// <para>Section 6.2, HEADERS: <c>[Pad Length (8)] [Exclusive (1), Stream Dependency (31), Weight (8)] Field Block
/// Fragment (..) Padding (..)</c>, the optional fields present with the PADDED (0x8) and PRIORITY (0x20) flags.</para>
/// <para>The field block must start, as <c>SocketsHttpHandler</c> writes it, with <c>:method</c> (indexed 0x82 GET or
/// 0x83 POST, or a literal with name index 2: 0x02, 0x12 or 0x42, then a short string) and then the indexed field
/// 0x86 (RFC 7541 appendix A, static index 6, <c>:scheme: http</c>), which becomes 0x87 (index 7, <c>:scheme: https</c>).
/// Both are one byte of the static table: no length and no HPACK state changes. Any other encoding is left alone.</para>
/// </remarks>
internal sealed class Http2SchemeRewriter
{
    /// <summary>The indexed field <c>:scheme: http</c> (static index 6).</summary>
    internal const byte SchemeHttp = 0x86;

    /// <summary>The indexed field <c>:scheme: https</c> (static index 7).</summary>
    internal const byte SchemeHttps = 0x87;

    private const int FrameHeaderLength = 9;
    private const byte TypeHeaders = 0x1;
    private const byte FlagPadded = 0x8;
    private const byte FlagPriority = 0x20;

    private readonly byte[] _header = new byte[FrameHeaderLength];
    private int _prefaceLeft = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    private int _headerFill;
    private int _payloadLeft;
    private Scan _scan;
    private int _skip;

    private enum Scan
    {
        None,
        Prefix,
        Method,
        MethodLength,
        MethodValue,
        Scheme,
    }

    /// <summary>Reads the next bytes written and adds to <paramref name="patches"/> the offsets (in <paramref name="data"/>) of the bytes to rewrite.</summary>
    /// <param name="data">The bytes written, in order, after those of earlier calls.</param>
    /// <param name="patches">Receives the offsets; the caller writes <see cref="SchemeHttps"/> there.</param>
    public void Advance(ReadOnlySpan<byte> data, List<int> patches)
    {
        int i = 0;
        if (_prefaceLeft > 0)
        {
            int take = Math.Min(_prefaceLeft, data.Length);
            _prefaceLeft -= take;
            i = take;
        }

        while (i < data.Length)
        {
            if (_payloadLeft == 0)
            {
                _header[_headerFill++] = data[i++];
                if (_headerFill == FrameHeaderLength)
                {
                    _headerFill = 0;
                    _payloadLeft = (_header[0] << 16) | (_header[1] << 8) | _header[2];
                    _scan = Scan.None;
                    if (_header[3] == TypeHeaders && _payloadLeft > 0)
                    {
                        byte flags = _header[4];
                        _skip = ((flags & FlagPadded) != 0 ? 1 : 0) + ((flags & FlagPriority) != 0 ? 5 : 0);
                        _scan = _skip > 0 ? Scan.Prefix : Scan.Method;
                    }
                }

                continue;
            }

            if (_scan == Scan.None)
            {
                int take = Math.Min(_payloadLeft, data.Length - i);
                _payloadLeft -= take;
                i += take;
                continue;
            }

            Step(data[i], i, patches);
            _payloadLeft--;
            i++;
            if (_payloadLeft == 0)
            {
                _scan = Scan.None;
            }
        }
    }

    private void Step(byte b, int offset, List<int> patches)
    {
        switch (_scan)
        {
            case Scan.Prefix:
                if (--_skip == 0)
                {
                    _scan = Scan.Method;
                }

                break;
            case Scan.Method:
                // Indexed :method GET or POST; or a literal (without indexing, never indexed, incremental) naming index 2.
                _scan = b is 0x82 or 0x83 ? Scan.Scheme : b is 0x02 or 0x12 or 0x42 ? Scan.MethodLength : Scan.None;
                break;
            case Scan.MethodLength:
                // A string literal: H bit and a 7-bit length; a method name needing more is not what we look for.
                _skip = b & 0x7F;
                _scan = _skip is 0 or 0x7F ? Scan.None : Scan.MethodValue;
                break;
            case Scan.MethodValue:
                if (--_skip == 0)
                {
                    _scan = Scan.Scheme;
                }

                break;
            case Scan.Scheme:
                if (b == SchemeHttp)
                {
                    patches.Add(offset);
                }

                _scan = Scan.None;
                break;
        }
    }
}
