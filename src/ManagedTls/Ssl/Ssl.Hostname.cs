using System.Collections;
using ManagedTls.X509;
using ManagedTls.X509.PeerCert;
using ManagedTls.X509.Validation;

namespace ManagedTls.Ssl;

/// <content>Python's <c>match_hostname</c>.</content>
public static partial class Ssl
{
    /// <summary>
    /// Python's <c>ssl.match_hostname(cert, hostname)</c> (deprecated since Python 3.7, removed in 3.12; connections check
    /// names themselves with <see cref="SslContext.CheckHostname"/>): checks that <paramref name="cert"/>, in the form
    /// <see cref="SslObject.GetPeerCert"/> returns, names <paramref name="hostname"/>, by Python's rules. A quad-dotted
    /// IPv4 or an IPv6 address is matched against <c>IP Address</c> entries, any other name against <c>DNS</c> entries;
    /// the subject's <c>commonName</c> is tried only when the certificate has neither; a wildcard is a whole leftmost
    /// <c>*</c> label matching one label; case is ignored and no IDNA conversion is made (give A-labels).
    /// </summary>
    /// <param name="cert">The decoded certificate (<c>GetPeerCert()</c>, <see cref="PeerCertificate.Decode"/>).</param>
    /// <param name="hostname">The host name or IP address expected.</param>
    /// <exception cref="SslCertVerificationException">The name does not match, with Python's <c>CertificateError</c> text
    /// as the message (<c>hostname 'a.example' doesn't match 'b.example'</c>, <c>hostname 'a.example' doesn't match either
    /// of 'b.example', 'c.example'</c>, <c>no appropriate commonName or subjectAltName fields were found</c>, or a wildcard
    /// Python refuses: <c>too many wildcards in certificate DNS name: '*.*.example'.</c>). As a .NET extra its
    /// <see cref="SslCertVerificationException.VerifyCode"/> is <see cref="VerifyError.HostnameMismatch"/>, or
    /// <see cref="VerifyError.IpAddressMismatch"/> for an address; <see cref="SslException.Errno"/> is null, as Python's.</exception>
    /// <exception cref="ArgumentException"><paramref name="cert"/> is null or empty (Python's <c>ValueError</c>: <c>empty or
    /// no certificate, match_hostname needs a SSL socket or SSL context with either CERT_OPTIONAL or CERT_REQUIRED</c>), or
    /// an <c>IP Address</c> entry is no address (<c>'127.1' is not a quad-dotted IPv4 address.</c>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="hostname"/> is null.</exception>
    public static void MatchHostname(IReadOnlyDictionary<string, object>? cert, string hostname)
    {
        if (hostname is null)
        {
            throw new ArgumentNullException(nameof(hostname));
        }

        if (cert is null || cert.Count == 0)
        {
            throw new ArgumentException("empty or no certificate, match_hostname needs a SSL socket or SSL context with either CERT_OPTIONAL or CERT_REQUIRED");
        }

        var sans = new List<(string, string)>();
        if (cert.TryGetValue("subjectAltName", out object? sanValue) && sanValue is IEnumerable entries)
        {
            foreach (object? entry in entries)
            {
                if (Pair(entry) is { } pair)
                {
                    sans.Add(pair);
                }
            }
        }

        var commonNames = new List<string>();
        if (cert.TryGetValue("subject", out object? subject) && subject is IEnumerable rdns)
        {
            foreach (object? rdn in rdns)
            {
                if (rdn is not IEnumerable attributes || rdn is string)
                {
                    continue;
                }

                foreach (object? attribute in attributes)
                {
                    if (Pair(attribute) is ("commonName", string cn))
                    {
                        commonNames.Add(cn);
                    }
                }
            }
        }

        if (HostMatcher.PythonMatch(sans, commonNames, hostname, out bool invalidIp) is not { } message)
        {
            return;
        }

        if (invalidIp)
        {
            throw new ArgumentException(message);
        }

        VerifyError code = HostMatcher.IsPythonAddress(hostname) ? VerifyError.IpAddressMismatch : VerifyError.HostnameMismatch;
        throw new SslCertVerificationException(message, code);
    }

    /// <summary>
    /// <see cref="MatchHostname(IReadOnlyDictionary{string, object}?, string)"/> on a DER certificate (the form
    /// <c>GetPeerCert(binaryForm: true)</c> returns), decoded as <see cref="PeerCertificate.Decode"/> decodes it.
    /// </summary>
    /// <param name="certificateDer">The certificate, DER.</param>
    /// <param name="hostname">The host name or IP address expected.</param>
    /// <exception cref="SslCertVerificationException">The name does not match, with Python's message.</exception>
    /// <exception cref="ArgumentException">The certificate is empty, or an <c>IP Address</c> entry is no address.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="TlsAlertException">The certificate does not parse (as <see cref="PeerCertificate.Decode"/>).</exception>
    public static void MatchHostname(byte[] certificateDer, string hostname)
    {
        if (certificateDer is null)
        {
            throw new ArgumentNullException(nameof(certificateDer));
        }

        MatchHostname(certificateDer.Length == 0 ? null : PeerCertificate.Decode(certificateDer), hostname);
    }

    // A (kind, value) pair with a string value, from the forms a decoded certificate uses for its 2-tuples.
    private static (string, string)? Pair(object? entry) => entry switch
    {
        KeyValuePair<string, object> { Value: string v } kv => (kv.Key, v),
        KeyValuePair<string, string> kv => (kv.Key, kv.Value),
        ValueTuple<string, string> t => t,
        Tuple<string, string> t => (t.Item1, t.Item2),
        _ => null,
    };
}
