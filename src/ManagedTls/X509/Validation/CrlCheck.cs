using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;

namespace ManagedTls.X509.Validation;

/// <summary>
/// Revocation checking against CRLs (RFC 5280 6.3, complete CRLs issued by the certificate's issuer).
/// </summary>
/// <remarks>
/// CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
/// TBSCertList ::= SEQUENCE { version Version OPTIONAL, signature AlgorithmIdentifier, issuer Name, thisUpdate Time,
///      nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE { userCertificate CertificateSerialNumber,
///      revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL, crlExtensions [0] EXPLICIT Extensions OPTIONAL }
/// </remarks>
internal static class CrlCheck
{
    private const string OidCrlNumber = "2.5.29.20";
    private const string OidDeltaCrlIndicator = "2.5.29.27";
    private const string OidIssuingDistributionPoint = "2.5.29.28";

    private sealed class Crl
    {
        public required byte[] TbsDer { get; init; }

        public required AlgorithmIdentifier SigAlg { get; init; }

        public required byte[] Signature { get; init; }

        public required string IssuerKey { get; init; }

        public required DateTime ThisUpdate { get; init; }

        public DateTime? NextUpdate { get; init; }

        public required HashSet<BigInteger> Revoked { get; init; }

        public string? Problem { get; set; }

        public string? StrictProblem { get; set; }

        public bool UnhandledCritical { get; set; }
    }

    public static PathFailure? Check(VerifyRequest req, DateTime time, PathSearch search, Cert[] p)
    {
        VerifyFlags f = req.Flags;
        if ((f & VerifyFlags.VerifyCrlCheckLeaf) == 0)
        {
            return null;
        }

        bool strict = (f & VerifyFlags.VerifyX509Strict) != 0;
        int last = (f & VerifyFlags.VerifyCrlCheckChain) == VerifyFlags.VerifyCrlCheckChain ? p.Length - 1 : 0;
        List<Crl> crls = req.Crls.Select(Parse).Where(c => c is not null).Select(c => c!).ToList();
        for (int i = 0; i <= last; i++)
        {
            Cert cert = p[i];
            Cert issuer = i + 1 < p.Length ? p[i + 1] : p[i];
            if (CheckOne(cert, issuer, crls, time, strict, req.SecurityLevel, out string? why) is { } code)
            {
                return new PathFailure(0, code, i, why, p);
            }
        }

        return null;
    }

    private static VerifyError? CheckOne(Cert cert, Cert issuer, List<Crl> crls, DateTime time, bool strict, int level, out string? why)
    {
        why = null;
        VerifyError? firstError = null;
        foreach (Crl crl in crls)
        {
            if (crl.IssuerKey != cert.IssuerKey)
            {
                continue;
            }

            VerifyError? e = null;
            if (crl.Problem is not null || (strict && crl.StrictProblem is not null))
            {
                e = VerifyError.CrlPathValidationError;
                why = crl.Problem ?? crl.StrictProblem;
            }
            else if (crl.UnhandledCritical)
            {
                e = VerifyError.UnhandledCriticalCrlExtension;
            }
            else if (issuer.Ext.KeyUsage >= 0 && (issuer.Ext.KeyUsage & CertExtensions.KuCrlSign) == 0)
            {
                e = VerifyError.KeyusageNoCrlSign;
            }
            else if (SignatureCheck.Verify(crl.SigAlg, crl.TbsDer, crl.Signature, issuer, level, out _) is { } bad)
            {
                e = VerifyError.CrlSignatureFailure;
                why = bad;
            }
            else if (crl.ThisUpdate > time)
            {
                e = VerifyError.CrlNotYetValid;
            }
            else if (crl.NextUpdate is { } nu && nu < time)
            {
                e = VerifyError.CrlHasExpired;
            }

            if (e is not null)
            {
                firstError ??= e;
                continue;
            }

            return crl.Revoked.Contains(cert.Serial) ? VerifyError.CertRevoked : null;
        }

        return firstError ?? VerifyError.UnableToGetCrl;
    }

    private static Crl? Parse(byte[] der)
    {
        try
        {
            var outer = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
            var tbs = Asn1Sequence.GetInstance(outer[0]);
            var sigAlg = AlgorithmIdentifier.GetInstance(outer[1]);
            byte[] sig = DerBitString.GetInstance(outer[2]).GetOctets();
            int i = 0;
            if (tbs[i] is DerInteger)
            {
                i++;
            }

            var innerAlg = AlgorithmIdentifier.GetInstance(tbs[i++]);
            var issuer = X509Name.GetInstance(tbs[i++]);
            DateTime thisUpdate = Time.GetInstance(tbs[i++]).ToDateTime().ToUniversalTime();
            DateTime? nextUpdate = null;
            if (i < tbs.Count && (tbs[i] is Asn1UtcTime || tbs[i] is Asn1GeneralizedTime))
            {
                nextUpdate = Time.GetInstance(tbs[i++]).ToDateTime().ToUniversalTime();
            }

            var revoked = new HashSet<BigInteger>();
            bool unhandled = false;
            if (i < tbs.Count && tbs[i] is Asn1Sequence entries)
            {
                i++;
                foreach (Asn1Encodable e in entries)
                {
                    var entry = Asn1Sequence.GetInstance(e);
                    revoked.Add(DerInteger.GetInstance(entry[0]).Value);
                    if (entry.Count > 2)
                    {
                        unhandled |= Extensions(Asn1Sequence.GetInstance(entry[2])).Any(x => x.Critical);
                    }
                }
            }

            string? problem = innerAlg.Equals(sigAlg) ? null : "CRL signature algorithms differ";
            string? strictProblem = nextUpdate is null ? "CRL without nextUpdate" : null;
            bool hasNumber = false;
            if (i < tbs.Count)
            {
                var t = Asn1TaggedObject.GetInstance(tbs[i]);
                foreach (var (oid, critical) in Extensions(Asn1Sequence.GetInstance(t, true)))
                {
                    switch (oid)
                    {
                        case OidCrlNumber:
                            hasNumber = true;
                            problem ??= critical ? "critical cRLNumber" : null;
                            break;
                        case OidDeltaCrlIndicator:
                        case OidIssuingDistributionPoint:
                            unhandled |= true;
                            break;
                        case CertExtensions.OidAuthorityKeyId:
                            break;
                        default:
                            unhandled |= critical;
                            break;
                    }
                }
            }

            strictProblem ??= hasNumber ? null : "CRL without cRLNumber";
            return new Crl
            {
                TbsDer = tbs.GetEncoded(Asn1Encodable.Der),
                SigAlg = sigAlg,
                Signature = sig,
                IssuerKey = NameKey.Of(issuer),
                ThisUpdate = thisUpdate,
                NextUpdate = nextUpdate,
                Revoked = revoked,
                Problem = problem,
                StrictProblem = strictProblem,
                UnhandledCritical = unhandled,
            };
        }
        catch (Exception e) when (e is IOException or ArithmeticException or ArgumentException or InvalidCastException or InvalidOperationException or FormatException or Asn1Exception)
        {
            return null;
        }
    }

    private static IEnumerable<(string Oid, bool Critical)> Extensions(Asn1Sequence seq)
    {
        foreach (Asn1Encodable e in seq)
        {
            var es = Asn1Sequence.GetInstance(e);
            yield return (DerObjectIdentifier.GetInstance(es[0]).Id, es.Count == 3 && DerBoolean.GetInstance(es[1]).IsTrue);
        }
    }
}
