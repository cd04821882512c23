using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace ManagedTls.X509.Validation;

/// <summary>
/// The extensions of one certificate that validation reads, decoded once.
/// </summary>
/// <remarks>
/// Extension  ::=  SEQUENCE  { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
/// </remarks>
internal sealed class CertExtensions
{
    public const int KuDigitalSignature = 0x80;
    public const int KuKeyCertSign = 0x04;
    public const int KuCrlSign = 0x02;

    public const string OidBasicConstraints = "2.5.29.19";
    public const string OidKeyUsage = "2.5.29.15";
    public const string OidExtKeyUsage = "2.5.29.37";
    public const string OidSubjectAltName = "2.5.29.17";
    public const string OidNameConstraints = "2.5.29.30";
    public const string OidSubjectKeyId = "2.5.29.14";
    public const string OidAuthorityKeyId = "2.5.29.35";
    public const string OidCertificatePolicies = "2.5.29.32";
    public const string OidPolicyMappings = "2.5.29.33";
    public const string OidPolicyConstraints = "2.5.29.36";
    public const string OidInhibitAnyPolicy = "2.5.29.54";
    public const string OidAuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";
    public const string OidServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string OidClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string OidAnyEku = "2.5.29.37.0";
    public const string OidAnyPolicy = "2.5.29.32.0";

    private static readonly HashSet<string> Understood =
    [
        OidBasicConstraints, OidKeyUsage, OidExtKeyUsage, OidSubjectAltName, OidNameConstraints, OidSubjectKeyId,
        OidAuthorityKeyId, OidCertificatePolicies, OidPolicyMappings, OidPolicyConstraints, OidInhibitAnyPolicy,
    ];

    public bool HasBasicConstraints { get; private set; }

    public bool BasicConstraintsCritical { get; private set; }

    public bool IsCa { get; private set; }

    /// <summary>pathLenConstraint, or -1 when absent.</summary>
    public int PathLen { get; private set; } = -1;

    /// <summary>keyUsage bits (first octet in bits 7..0, second in 15..8), or -1 when absent.</summary>
    public int KeyUsage { get; private set; } = -1;

    /// <summary>extendedKeyUsage purposes (dotted OIDs), or null when absent.</summary>
    public List<string>? ExtKeyUsage { get; private set; }

    public bool ExtKeyUsageCritical { get; private set; }

    /// <summary>subjectAltName entries, or null when absent.</summary>
    public GeneralName[]? SubjectAltNames { get; private set; }

    public bool SubjectAltNameCritical { get; private set; }

    public NameConstraintSet? NameConstraints { get; private set; }

    public byte[]? SubjectKeyId { get; private set; }

    public byte[]? AuthorityKeyId { get; private set; }

    public bool HasAuthorityKeyIdExtension { get; private set; }

    public List<string> UnhandledCritical { get; } = [];

    /// <summary>certificatePolicies policy identifiers (dotted OIDs, anyPolicy included), or null when absent.</summary>
    public List<string>? Policies { get; private set; }

    /// <summary>policyMappings (issuerDomainPolicy, subjectDomainPolicy) pairs, or null when absent.</summary>
    public List<(string IssuerDomain, string SubjectDomain)>? PolicyMappings { get; private set; }

    /// <summary>policyConstraints requireExplicitPolicy, or -1 when absent.</summary>
    public int RequireExplicitPolicy { get; private set; } = -1;

    /// <summary>policyConstraints inhibitPolicyMapping, or -1 when absent.</summary>
    public int InhibitPolicyMapping { get; private set; } = -1;

    /// <summary>inhibitAnyPolicy, or -1 when absent.</summary>
    public int InhibitAnyPolicy { get; private set; } = -1;

    public static CertExtensions Parse(Asn1Sequence? seq, Cert cert)
    {
        var ext = new CertExtensions();
        if (seq is null)
        {
            return ext;
        }

        if (seq.Count == 0)
        {
            cert.StrictProblems.Add(new(VerifyError.InvalidExtension, "empty extensions"));
        }

        var seen = new HashSet<string>();
        foreach (Asn1Encodable e in seq)
        {
            var es = Asn1Sequence.GetInstance(e);
            if (es.Count is < 2 or > 3)
            {
                throw new FormatException("bad Extension");
            }

            string oid = DerObjectIdentifier.GetInstance(es[0]).Id;
            bool critical = es.Count == 3 && DerBoolean.GetInstance(es[1]).IsTrue;
            if (es.Count == 3 && !critical)
            {
                cert.StrictProblems.Add(new(VerifyError.InvalidExtension, "critical FALSE encoded explicitly"));
            }

            byte[] value = Asn1OctetString.GetInstance(es[es.Count - 1]).GetOctets();
            if (!seen.Add(oid))
            {
                cert.Problems.Add(new(VerifyError.InvalidExtension, "duplicate extension " + oid));
                continue;
            }

            try
            {
                ext.ParseOne(oid, critical, value, cert);
            }
            catch (Exception x) when (x is IOException or ArithmeticException or ArgumentException or InvalidCastException or InvalidOperationException or FormatException or OverflowException or Asn1Exception)
            {
                cert.Problems.Add(new(VerifyError.InvalidExtension, "malformed extension " + oid + ": " + x.Message));
            }

            if (critical && !Understood.Contains(oid))
            {
                ext.UnhandledCritical.Add(oid);
            }
        }

        return ext;
    }

    /// <summary>SkipCerts ::= INTEGER (0..MAX), as an int (values too big for one mean "never").</summary>
    private static int SkipCerts(DerInteger i)
    {
        var v = i.Value;
        return v.SignValue < 0 ? throw new FormatException("negative SkipCerts") : v.BitLength > 30 ? int.MaxValue : v.IntValue;
    }

    private static Asn1Object Decode(byte[] value)
    {
        var o = Asn1Object.FromByteArray(value);
        if (!o.GetEncoded(Asn1Encodable.Der).AsSpan().SequenceEqual(value))
        {
            throw new FormatException("extension value is not DER");
        }

        return o;
    }

    private void ParseOne(string oid, bool critical, byte[] value, Cert cert)
    {
        switch (oid)
        {
            case OidBasicConstraints:
            {
                var s = Asn1Sequence.GetInstance(Decode(value));
                HasBasicConstraints = true;
                BasicConstraintsCritical = critical;
                int i = 0;
                if (s.Count > i && s[i] is DerBoolean b)
                {
                    IsCa = b.IsTrue;
                    i++;
                }

                if (s.Count > i)
                {
                    var v = DerInteger.GetInstance(s[i]).Value;
                    PathLen = v.SignValue < 0 ? throw new FormatException("negative pathLen") : v.BitLength > 30 ? int.MaxValue : v.IntValue;
                    i++;
                }

                if (s.Count != i)
                {
                    throw new FormatException("bad BasicConstraints");
                }

                break;
            }

            case OidKeyUsage:
            {
                var bits = DerBitString.GetInstance(Decode(value));
                byte[] b = bits.GetBytes();
                KeyUsage = (b.Length > 0 ? b[0] : 0) | (b.Length > 1 ? b[1] << 8 : 0);
                if (KeyUsage == 0)
                {
                    cert.StrictProblems.Add(new(VerifyError.InvalidExtension, "keyUsage with no bit set"));
                }

                break;
            }

            case OidExtKeyUsage:
            {
                var s = Asn1Sequence.GetInstance(Decode(value));
                ExtKeyUsage = [];
                ExtKeyUsageCritical = critical;
                foreach (Asn1Encodable p in s)
                {
                    ExtKeyUsage.Add(DerObjectIdentifier.GetInstance(p).Id);
                }

                if (ExtKeyUsage.Count == 0)
                {
                    cert.Problems.Add(new(VerifyError.InvalidExtension, "empty extendedKeyUsage"));
                }

                break;
            }

            case OidSubjectAltName:
            {
                var names = GeneralNames.GetInstance(Decode(value)).GetNames();
                SubjectAltNames = names;
                SubjectAltNameCritical = critical;
                if (names.Length == 0)
                {
                    cert.Problems.Add(new(VerifyError.EmptySubjectAltName, "empty subjectAltName"));
                }

                foreach (GeneralName n in names)
                {
                    string? bad = NameSyntax.CheckGeneralName(n, out bool strictOnly);
                    if (bad is not null)
                    {
                        (strictOnly ? cert.StrictProblems : cert.Problems).Add(new(VerifyError.UnsupportedNameSyntax, bad));
                    }
                }

                break;
            }

            case OidNameConstraints:
                NameConstraints = NameConstraintSet.Parse(Asn1Sequence.GetInstance(Decode(value)), critical, cert);
                break;

            case OidSubjectKeyId:
                SubjectKeyId = Asn1OctetString.GetInstance(Decode(value)).GetOctets();
                if (critical)
                {
                    cert.StrictProblems.Add(new(VerifyError.SubjectKeyIdentifierCritical, "subjectKeyIdentifier is critical"));
                }

                break;

            case OidAuthorityKeyId:
            {
                HasAuthorityKeyIdExtension = true;
                var s = Asn1Sequence.GetInstance(Decode(value));
                bool hasIssuer = false;
                bool hasSerial = false;
                foreach (Asn1Encodable f in s)
                {
                    var t = Asn1TaggedObject.GetInstance(f);
                    switch (t.TagNo)
                    {
                        case 0: AuthorityKeyId = Asn1OctetString.GetInstance(t, false).GetOctets(); break;
                        case 1: hasIssuer = true; break;
                        case 2: hasSerial = true; break;
                        default: throw new FormatException("bad AuthorityKeyIdentifier");
                    }
                }

                if (critical)
                {
                    cert.StrictProblems.Add(new(VerifyError.AuthorityKeyIdentifierCritical, "authorityKeyIdentifier is critical"));
                }

                if (AuthorityKeyId is null)
                {
                    cert.StrictProblems.Add(new(VerifyError.MissingAuthorityKeyIdentifier, "authorityKeyIdentifier without keyIdentifier"));
                }

                if (hasIssuer || hasSerial)
                {
                    cert.StrictProblems.Add(new(VerifyError.InvalidExtension, "authorityKeyIdentifier carries authorityCertIssuer or serial"));
                }

                if (hasIssuer != hasSerial)
                {
                    cert.Problems.Add(new(VerifyError.InvalidExtension, "authorityCertIssuer and authorityCertSerialNumber must come together"));
                }

                break;
            }

            case OidPolicyConstraints:
            {
                // PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL, inhibitPolicyMapping [1] SkipCerts OPTIONAL }
                var s = Asn1Sequence.GetInstance(Decode(value));
                if (!critical)
                {
                    cert.StrictProblems.Add(new(VerifyError.InvalidPolicyExtension, "policyConstraints is not critical"));
                }

                if (s.Count == 0)
                {
                    cert.StrictProblems.Add(new(VerifyError.InvalidPolicyExtension, "empty policyConstraints"));
                }

                int last = -1;
                foreach (Asn1Encodable f in s)
                {
                    var t = Asn1TaggedObject.GetInstance(f);
                    if (t.TagClass != Asn1Tags.ContextSpecific || t.TagNo > 1 || t.TagNo <= last)
                    {
                        throw new FormatException("bad PolicyConstraints");
                    }

                    last = t.TagNo;
                    int skip = SkipCerts(DerInteger.GetInstance(t, false));
                    if (t.TagNo == 0)
                    {
                        RequireExplicitPolicy = skip;
                    }
                    else
                    {
                        InhibitPolicyMapping = skip;
                    }
                }

                break;
            }

            case OidCertificatePolicies:
            {
                // certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
                // PolicyInformation ::= SEQUENCE { policyIdentifier CertPolicyId, policyQualifiers SEQUENCE OF PolicyQualifierInfo OPTIONAL }
                var s = Asn1Sequence.GetInstance(Decode(value));
                if (s.Count == 0)
                {
                    throw new FormatException("empty certificatePolicies");
                }

                Policies = [];
                var distinct = new HashSet<string>(StringComparer.Ordinal);
                foreach (Asn1Encodable e in s)
                {
                    var info = Asn1Sequence.GetInstance(e);
                    if (info.Count is < 1 or > 2)
                    {
                        throw new FormatException("bad PolicyInformation");
                    }

                    string id = DerObjectIdentifier.GetInstance(info[0]).Id;
                    if (!distinct.Add(id))
                    {
                        cert.StrictProblems.Add(new(VerifyError.InvalidPolicyExtension, "policy " + id + " listed twice"));
                        continue;
                    }

                    Policies.Add(id);
                }

                break;
            }

            case OidPolicyMappings:
            {
                // PolicyMappings ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { issuerDomainPolicy CertPolicyId, subjectDomainPolicy CertPolicyId }
                var s = Asn1Sequence.GetInstance(Decode(value));
                if (s.Count == 0)
                {
                    throw new FormatException("empty policyMappings");
                }

                PolicyMappings = [];
                foreach (Asn1Encodable e in s)
                {
                    var pair = Asn1Sequence.GetInstance(e);
                    if (pair.Count != 2)
                    {
                        throw new FormatException("bad policy mapping");
                    }

                    PolicyMappings.Add((DerObjectIdentifier.GetInstance(pair[0]).Id, DerObjectIdentifier.GetInstance(pair[1]).Id));
                }

                break;
            }

            case OidInhibitAnyPolicy:
                // InhibitAnyPolicy ::= SkipCerts
                InhibitAnyPolicy = SkipCerts(DerInteger.GetInstance(Decode(value)));
                break;

            case OidAuthorityInfoAccess:
            {
                var s = Asn1Sequence.GetInstance(Decode(value));
                if (s.Count == 0)
                {
                    cert.StrictProblems.Add(new(VerifyError.InvalidExtension, "empty authorityInfoAccess"));
                }

                foreach (Asn1Encodable a in s)
                {
                    AccessDescription.GetInstance(a);
                }

                if (critical)
                {
                    cert.StrictProblems.Add(new(VerifyError.InvalidExtension, "authorityInfoAccess is critical"));
                }

                break;
            }
        }
    }
}
