using System.Text.Json;

namespace ManagedTls.AspNetCore.Tests;

/// <summary>Reads the <c>/info</c> body (the JSON before curl's <c>--write-out</c> line).</summary>
internal static class Json
{
    public static (JsonElement Info, string HttpVersion) Parse(string curlOutput)
    {
        int cut = curlOutput.LastIndexOf('\n');
        string body = cut < 0 ? curlOutput : curlOutput[..cut];
        string version = cut < 0 ? string.Empty : curlOutput[(cut + 1)..].Trim();
        return (JsonDocument.Parse(body).RootElement, version);
    }

    public static string? Str(this JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).ToString();
}
