using System.Numerics;
using System.Text;

namespace ManagedTls.X509.Store;

/// <summary>
/// One DER element (tag, definite length, content) inside a byte array, read without interpreting or
/// re-encoding the content, so names, strings and times reach OpenSSL-compatible rendering exactly as encoded.
/// Any structural fault (truncation, indefinite length, trailing bytes) throws <see cref="TlsAlertException"/>
/// with bad_certificate.
/// </summary>
internal readonly struct DerNode
{
    private readonly byte[] _buffer;
    private readonly int _start;
    private readonly int _headerLength;

    private DerNode(byte[] buffer, int start, int headerLength, int length, int tagNumber)
    {
        _buffer = buffer;
        _start = start;
        _headerLength = headerLength;
        Length = length;
        TagNumber = tagNumber;
    }

    /// <summary>The first identifier octet (class, constructed bit, low tag number or 0x1f).</summary>
    public int Identifier => _buffer[_start];

    /// <summary>The tag number (also for multi-byte tags).</summary>
    public int TagNumber { get; }

    /// <summary>True for UNIVERSAL class.</summary>
    public bool IsUniversal => (Identifier & 0xC0) == 0;

    /// <summary>True for context-specific class ([n]).</summary>
    public bool IsContext => (Identifier & 0xC0) == 0x80;

    /// <summary>True when the constructed bit is set.</summary>
    public bool IsConstructed => (Identifier & 0x20) != 0;

    /// <summary>Content length.</summary>
    public int Length { get; }

    /// <summary>The content octets.</summary>
    public ReadOnlySpan<byte> Content => _buffer.AsSpan(_start + _headerLength, Length);

    /// <summary>A copy of the content octets.</summary>
    public byte[] ContentBytes() => Content.ToArray();

    /// <summary>A copy of the whole element (identifier, length, content) as encoded.</summary>
    public byte[] Encoded() => _buffer.AsSpan(_start, _headerLength + Length).ToArray();

    /// <summary>Is this the universal type with number <paramref name="tag"/>?</summary>
    public bool Is(int tag) => IsUniversal && TagNumber == tag;

    /// <summary>Parses a buffer that must hold exactly one element.</summary>
    public static DerNode Parse(byte[] data)
    {
        if (data is null || data.Length == 0)
        {
            throw Bad("empty DER");
        }

        var node = ReadAt(data, 0, data.Length);
        if (node._headerLength + node.Length != data.Length)
        {
            throw Bad("trailing bytes after DER element");
        }

        return node;
    }

    /// <summary>The elements inside a constructed element, in order; the content must be consumed exactly.</summary>
    public List<DerNode> Children()
    {
        if (!IsConstructed)
        {
            throw Bad("primitive element where a constructed one was expected");
        }

        var list = new List<DerNode>();
        int p = _start + _headerLength;
        int end = p + Length;
        while (p < end)
        {
            var child = ReadAt(_buffer, p, end);
            list.Add(child);
            p += child._headerLength + child.Length;
        }

        return list;
    }

    /// <summary>Children of a SEQUENCE (or a constructed context tag used as one).</summary>
    public List<DerNode> Sequence(int tag = 16)
    {
        if (!Is(tag))
        {
            throw Bad("expected universal tag " + tag);
        }

        return Children();
    }

    /// <summary>The single element inside an EXPLICIT tag.</summary>
    public DerNode Explicit()
    {
        var c = Children();
        if (c.Count != 1)
        {
            throw Bad("explicit tag must wrap exactly one element");
        }

        return c[0];
    }

    /// <summary>The dotted form of an OBJECT IDENTIFIER element.</summary>
    public string Oid()
    {
        if (!Is(6))
        {
            throw Bad("expected OBJECT IDENTIFIER");
        }

        return OidContent();
    }

    /// <summary>The dotted form of this element's content read as an OBJECT IDENTIFIER (for IMPLICIT tags).</summary>
    public string OidContent()
    {
        if (Length == 0 || IsConstructed)
        {
            throw Bad("bad OBJECT IDENTIFIER");
        }

        var sb = new StringBuilder();
        var content = Content;
        BigInteger value = BigInteger.Zero;
        bool first = true;
        for (int i = 0; i < content.Length; i++)
        {
            value = (value << 7) | (content[i] & 0x7f);
            if ((content[i] & 0x80) != 0)
            {
                if (i == content.Length - 1)
                {
                    throw Bad("truncated OBJECT IDENTIFIER");
                }

                continue;
            }

            if (first)
            {
                int arc = value < 40 ? 0 : value < 80 ? 1 : 2;
                sb.Append(arc).Append('.').Append((value - (40 * arc)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                first = false;
            }
            else
            {
                sb.Append('.').Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            value = BigInteger.Zero;
        }

        return sb.ToString();
    }

    /// <summary>The value of a BOOLEAN element.</summary>
    public bool Boolean()
    {
        if (!Is(1) || Length != 1)
        {
            throw Bad("expected BOOLEAN");
        }

        return Content[0] != 0;
    }

    /// <summary>The bytes of a BIT STRING (unused-bits octet removed).</summary>
    public byte[] BitStringBytes()
    {
        if (!Is(3) || Length == 0)
        {
            throw Bad("expected BIT STRING");
        }

        return Content.Slice(1).ToArray();
    }

    /// <summary>Makes the bad_certificate exception used for every structural fault.</summary>
    public static TlsAlertException Bad(string message) => new(AlertDescription.BadCertificate, "malformed DER: " + message);

    private static DerNode ReadAt(byte[] data, int start, int end)
    {
        int p = start;
        if (p >= end)
        {
            throw Bad("missing element");
        }

        int tagNumber = data[p] & 0x1f;
        p++;
        if (tagNumber == 0x1f)
        {
            tagNumber = 0;
            int count = 0;
            while (true)
            {
                if (p >= end || ++count > 4)
                {
                    throw Bad("bad tag");
                }

                byte b = data[p++];
                tagNumber = (tagNumber << 7) | (b & 0x7f);
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }
        }

        if (p >= end)
        {
            throw Bad("missing length");
        }

        int first = data[p++];
        long length;
        if (first < 0x80)
        {
            length = first;
        }
        else
        {
            int n = first & 0x7f;
            if (n == 0 || n > 4 || p + n > end)
            {
                throw Bad("bad length");
            }

            length = 0;
            for (int i = 0; i < n; i++)
            {
                length = (length << 8) | data[p++];
            }
        }

        if (length > end - p)
        {
            throw Bad("element runs past its container");
        }

        return new DerNode(data, start, p - start, (int)length, tagNumber);
    }
}
