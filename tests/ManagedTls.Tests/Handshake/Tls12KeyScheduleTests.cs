using FsCheck.Xunit;
using ManagedTls.Crypto;
using ManagedTls.Handshake;

namespace ManagedTls.Tests.Handshake;

public class Tls12KeyScheduleTests
{
    private static readonly byte[] ClientRandom = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] ServerRandom = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    [Property(MaxTest = 30)]
    public bool Prf_output_is_a_prefix_stream(byte[] secret, byte[] seed, byte shortLength, byte extra)
    {
        byte[] shortOut = new byte[shortLength];
        byte[] longOut = new byte[shortLength + extra];
        Tls12Prf.Compute(HashAlgorithm.Sha384, secret ?? [], "label", seed ?? [], default, shortOut);
        Tls12Prf.Compute(HashAlgorithm.Sha384, secret ?? [], "label", seed ?? [], default, longOut);
        return longOut.AsSpan(0, shortLength).SequenceEqual(shortOut);
    }

    [Fact]
    public void Seed_parts_concatenate()
    {
        byte[] split = new byte[40];
        Tls12Prf.Compute(HashAlgorithm.Sha256, [1, 2], "x", [3, 4], [5], split);
        Assert.Equal(Tls12Prf.Compute(HashAlgorithm.Sha256, [1, 2], "x", [3, 4, 5], 40), split);
        Assert.Throws<ArgumentException>(() => Tls12Prf.Compute(HashAlgorithm.Sha256, [1], "\u00e9", [], 1));
    }

    [Fact]
    public void Key_block_split_follows_the_rfc_order()
    {
        using Tls12MasterSecret master = Tls12KeySchedule.FromStoredMasterSecret(HashAlgorithm.Sha256, new byte[48], extended: false);
        byte[] block = Tls12Prf.Compute(HashAlgorithm.Sha256, new byte[48], "key expansion", [.. ServerRandom, .. ClientRandom], 2 * (20 + 32 + 4));
        using Tls12KeyBlock keys = master.DeriveKeyBlock(ClientRandom, ServerRandom, 20, 32, 4);
        Assert.Equal(block[0..20], keys.ClientMacKey);
        Assert.Equal(block[20..40], keys.ServerMacKey);
        Assert.Equal(block[40..72], keys.ClientWriteKey);
        Assert.Equal(block[72..104], keys.ServerWriteKey);
        Assert.Equal(block[104..108], keys.ClientWriteIv);
        Assert.Equal(block[108..112], keys.ServerWriteIv);
    }

    [Fact]
    public void Aead_key_block_has_no_mac_keys()
    {
        using Tls12MasterSecret master = Tls12KeySchedule.DeriveMasterSecret(HashAlgorithm.Sha384, new byte[48], ClientRandom, ServerRandom);
        using Tls12KeyBlock keys = master.DeriveKeyBlock(ClientRandom, ServerRandom, 0, 32, 4);
        Assert.Empty(keys.ClientMacKey);
        Assert.Empty(keys.ServerMacKey);
        Assert.Equal(32, keys.ServerWriteKey.Length);
        Assert.Equal(4, keys.ServerWriteIv.Length);
        Assert.NotEqual(keys.ClientWriteKey, keys.ServerWriteKey);
    }

    [Fact]
    public void Finished_is_twelve_bytes_and_checked_in_constant_time()
    {
        using Tls12MasterSecret master = Tls12KeySchedule.DeriveExtendedMasterSecret(HashAlgorithm.Sha256, new byte[48], new byte[32]);
        Assert.True(master.IsExtended);
        byte[] client = master.ComputeFinished(sentByClient: true, new byte[32]);
        Assert.Equal(12, client.Length);
        Assert.True(master.VerifyFinished(true, new byte[32], client));
        Assert.False(master.VerifyFinished(false, new byte[32], client));
        Assert.False(master.VerifyFinished(true, new byte[32], client.AsSpan(0, 11)));
    }

    [Fact]
    public void Misuse_is_reported_and_secrets_are_wiped()
    {
        Assert.Throws<ArgumentException>(() => Tls12KeySchedule.DeriveMasterSecret(HashAlgorithm.Sha256, new byte[48], new byte[31], ServerRandom));
        Assert.Throws<ArgumentException>(() => Tls12KeySchedule.DeriveExtendedMasterSecret(HashAlgorithm.Sha256, new byte[48], []));
        Assert.Throws<ArgumentException>(() => Tls12KeySchedule.FromStoredMasterSecret(HashAlgorithm.Sha256, new byte[47], false));
        Tls12MasterSecret master = Tls12KeySchedule.FromStoredMasterSecret(HashAlgorithm.Sha256, new byte[48], false);
        Tls12KeyBlock block = master.DeriveKeyBlock(ClientRandom, ServerRandom, 0, 16, 4);
        block.Dispose();
        Assert.All(block.ClientWriteKey, b => Assert.Equal(0, b));
        master.Dispose();
        Assert.Throws<ObjectDisposedException>(() => master.ComputeFinished(true, new byte[32]));
    }
}
