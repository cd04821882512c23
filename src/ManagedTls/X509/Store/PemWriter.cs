using System.Text;

namespace ManagedTls.X509.Store;

/// <summary>RFC 7468 PEM encoding, as OpenSSL and Python write it: base64 in 64-character lines between BEGIN and END lines, LF line ends.</summary>
internal static class PemWriter
{
    /// <summary>Encodes <paramref name="der"/> under <paramref name="label"/> (for example <c>CERTIFICATE</c>).</summary>
    public static string Encode(string label, byte[] der)
    {
        string b64 = Convert.ToBase64String(der);
        var sb = new StringBuilder(b64.Length + (b64.Length / 64) + (2 * label.Length) + 40);
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (int i = 0; i < b64.Length; i += 64)
        {
            sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
        }

        sb.Append("-----END ").Append(label).Append("-----\n");
        return sb.ToString();
    }
}
