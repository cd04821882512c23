using System.Text.Json;
using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Tests.CipherSuites;

public class CipherSuiteRegistryTests
{
    [Fact]
    public void EverySuiteCodePointIsRegisteredOnce()
    {
        var codes = Enum.GetValues<TlsCipherSuite>()
            .Where(s => s is not TlsCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV and not TlsCipherSuite.TLS_FALLBACK_SCSV)
            .OrderBy(s => s)
            .ToArray();
        Assert.Equal(codes, CipherSuiteRegistry.All.Select(s => s.Suite).OrderBy(s => s));
        Assert.Equal(44, CipherSuiteRegistry.All.Count);
        Assert.Equal(5, CipherSuiteRegistry.Tls13Suites.Count);
        Assert.Equal(CipherSuiteRegistry.All.Count, CipherSuiteRegistry.All.Select(s => s.OpenSslName).Distinct().Count());
        foreach (var s in CipherSuiteRegistry.All)
        {
            Assert.Same(s, CipherSuiteRegistry.Find(s.Code));
            Assert.Same(s, CipherSuiteRegistry.Find(s.Suite));
            Assert.Same(s, CipherSuiteRegistry.FindByIanaName(s.IanaName));
            Assert.Same(s, CipherSuiteRegistry.FindByOpenSslName(s.OpenSslName));
            Assert.Equal(s.Suite.ToString(), s.IanaName);
        }

        Assert.Null(CipherSuiteRegistry.Find((ushort)0x0005));
        Assert.Null(CipherSuiteRegistry.Find(TlsCipherSuite.TLS_FALLBACK_SCSV));
        Assert.Null(CipherSuiteRegistry.FindByOpenSslName("aes128-sha"));
    }

    [Fact]
    public void Tls13SuitesComeFirstAndAreAeadOnly()
    {
        Assert.All(CipherSuiteRegistry.All.Take(5), s => Assert.True(s.IsTls13));
        Assert.All(CipherSuiteRegistry.All.Skip(5), s => Assert.Equal(ProtocolVersion.Tls12, s.Protocol));
        foreach (var s in CipherSuiteRegistry.Tls13Suites)
        {
            Assert.True(s.IsAead);
            Assert.Equal(SuiteKeyExchange.Any, s.KeyExchange.Algorithm);
            Assert.Equal(AuthenticationAlgorithm.Any, s.Authentication.Algorithm);
            Assert.Equal(12, s.FixedIvLength);
            Assert.Equal(0, s.RecordIvLength);
            Assert.Equal(s.IanaName, s.OpenSslName);
            Assert.Equal(s.IanaName.EndsWith("SHA384", StringComparison.Ordinal) ? HashAlgorithm.Sha384 : HashAlgorithm.Sha256, s.PrfHash);
        }
    }

    [Fact]
    public void RecordLayerLengthsFitTheCryptoLayer()
    {
        foreach (var s in CipherSuiteRegistry.All)
        {
            if (s.Aead is { } aead)
            {
                Assert.Null(s.Cbc);
                Assert.Null(s.MacHash);
                Assert.Equal(0, s.MacKeyLength);

                // The key length is what the AEAD takes, and the tag length is what it appends.
                var key = new byte[s.KeyLength];
                var sealedRecord = new byte[5 + s.TagLength];
                Aeads.Create(aead, key).Seal(new byte[12], Array.Empty<byte>(), new byte[5], sealedRecord);
                Assert.Equal(aead is AeadAlgorithm.Aes128Ccm8 or AeadAlgorithm.Aes256Ccm8 ? 8 : 16, s.TagLength);
                if (!s.IsTls13)
                {
                    Assert.Equal(12, s.FixedIvLength + s.RecordIvLength);
                }
            }
            else
            {
                Assert.NotNull(s.Cbc);
                Assert.NotNull(s.MacHash);
                Assert.Equal(Hashes.OutputSize(s.MacHash!.Value), s.MacKeyLength);
                Assert.Equal(s.MacKeyLength, s.MacLength);
                Assert.Equal(s.Cbc == CbcCipher.Aes128Cbc ? 16 : 32, s.KeyLength);
                Assert.Equal(0, s.FixedIvLength);
                Assert.Equal(16, s.RecordIvLength);
                Assert.Equal(0, s.TagLength);
            }

            Assert.Equal(s.IanaName.EndsWith("SHA384", StringComparison.Ordinal) ? HashAlgorithm.Sha384 : HashAlgorithm.Sha256, s.PrfHash);
            Assert.Equal(s.KeyLength * 8, s.StrengthBits);
        }
    }

    /// <summary>
    /// Every AES-CCM suite OpenSSL lists for TLS 1.2 is ours except the PSK ones (there is no PSK key exchange):
    /// RFC 6655 (kRSA, DHE-RSA) and RFC 7251 (ECDHE-ECDSA), both tag lengths, both key lengths, SHA-256 PRF,
    /// HIGH and outside DEFAULT.
    /// </summary>
    [Fact]
    public void CcmSuitesAreOpenSslsWithoutPsk()
    {
        OracleRun run = CipherOracles.RunOpenSslCiphers(new[] { new[] { "--", "AESCCM:AESCCM8" } })?[0]
            ?? CipherOracles.RecordedString("AESCCM:AESCCM8");
        Assert.Equal(0, run.Exit);
        string[] openssl = run.Stdout.Trim().Split(':').Where(n => !n.StartsWith("TLS_", StringComparison.Ordinal)).ToArray();
        string[] withoutPsk = openssl.Where(n => !n.Contains("PSK", StringComparison.Ordinal)).ToArray();
        Assert.Equal(12, withoutPsk.Length);
        Assert.Equal(8, openssl.Length - withoutPsk.Length);
        CipherSuiteInfo[] ours = CipherSuiteRegistry.Tls12Suites.Where(s => s.Aead is { } a && Aeads.IsCcm(a)).ToArray();
        Assert.Equal(withoutPsk.Order(StringComparer.Ordinal), ours.Select(s => s.OpenSslName).Order(StringComparer.Ordinal));
        Assert.All(openssl.Except(withoutPsk), n => Assert.Null(CipherSuiteRegistry.FindByOpenSslName(n)));
        foreach (CipherSuiteInfo s in ours)
        {
            Assert.Equal(HashAlgorithm.Sha256, s.PrfHash);
            Assert.Equal(OsslStrength.High | OsslStrength.NotDefault, s.Strength);
            Assert.Equal(s.IanaName.EndsWith("_8", StringComparison.Ordinal) ? 8 : 16, s.TagLength);
            Assert.Equal(s.IanaName.Contains("_256_", StringComparison.Ordinal) ? 32 : 16, s.KeyLength);
            Assert.Equal(4, s.FixedIvLength);
            Assert.Equal(8, s.RecordIvLength);
        }
    }

    [Fact]
    public void PythonFieldsMatchRecordedGetCiphers() => CheckPythonFields(CipherOracles.PythonRecord.GetProperty("ciphers"));

    [Fact]
    public void PythonFieldsMatchLiveGetCiphers()
    {
        string script = Path.Combine(CipherOracles.VectorsDir, "record_python_get_ciphers.py");
        OracleRun? run = CipherOracles.Run("python3", new[] { script, "--stdout" }, 60000);
        if (run is null)
        {
            CheckPythonFields(CipherOracles.PythonRecord.GetProperty("ciphers"));
            return;
        }

        Assert.True(run.Exit == 0, run.Stderr);
        CheckPythonFields(JsonDocument.Parse(run.Stdout).RootElement.GetProperty("ciphers"));
    }

    private static void CheckPythonFields(JsonElement ciphers)
    {
        var byId = ciphers.EnumerateArray().ToDictionary(c => c.GetProperty("id").GetUInt32());
        foreach (var s in CipherSuiteRegistry.All)
        {
            Assert.True(byId.TryGetValue(s.OpenSslId, out JsonElement c), $"{s.IanaName} missing from Python's list");
            Assert.Equal(c.GetProperty("name").GetString(), s.OpenSslName);
            Assert.Equal(c.GetProperty("protocol").GetString(), s.PythonProtocol);
            Assert.Equal(c.GetProperty("description").GetString(), s.Description);
            Assert.Equal(c.GetProperty("strength_bits").GetInt32(), s.StrengthBits);
            Assert.Equal(c.GetProperty("alg_bits").GetInt32(), s.AlgBits);
            Assert.Equal(c.GetProperty("aead").GetBoolean(), s.IsAead);
            Assert.Equal(c.GetProperty("symmetric").GetString(), s.PythonSymmetric);
            Assert.Equal(c.GetProperty("digest").ValueKind == JsonValueKind.Null ? null : c.GetProperty("digest").GetString(), s.PythonDigest);
            Assert.Equal(c.GetProperty("kea").GetString(), s.PythonKea);
            Assert.Equal(c.GetProperty("auth").GetString(), s.PythonAuth);
        }
    }
}
