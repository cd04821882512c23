namespace ManagedTls.X509.Validation;

/// <summary>
/// Validates one complete candidate path (leaf first, trust anchor last) in OpenSSL's order: certificate
/// extensions and CA rules, key and digest strength, the peer name, revocation, signatures and validity,
/// name constraints, then certificate policies.
/// </summary>
internal sealed class ChainValidator
{
    private const int KuKeyEncipherment = 0x20;
    private const int KuKeyAgreement = 0x08;

    private readonly VerifyRequest _req;
    private readonly DateTime _time;
    private readonly PathSearch _search;
    private readonly bool _strict;
    private readonly List<PathFailure> _forgiven = [];

    public ChainValidator(VerifyRequest req, DateTime time, PathSearch search)
    {
        _req = req;
        _time = time;
        _search = search;
        _strict = (req.Flags & VerifyFlags.VerifyX509Strict) != 0;
    }

    public PathFailure? Validate(List<Cert> path)
    {
        Cert[] p = path.ToArray();
        _forgiven.Clear();
        PathFailure? r = CheckExtensions(p) ?? CheckStrength(p) ?? CheckName(p) ?? CrlCheck.Check(_req, _time, _search, p)
            ?? CheckSignaturesAndTimes(p) ?? CheckNameConstraints(p) ?? CheckPolicies(p);
        if (_forgiven.Count == 0)
        {
            return r;
        }

        var all = new List<PathFailure>(_forgiven);
        if (r is not null)
        {
            all.Add(r);
        }

        return all[0] with { All = all };
    }

    /// <summary>
    /// Null when the failure is one the caller asked to continue past (it is remembered and reported with the
    /// rest, as <c>openssl verify</c> lists them); else the failure itself, which ends validation of the path.
    /// </summary>
    private PathFailure? Stop(PathFailure f)
    {
        if (_req.ContinueAfter.Contains(f.Code))
        {
            _forgiven.Add(f);
            return null;
        }

        return f;
    }

    private static PathFailure Fail(VerifyError code, int depth, string? why, Cert[] p) => new(0, code, depth, why, p);

    private PathFailure? CheckExtensions(Cert[] p)
    {
        int n = p.Length;
        string purpose = _req.Purpose == VerifyPurpose.ClientAuth ? CertExtensions.OidClientAuth : CertExtensions.OidServerAuth;
        for (int i = 0; i < n; i++)
        {
            Cert c = p[i];
            CertExtensions x = c.Ext;
            bool actsAsCa = i > 0;
            if (c.Problems.Count > 0)
            {
                return Fail(c.Problems[0].Code, i, c.Problems[0].Reason, p);
            }

            if (_strict && c.StrictProblems.Count > 0)
            {
                return Fail(c.StrictProblems[0].Code, i, c.StrictProblems[0].Reason, p);
            }

            if (x.UnhandledCritical.Count > 0)
            {
                if (Stop(Fail(VerifyError.UnhandledCriticalExtension, i, "unhandled critical extension " + x.UnhandledCritical[0], p)) is { } stop)
{
return stop;
}
            }

            if (_strict && StrictRules(c, i, n) is { } sf)
            {
                return Fail(sf.Code, i, sf.Reason, p);
            }

            if (actsAsCa)
            {
                bool legacyRoot = !_strict && c.Version == 1 && i == n - 1 && PathSearch.IsSelfSigned(c);
                if (!legacyRoot && (!x.HasBasicConstraints || !x.IsCa))
                {
                    if (Stop(Fail(VerifyError.InvalidCa, i, "issuer is not a CA", p)) is { } stop)
{
return stop;
}
                }

                if (x.KeyUsage >= 0 && (x.KeyUsage & CertExtensions.KuKeyCertSign) == 0)
                {
                    return Fail(VerifyError.KeyusageNoCertsign, i, null, p);
                }

                if (x.PathLen >= 0)
                {
                    int below = 0;
                    for (int j = 1; j < i; j++)
                    {
                        if (!p[j].SelfIssued)
                        {
                            below++;
                        }
                    }

                    if (below > x.PathLen)
                    {
                        if (Stop(Fail(VerifyError.PathLengthExceeded, i, null, p)) is { } stop)
{
return stop;
}
                    }
                }
            }

            if (x.ExtKeyUsage is { } eku)
            {
                bool ok = eku.Contains(purpose) || (eku.Contains(CertExtensions.OidAnyEku) && !(_strict && i == 0));
                if (!ok)
                {
                    return Fail(VerifyError.InvalidPurpose, i, "extendedKeyUsage does not allow " + _req.Purpose, p);
                }
            }

            if (i == 0 && x.KeyUsage >= 0)
            {
                if (!x.IsCa && (x.KeyUsage & (CertExtensions.KuDigitalSignature | KuKeyEncipherment | KuKeyAgreement)) == 0)
                {
                    return Fail(VerifyError.InvalidPurpose, 0, "keyUsage does not allow TLS", p);
                }

                // What the protocol will do with the key (a TLS 1.3 CertificateVerify signs with it), for any leaf,
                // a CA certificate used as one included.
                if ((x.KeyUsage & _req.RequiredLeafKeyUsage) != _req.RequiredLeafKeyUsage)
                {
                    return Fail(VerifyError.InvalidPurpose, 0, $"keyUsage lacks the usages the protocol needs (0x{_req.RequiredLeafKeyUsage:x2})", p);
                }
            }
        }

        int intermediates = 0;
        for (int i = 1; i < n - 1; i++)
        {
            if (!p[i].SelfIssued)
            {
                intermediates++;
            }
        }

        return intermediates > _req.MaxDepth ? Fail(VerifyError.CertChainTooLong, n - 1, null, p) : null;
    }

    /// <summary>RFC 5280 and CA/Browser Forum profile rules checked under <see cref="VerifyFlags.VerifyX509Strict"/>.</summary>
    private CertProblem? StrictRules(Cert c, int i, int n)
    {
        CertExtensions x = c.Ext;
        bool actsAsCa = i > 0;
        bool selfSigned = PathSearch.IsSelfSigned(c);
        if (c.SubjectEmpty && actsAsCa)
        {
            return new(VerifyError.SubjectNameEmpty, "CA with an empty subject");
        }

        if (c.SubjectEmpty && !(x.SubjectAltNames is not null && x.SubjectAltNameCritical))
        {
            return new(VerifyError.EmptySubjectSanNotCritical, "empty subject and subjectAltName not critical");
        }

        bool anchor = i == n - 1 && _search.IsTrusted(c);
        if (!selfSigned && !anchor && x.AuthorityKeyId is null)
        {
            return new(VerifyError.MissingAuthorityKeyIdentifier, null);
        }

        if (!anchor && c.Serial.SignValue <= 0)
        {
            return new(VerifyError.InvalidExtension, "serial number is not positive");
        }

        if (c.SelfIssued && x.AuthorityKeyId is not null && x.SubjectKeyId is not null && !x.AuthorityKeyId.AsSpan().SequenceEqual(x.SubjectKeyId)
            && SignatureCheck.Verify(c.SignatureAlgorithm, c.TbsDer, c.Signature, c, 0, out _) is null)
        {
            return new(VerifyError.AkidSkidMismatch, "self-signed certificate whose authority key identifier is not its own");
        }

        if (anchor && selfSigned && x.ExtKeyUsage is not null)
        {
            return new(VerifyError.InvalidPurpose, "root certificate with extendedKeyUsage");
        }

        if (x.IsCa)
        {
            if (!x.BasicConstraintsCritical)
            {
                return new(VerifyError.CaBconsNotCritical, null);
            }

            if (x.KeyUsage >= 0 && (x.KeyUsage & CertExtensions.KuKeyCertSign) == 0)
            {
                return new(VerifyError.KeyusageNoCertsign, "CA whose keyUsage lacks keyCertSign");
            }

            if (x.SubjectKeyId is null)
            {
                return new(VerifyError.MissingSubjectKeyIdentifier, null);
            }
        }
        else
        {
            if (x.PathLen >= 0)
            {
                return new(VerifyError.PathlenInvalidForNonCa, null);
            }

            if (x.KeyUsage >= 0 && (x.KeyUsage & CertExtensions.KuKeyCertSign) != 0)
            {
                return new(VerifyError.KuKeyCertSignInvalidForNonCa, null);
            }

            if (x.NameConstraints is not null)
            {
                return new(VerifyError.InvalidExtension, "nameConstraints in a certificate that is not a CA");
            }
        }

        if (actsAsCa && x.SubjectKeyId is null)
        {
            return new(VerifyError.MissingSubjectKeyIdentifier, null);
        }

        if (i == 0 && !(n == 1))
        {
            if (x.SubjectAltNames is not null && x.SubjectAltNameCritical && !c.SubjectEmpty)
            {
                return new(VerifyError.InvalidExtension, "subjectAltName critical although the subject is not empty");
            }

            if (x.ExtKeyUsage is { } leafEku && leafEku.Contains(CertExtensions.OidAnyEku))
            {
                return new(VerifyError.InvalidPurpose, "subscriber certificate with anyExtendedKeyUsage");
            }

            if (x.ExtKeyUsageCritical)
            {
                return new(VerifyError.InvalidExtension, "extendedKeyUsage of a subscriber certificate is critical");
            }

            if (x.SubjectAltNames is { } sans && CommonNameOutsideSan(c, sans) is { } cn)
            {
                return new(VerifyError.InvalidExtension, "subject commonName " + cn + " is not one of the subjectAltName values");
            }
        }

        return null;
    }

    /// <summary>
    /// A subject CN that breaks CA/Browser Forum BR 7.1.4.3 in a way that can be decided without the issuer's
    /// intent: an IP address not written as the canonical text of an iPAddress entry, a domain name that differs
    /// from a dNSName entry only in letter case, or a domain name in Unicode (U-label) form.
    /// </summary>
    private static string? CommonNameOutsideSan(Cert c, Org.BouncyCastle.Asn1.X509.GeneralName[] sans)
    {
        var dns = new List<string>();
        var ips = new List<string>();
        foreach (var g in sans)
        {
            if (g.TagNo == Org.BouncyCastle.Asn1.X509.GeneralName.DnsName && NameSyntax.Ia5(g) is { } d)
            {
                dns.Add(d);
            }
            else if (g.TagNo == Org.BouncyCastle.Asn1.X509.GeneralName.IPAddress)
            {
                byte[] ip = Org.BouncyCastle.Asn1.Asn1OctetString.GetInstance(g.Name).GetOctets();
                if (ip.Length is 4 or 16)
                {
                    ips.Add(NameSyntax.FormatIp(ip));
                }
            }
        }

        foreach (var (oid, text) in CertNames.SubjectStrings(c))
        {
            if (oid != "2.5.4.3")
            {
                continue;
            }

            if (LooksLikeIp(text))
            {
                if (!ips.Contains(text))
                {
                    return text;
                }

                continue;
            }

            if (text.IndexOf('.') > 0 && text.Any(ch => ch > 0x7e))
            {
                return text;
            }

            if (!dns.Contains(text) && dns.Any(d => string.Equals(d, text, StringComparison.OrdinalIgnoreCase)))
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>Text made only of hex digits, dots and colons with a dot or colon: an IP address in some spelling.</summary>
    private static bool LooksLikeIp(string s)
    {
        if (s.IndexOf(':') >= 0)
        {
            return s.All(ch => ch is ':' or '.' or (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F'));
        }

        // The spellings inet_aton accepts: one to four parts, each decimal, octal or 0x-hexadecimal; a lone
        // decimal number is left alone as it is as likely to be a name.
        string[] parts = s.Split('.');
        static bool Hex(string p) => p.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && p.Length > 2 && p.Substring(2).All(Uri.IsHexDigit);
        return parts.Length <= 4 && parts.All(p => p.Length > 0 && (p.All(char.IsDigit) || Hex(p))) && (parts.Length > 1 || Hex(parts[0]));
    }

    /// <summary>
    /// The security level's key and digest rules in OpenSSL 3.0's order (<c>X509_verify_cert</c>'s leaf key check, then
    /// <c>check_auth_level</c>): the leaf's key (<see cref="VerifyError.EeKeyTooSmall"/>), then up the chain each issuer's
    /// key (<see cref="VerifyError.CaKeyTooSmall"/>) and the signature algorithm of every certificate but the trust
    /// anchor (<see cref="VerifyError.CaMdTooWeak"/>): a self-signed root's own signature is never judged.
    /// </summary>
    private PathFailure? CheckStrength(Cert[] p)
    {
        int level = _req.SecurityLevel;
        for (int i = 0; i < p.Length; i++)
        {
            if (SignatureCheck.CheckKey(p[i], level, out VerifyError code) is { } why)
            {
                if (code == VerifyError.EeKeyTooSmall && i > 0)
                {
                    code = VerifyError.CaKeyTooSmall;
                }

                return Fail(code, i, why, p);
            }

            if (i < p.Length - 1 && SignatureCheck.CheckDigest(p[i].SignatureAlgorithm, level) is { } weak)
            {
                return Fail(VerifyError.CaMdTooWeak, i, weak, p);
            }
        }

        return null;
    }

    private PathFailure? CheckName(Cert[] p)
    {
        if (_req.ExpectedName is null)
        {
            return null;
        }

        VerifyError e = HostMatcher.Check(p[0], _req.ExpectedName, _req.HostnameChecksCommonName);
        return e == VerifyError.Ok ? null : Fail(e, 0, null, p);
    }

    private PathFailure? CheckSignaturesAndTimes(Cert[] p)
    {
        for (int i = p.Length - 1; i >= 0; i--)
        {
            if (i < p.Length - 1)
            {
                var sig = _search.Signature(p[i], p[i + 1]);
                if (sig.Code != VerifyError.Ok)
                {
                    return Fail(sig.Code, i, sig.Why, p);
                }
            }

            if (p[i].NotBefore > _time)
            {
                if (Stop(Fail(VerifyError.CertNotYetValid, i, null, p)) is { } stop)
{
return stop;
}
            }

            if (p[i].NotAfter < _time)
            {
                if (Stop(Fail(VerifyError.CertHasExpired, i, null, p)) is { } stop)
{
return stop;
}
            }
        }

        return null;
    }

    private PathFailure? CheckPolicies(Cert[] p) =>
        PolicyProcessing.Check(p, _search.PolicyWork) is { } f ? Fail(f.Code, f.Depth, f.Why, p) : null;

    private PathFailure? CheckNameConstraints(Cert[] p)
    {
        // The leaf's CN is matched as the host name when the caller allows it and expects a host name (and the leaf has
        // no dNSName entry); then every CN that could match must be inside the constraints.
        bool commonNamesAreHosts = _req.HostnameChecksCommonName && _req.ExpectedName?.Kind == PeerNameKind.Dns;
        for (int k = p.Length - 1; k >= 1; k--)
        {
            NameConstraintSet? nc = p[k].Ext.NameConstraints;
            if (nc is null)
            {
                continue;
            }

            for (int j = k - 1; j >= 0; j--)
            {
                if (j > 0 && p[j].SelfIssued)
                {
                    continue;
                }

                if (_search.NameConstraintWork.Exhausted)
                {
                    return Fail(VerifyError.Unspecified, j, $"name constraint checking gave up: more than {NameConstraintSet.MaxComparisons} comparisons in this verification", p);
                }

                VerifyError e = nc.Check(CertNames.Of(p[j], j == 0, commonNamesAreHosts), _search.NameConstraintWork, out string? why);
                if (e != VerifyError.Ok)
                {
                    return Fail(e, j, why, p);
                }
            }
        }

        return null;
    }
}
