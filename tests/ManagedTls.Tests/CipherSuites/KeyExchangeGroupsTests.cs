using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Wire;

namespace ManagedTls.Tests.CipherSuites;

public class KeyExchangeGroupsTests
{
    [Fact]
    public void DefaultOrderIsOpenSsl30s()
    {
        Assert.Equal(
            new[] { "x25519", "secp256r1", "x448", "secp521r1", "secp384r1", "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192" },
            KeyExchangeGroups.Default.Select(g => g.Name));
        Assert.DoesNotContain(KeyExchangeGroups.X25519MlKem768, KeyExchangeGroups.Default);
        Assert.Contains(KeyExchangeGroups.X25519MlKem768, KeyExchangeGroups.All);
    }

    [Fact]
    public void EveryImplementedCodePointIsFoundAndConsistent()
    {
        foreach (NamedGroup code in Enum.GetValues<NamedGroup>())
        {
            KeyExchangeGroup? group = KeyExchangeGroups.Find(code);
            Assert.NotNull(group);
            Assert.Equal(code, group!.Group);
            Assert.Same(group, KeyExchangeGroups.FindByName(group.Name));
            Assert.Equal(group.Name, group.Algorithm.Name);
            foreach (string alias in group.OpenSslNames)
            {
                Assert.Same(group, KeyExchangeGroups.FindByName(alias));
                Assert.Same(group, KeyExchangeGroups.FindByName(alias.ToUpperInvariant()));
                Assert.Same(group, KeyExchangeGroups.FindByName(alias.ToLowerInvariant()));
            }
        }

        Assert.Null(KeyExchangeGroups.Find((NamedGroup)0x0016));
        Assert.Null(KeyExchangeGroups.FindByName("brainpoolP256r1"));
    }

    [Theory]
    [InlineData("X25519", NamedGroup.X25519, 32, 32)]
    [InlineData("P-256", NamedGroup.Secp256r1, 65, 65)]
    [InlineData("prime256v1", NamedGroup.Secp256r1, 65, 65)]
    [InlineData("secp256r1", NamedGroup.Secp256r1, 65, 65)]
    [InlineData("P-384", NamedGroup.Secp384r1, 97, 97)]
    [InlineData("P-521", NamedGroup.Secp521r1, 133, 133)]
    [InlineData("X448", NamedGroup.X448, 56, 56)]
    [InlineData("ffdhe2048", NamedGroup.Ffdhe2048, 256, 256)]
    [InlineData("ffdhe8192", NamedGroup.Ffdhe8192, 1024, 1024)]
    [InlineData("X25519MLKEM768", NamedGroup.X25519MLKEM768, 1216, 1120)]
    public void NamesMapToGroupsWithWireSizes(string name, NamedGroup code, int clientShare, int serverShare)
    {
        KeyExchangeGroup group = KeyExchangeGroups.FindByName(name)!;
        Assert.Equal(code, group.Group);
        Assert.Equal(clientShare, group.Algorithm.InitiatorShareSize);
        Assert.Equal(serverShare, group.Algorithm.ResponderShareSize);
    }

    [Fact]
    public void FamiliesAndProtocolSupport()
    {
        Assert.False(KeyExchangeGroups.X25519MlKem768.SupportsTls12);
        Assert.Equal(KeyExchangeFamily.Kem, KeyExchangeGroups.X25519MlKem768.Algorithm.Family);
        Assert.True(KeyExchangeGroups.Ffdhe3072.IsFiniteField);
        Assert.True(KeyExchangeGroups.Ffdhe3072.SupportsTls12);
        Assert.False(KeyExchangeGroups.X448.IsFiniteField);
        Assert.Equal("X25519", KeyExchangeGroups.X25519.OpenSslName);
        Assert.Equal("prime256v1", KeyExchangeGroups.Secp256r1.OpenSslName);
    }

    [Fact]
    public void ParseListKeepsOrderAndDropsDuplicates()
    {
        var list = KeyExchangeGroups.ParseList("X25519MLKEM768:x25519, P-256:prime256v1:ffdhe2048");
        Assert.Equal(new[] { "X25519MLKEM768", "x25519", "secp256r1", "ffdhe2048" }, list.Select(g => g.Name));
        Assert.Throws<ArgumentException>(() => KeyExchangeGroups.ParseList("X25519:nosuch"));
        Assert.Throws<ArgumentException>(() => KeyExchangeGroups.ParseList(" : "));
    }
}
