using ManagedTls.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509;

/// <summary>Distinguished names printed as OpenSSL's one-line form (<c>XN_FLAG_ONELINE</c>), as <c>openssl verify</c> and <c>s_client -brief</c> show them.</summary>
internal static class OpenSslNameFormat
{
    /// <summary>The subject as <c>openssl verify</c> prints it ("C = US, O = Org, CN = name").</summary>
    public static string OneLineSubject(byte[] der)
    {
        try
        {
            var cert = X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der));
            var parts = new List<string>();
            foreach (Asn1Encodable rdn in Asn1Sequence.GetInstance(cert.Subject.ToAsn1Object()))
            {
                var avas = new List<string>();
                foreach (Asn1Encodable ava in Asn1Set.GetInstance(rdn))
                {
                    var seq = Asn1Sequence.GetInstance(ava);
                    string oid = DerObjectIdentifier.GetInstance(seq[0]).Id;
                    string value = seq[1] is IAsn1String s ? s.GetString() : "#" + CryptoUtil.ToHex(seq[1].GetEncoded()).ToUpperInvariant();
                    avas.Add($"{ShortName(oid)} = {value}");
                }

                parts.Add(string.Join(" + ", avas));
            }

            return string.Join(", ", parts);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException or FormatException)
        {
            return "(unreadable subject)";
        }
    }

    private static string ShortName(string oid) => oid switch
    {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "serialNumber",
        "2.5.4.9" => "street",
        "2.5.4.17" => "postalCode",
        "2.5.4.12" => "title",
        "2.5.4.42" => "GN",
        "2.5.4.4" => "SN",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "emailAddress",
        _ => oid,
    };
}
