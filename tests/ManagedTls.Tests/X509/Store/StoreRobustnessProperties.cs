using FsCheck.Xunit;
using ManagedTls.Tests.SslFacade;
using ManagedTls.X509.PeerCert;
using ManagedTls.X509.Store;

namespace ManagedTls.Tests.X509.Store;

/// <summary>Malformed input ends in the promised exception types, never anything else.</summary>
public class StoreRobustnessProperties
{
    private static readonly byte[] Ca = File.ReadAllBytes(Oracles.Cert("pem/ca.der"));
    private static readonly string CaPem = File.ReadAllText(Oracles.Cert("pem/ca.pem"));

    private static bool OnlyPromised(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is CertificateStoreException or ArgumentException or TlsAlertException)
        {
        }

        return true;
    }

    [Property(MaxTest = 300)]
    public bool AddCaData_RandomBytes(byte[] data) => OnlyPromised(() => new CertificateStore().AddCaData(data ?? Array.Empty<byte>()));

    [Property(MaxTest = 300)]
    public bool AddCaData_MutatedCertificate(int position, byte value) => OnlyPromised(() =>
    {
        byte[] mutated = (byte[])Ca.Clone();
        mutated[Math.Abs(position % mutated.Length)] = value;
        new CertificateStore().AddCaData(mutated);
        PeerCertificate.Decode(mutated);
    });

    [Property(MaxTest = 300)]
    public bool AddCaData_MutatedPem(int position, char value) => OnlyPromised(() =>
    {
        char[] chars = CaPem.ToCharArray();
        chars[Math.Abs(position % chars.Length)] = (char)(value & 0x7f);
        new CertificateStore().AddCaData(new string(chars));
    });

    [Property(MaxTest = 300)]
    public bool NameHashAndDecode_RandomBytes(byte[] data) => OnlyPromised(() =>
    {
        X509NameHash.Hash(data ?? Array.Empty<byte>());
        PeerCertificate.Decode(data ?? Array.Empty<byte>());
    });

    [Fact]
    public void MutatedCertificates_EveryByte()
    {
        int rejected = 0;
        for (int i = 0; i < Ca.Length; i++)
        {
            byte[] mutated = (byte[])Ca.Clone();
            mutated[i] ^= 0xA5;
            try
            {
                PeerCertificate.Decode(mutated);
                new CertificateStore().AddCertificate(mutated);
            }
            catch (TlsAlertException e)
            {
                Assert.Equal(AlertDescription.BadCertificate, e.Description);
                rejected++;
            }
        }

        Assert.True(rejected > 0);
    }
}
