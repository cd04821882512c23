using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ManagedTls.X509;

namespace ManagedTls.Cli;

/// <summary>
/// <c>managedtls verify</c>: OpenSSL's <c>verify</c> command (same flags, output and exit codes), and
/// <c>--limbo FILE</c>, which runs an x509-limbo suite and prints limbo's result document.
/// </summary>
internal static class VerifyCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 2 && args[0] == "--limbo")
        {
            Console.Out.Write(RunLimbo(File.ReadAllText(args[1])).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Console.Out.WriteLine();
            return 0;
        }

        var anchors = new List<byte[]>();
        var untrusted = new List<byte[]>();
        var crls = new List<byte[]>();
        var req = new VerifyRequest
        {
            Flags = VerifyFlags.VerifyX509TrustedFirst,

            // The failures openssl verify's callback reports and continues past.
            ContinueAfter =
            [
                VerifyError.CertHasExpired, VerifyError.DepthZeroSelfSignedCert, VerifyError.InvalidCa, VerifyError.InvalidNonCa,
                VerifyError.PathLengthExceeded, VerifyError.CrlHasExpired, VerifyError.CrlNotYetValid, VerifyError.UnhandledCriticalExtension,
            ],
        };
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new UsageException("missing value after " + a);
            switch (a)
            {
                case "-CAfile": anchors.AddRange(Pem.ReadFile(Next(), "CERTIFICATE")); break;
                case "-untrusted": untrusted.AddRange(Pem.ReadFile(Next(), "CERTIFICATE")); break;
                case "-CRLfile": crls.AddRange(Pem.ReadFile(Next(), "X509 CRL")); break;
                case "-attime":
                    req.Time = long.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long t)
                        ? DateTimeOffset.FromUnixTimeSeconds(t)
                        : throw new UsageException("bad -attime");
                    break;
                case "-purpose":
                    req.Purpose = Next() switch
                    {
                        "sslserver" => VerifyPurpose.ServerAuth,
                        "sslclient" => VerifyPurpose.ClientAuth,
                        _ => throw new UsageException("purpose must be sslserver or sslclient"),
                    };
                    break;
                case "-verify_hostname": req.ExpectedName = PeerName.Dns(Next()); break;
                case "-verify_ip": req.ExpectedName = PeerName.Ip(Next()); break;
                case "-verify_email": req.ExpectedName = PeerName.Email(Next()); break;
                case "-verify_depth":
                    req.MaxDepth = int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int d) ? d : throw new UsageException("bad -verify_depth");
                    break;
                case "-x509_strict": req.Flags |= VerifyFlags.VerifyX509Strict; break;
                case "-partial_chain": req.Flags |= VerifyFlags.VerifyX509PartialChain; break;
                case "-crl_check": req.Flags |= VerifyFlags.VerifyCrlCheckLeaf; break;
                case "-crl_check_all": req.Flags |= VerifyFlags.VerifyCrlCheckChain; break;
                default:
                    if (a.StartsWith("-", StringComparison.Ordinal))
                    {
                        throw new UsageException("unknown option " + a);
                    }

                    files.Add(a);
                    break;
            }
        }

        if (files.Count == 0)
        {
            throw new UsageException("usage: verify [-CAfile F] [-untrusted F] [-attime EPOCH] [-purpose sslserver|sslclient] [-verify_hostname N] [-verify_ip IP] [-verify_email E] [-x509_strict] [-partial_chain] [-crl_check] [-crl_check_all] [-CRLfile F] CERT.pem ...");
        }

        req.Trust = new TrustStore(anchors);
        req.Crls = crls;
        int rc = 0;
        foreach (string file in files)
        {
            var certs = Pem.ReadFile(file, "CERTIFICATE");
            if (certs.Count == 0)
            {
                Console.Error.WriteLine($"Could not read certificate from {file}");
                rc = 2;
                continue;
            }

            req.PeerChain = [certs[0]];
            req.Untrusted = untrusted;
            VerifyResult r = CertificateVerifier.Verify(req);
            if (r.IsValid)
            {
                Console.Out.WriteLine($"{file}: OK");
                continue;
            }

            rc = 2;
            foreach (var (code, depth) in r.AllErrors)
            {
                byte[] failing = depth < r.Chain.Count ? r.Chain[depth] : certs[0];
                Console.Error.WriteLine(Pem.OneLineSubject(failing));
                Console.Error.WriteLine($"error {(int)code} at {depth} depth lookup: {VerifyErrors.Message(code)}");
            }

            Console.Error.WriteLine($"error {file}: verification failed");
        }

        return rc;
    }

    /// <summary>Runs every test case of an x509-limbo document; returns limbo's result document.</summary>
    internal static JsonObject RunLimbo(string json)
    {
        var doc = JsonNode.Parse(json)!.AsObject();
        var results = new JsonArray();
        foreach (JsonNode? tc in doc["testcases"]!.AsArray())
        {
            var (actual, context) = RunLimboCase(tc!.AsObject());
            results.Add(new JsonObject
            {
                ["id"] = tc["id"]!.GetValue<string>(),
                ["actual_result"] = actual,
                ["context"] = context,
            });
        }

        return new JsonObject { ["version"] = 1, ["harness"] = "managedtls", ["results"] = results };
    }

    private static readonly Dictionary<string, int> KeyUsageBits = new(StringComparer.Ordinal)
    {
        ["digitalSignature"] = 0x80, ["contentCommitment"] = 0x40, ["keyEncipherment"] = 0x20, ["dataEncipherment"] = 0x10,
        ["keyAgreement"] = 0x08, ["keyCertSign"] = 0x04, ["cRLSign"] = 0x02, ["encipherOnly"] = 0x01, ["decipherOnly"] = 0x8000,
    };

    private static (string Result, string? Context) RunLimboCase(JsonObject tc)
    {
        static IEnumerable<byte[]> Certs(JsonNode? n, string label) =>
            (n?.AsArray() ?? []).SelectMany(x => Pem.Decode(x!.GetValue<string>(), label));

        var req = new VerifyRequest
        {
            PeerChain = Pem.Decode(tc["peer_certificate"]!.GetValue<string>(), "CERTIFICATE").Take(1).ToArray(),
            Untrusted = Certs(tc["untrusted_intermediates"], "CERTIFICATE").ToArray(),
            Trust = new TrustStore(Certs(tc["trusted_certs"], "CERTIFICATE")),
            Crls = Certs(tc["crls"], "X509 CRL").ToArray(),
            Purpose = tc["validation_kind"]?.GetValue<string>() == "CLIENT" ? VerifyPurpose.ClientAuth : VerifyPurpose.ServerAuth,
            Flags = VerifyFlags.VerifyX509Strict | VerifyFlags.VerifyX509PartialChain | VerifyFlags.VerifyX509TrustedFirst,
        };
        if (req.Crls.Count > 0)
        {
            req.Flags |= VerifyFlags.VerifyCrlCheckLeaf;
        }

        if (tc["validation_time"] is JsonNode vt)
        {
            req.Time = DateTimeOffset.Parse(vt.GetValue<string>(), CultureInfo.InvariantCulture);
        }

        if (tc["max_chain_depth"] is JsonNode depth)
        {
            req.MaxDepth = depth.GetValue<int>();
        }

        foreach (JsonNode? ku in tc["key_usage"]?.AsArray() ?? [])
        {
            req.RequiredLeafKeyUsage |= KeyUsageBits.TryGetValue(ku!.GetValue<string>(), out int bit) ? bit : 0;
        }

        foreach (JsonNode? eku in tc["extended_key_usage"]?.AsArray() ?? [])
        {
            string e = eku!.GetValue<string>();
            if (e is not ("serverAuth" or "clientAuth"))
            {
                return ("SKIPPED", "extended key usage " + e + " is not a TLS purpose");
            }

            req.Purpose = e == "clientAuth" ? VerifyPurpose.ClientAuth : VerifyPurpose.ServerAuth;
        }

        if (tc["signature_algorithms"]?.AsArray() is { Count: > 0 })
        {
            return ("SKIPPED", "restricting signature algorithms is not supported");
        }

        if (tc["expected_peer_name"] is JsonObject pn)
        {
            string value = pn["value"]!.GetValue<string>();
            req.ExpectedName = pn["kind"]!.GetValue<string>() switch
            {
                "IP" => PeerName.Ip(value),
                "RFC822" => PeerName.Email(value),
                _ => PeerName.Dns(value),
            };
        }

        if (req.PeerChain.Count == 0)
        {
            return ("FAILURE", "peer certificate cannot be decoded");
        }

        VerifyResult r = CertificateVerifier.Verify(req);
        return r.IsValid
            ? ("SUCCESS", null)
            : ("FAILURE", $"error {(int)r.Error} at depth {r.ErrorDepth}: {r.Message}" + (r.Detail is null ? "" : " (" + r.Detail + ")"));
    }
}

/// <summary>Minimal PEM reading for the command line.</summary>
internal static class Pem
{
    public static List<byte[]> ReadFile(string path, string label)
    {
        try
        {
            return Decode(File.ReadAllText(path), label);
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
    }

    /// <summary>Every block of the given label, read by the trust store's PEM reader; reading stops at the first
    /// malformed block, keeping the blocks before it.</summary>
    public static List<byte[]> Decode(string text, string label)
    {
        var r = new List<byte[]>();
        try
        {
            foreach (ManagedTls.X509.Store.PemBlock block in ManagedTls.X509.Store.PemReader.Read(text))
            {
                if (block.Label == label)
                {
                    r.Add(block.Data);
                }
            }
        }
        catch (ManagedTls.X509.Store.CertificateStoreException)
        {
            // As openssl: what was read before the broken block stands.
        }

        return r;
    }

    /// <summary>The subject as <c>openssl verify</c> prints it ("C = US, O = Org, CN = name").</summary>
    public static string OneLineSubject(byte[] der) => ManagedTls.X509.OpenSslNameFormat.OneLineSubject(der);
}
