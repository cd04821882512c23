using FsCheck.Xunit;
using System.Text.Json;
using SslModule = ManagedTls.Ssl.Ssl;

namespace ManagedTls.Tests.SslFacade;

public class SslHelpersTests
{
    private const string LiveScript = @"
import json, ssl, sys
cases = json.load(sys.stdin)
def outcome(fn, arg):
    try:
        v = fn(arg)
        return {'result': v.hex() if isinstance(v, bytes) else v}
    except Exception as e:
        return {'error': type(e).__name__, 'message': str(e)}
out = {
 'cert_time_to_seconds': [outcome(ssl.cert_time_to_seconds, c['input']) for c in cases['cert_time_to_seconds']],
 'DER_cert_to_PEM_cert': [outcome(ssl.DER_cert_to_PEM_cert, bytes.fromhex(c['input'])) for c in cases['DER_cert_to_PEM_cert']],
 'PEM_cert_to_DER_cert': [outcome(ssl.PEM_cert_to_DER_cert, c['input']) for c in cases['PEM_cert_to_DER_cert']],
}
print(json.dumps(out))
";

    private static readonly Lazy<JsonElement> Recorded = new(() =>
        JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Oracles.Cert("python-helpers.json"))));

    // Without python3 the recorded answers stand in for the live ones.
    private static readonly Lazy<JsonElement> Live = new(() =>
    {
        string? output = Oracles.Python(LiveScript, File.ReadAllText(Oracles.Cert("python-helpers.json")));
        return output is null ? Recorded.Value : JsonSerializer.Deserialize<JsonElement>(output);
    });

    /// <summary>Runs our function on a case and renders the outcome the way the Python script does.</summary>
    private static (string? Result, string? Error) Ours(string function, JsonElement input)
    {
        try
        {
            return function switch
            {
                "cert_time_to_seconds" => (SslModule.CertTimeToSeconds(input.GetString()!).ToString(System.Globalization.CultureInfo.InvariantCulture), null),
                "DER_cert_to_PEM_cert" => (SslModule.DerCertToPemCert(Convert.FromHexString(input.GetString()!)), null),
                _ => (Convert.ToHexString(SslModule.PemCertToDerCert(input.GetString()!)).ToLowerInvariant(), null),
            };
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    private static (string? Result, string? Error) Python(JsonElement answer)
    {
        if (answer.TryGetProperty("result", out JsonElement r))
        {
            return (r.ValueKind == JsonValueKind.Number ? r.GetRawText() : r.GetString(), null);
        }

        // ValueError, binascii.Error and UnicodeEncodeError are all ValueError: ArgumentException here.
        Assert.Contains(answer.GetProperty("error").GetString(), new[] { "ValueError", "Error", "UnicodeEncodeError" });
        return (null, answer.GetProperty("message").GetString());
    }

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (JsonProperty f in Recorded.Value.EnumerateObject())
        {
            for (int i = 0; i < f.Value.GetArrayLength(); i++)
            {
                data.Add(f.Name, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Helper_MatchesRecordedPython(string function, int index)
    {
        JsonElement c = Recorded.Value.GetProperty(function)[index];
        Assert.Equal(Python(c), Ours(function, c.GetProperty("input")));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Helper_MatchesLivePython(string function, int index)
    {
        JsonElement input = Recorded.Value.GetProperty(function)[index].GetProperty("input");
        Assert.Equal(Python(Live.Value.GetProperty(function)[index]), Ours(function, input));
    }

    [Fact]
    public void PemDerRoundTripOnRealCertificate()
    {
        byte[] der = File.ReadAllBytes(Oracles.Cert("pem/ca.der"));
        string pem = SslModule.DerCertToPemCert(der);
        Assert.Equal(File.ReadAllText(Oracles.Cert("pem/ca.pem")), pem);
        Assert.Equal(der, SslModule.PemCertToDerCert(pem));
    }

    [Fact]
    public void NullArgumentsAreArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => SslModule.CertTimeToSeconds(null!));
        Assert.Throws<ArgumentNullException>(() => SslModule.DerCertToPemCert(null!));
        Assert.Throws<ArgumentNullException>(() => SslModule.PemCertToDerCert(null!));
    }

    [Property(MaxTest = 200)]
    public bool CertTimeToSeconds_RoundTripsFormattedTimes(int seconds)
    {
        var t = DateTimeOffset.FromUnixTimeSeconds(Math.Abs((long)seconds) * 7);
        string text = t.ToString("MMM ", System.Globalization.CultureInfo.InvariantCulture)
            + t.Day.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(2)
            + t.ToString(" HH:mm:ss yyyy", System.Globalization.CultureInfo.InvariantCulture) + " GMT";
        return SslModule.CertTimeToSeconds(text) == t.ToUnixTimeSeconds();
    }

    [Property(MaxTest = 200)]
    public bool PemDer_RoundTrip(byte[] der) => SslModule.PemCertToDerCert(SslModule.DerCertToPemCert(der ?? Array.Empty<byte>())).AsSpan().SequenceEqual(der ?? Array.Empty<byte>());
}
