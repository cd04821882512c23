using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Tests.Vectors;

namespace ManagedTls.Tests.Handshake;

public class Tls13KeyScheduleTests
{
    private static readonly byte[] ZeroHash = new byte[32];

    [Fact]
    public void Stages_are_consumed_and_wiped_by_the_next_stage()
    {
        Tls13EarlySecret early = Tls13EarlySecret.WithoutPsk(HashAlgorithm.Sha256);
        Tls13HandshakeSecret hs = early.ToHandshakeSecret(new byte[32]);
        Assert.Throws<ObjectDisposedException>(() => early.Secret.Length);
        Assert.Throws<ObjectDisposedException>(() => early.ToHandshakeSecret(new byte[32]));
        Tls13MasterSecret ms = hs.ToMasterSecret();
        Assert.Throws<ObjectDisposedException>(() => hs.ClientHandshakeTrafficSecret(ZeroHash));
        Assert.Throws<ObjectDisposedException>(() => hs.ToMasterSecret());
        ms.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ms.ExporterMasterSecret(ZeroHash));
    }

    [Fact]
    public void Early_secrets_and_binders_need_a_psk()
    {
        using Tls13EarlySecret early = Tls13EarlySecret.WithoutPsk(HashAlgorithm.Sha256);
        Assert.False(early.HasPsk);
        Assert.Throws<InvalidOperationException>(() => early.BinderKey(PskKind.Resumption));
        Assert.Throws<InvalidOperationException>(() => early.ClientEarlyTrafficSecret(ZeroHash));
        Assert.Throws<InvalidOperationException>(() => early.EarlyExporterMasterSecret(ZeroHash));
        Assert.Throws<ArgumentException>(() => Tls13EarlySecret.WithPsk(HashAlgorithm.Sha256, []));
    }

    [Fact]
    public void External_and_resumption_binder_keys_differ()
    {
        using Tls13EarlySecret early = Tls13EarlySecret.WithPsk(HashAlgorithm.Sha256, new byte[32]);
        Assert.NotEqual(early.BinderKey(PskKind.External), early.BinderKey(PskKind.Resumption));
        byte[] binder = early.ComputeBinder(PskKind.External, ZeroHash);
        Assert.True(early.VerifyBinder(PskKind.External, ZeroHash, binder));
        Assert.False(early.VerifyBinder(PskKind.External, ZeroHash, binder.AsSpan(0, 31)));
    }

    [Fact]
    public void Transcript_hash_of_the_wrong_length_is_refused()
    {
        using Tls13EarlySecret early = Tls13EarlySecret.WithoutPsk(HashAlgorithm.Sha384);
        using Tls13HandshakeSecret hs = early.ToHandshakeSecret(new byte[48]);
        Assert.Throws<ArgumentException>(() => hs.ServerHandshakeTrafficSecret(ZeroHash));
        using Tls13TrafficSecret ok = hs.ServerHandshakeTrafficSecret(new byte[48]);
        Assert.Equal(48, ok.Secret.Length);
    }

    [Fact]
    public void KeyUpdate_follows_traffic_upd_and_wipes_the_old_secret()
    {
        // RFC 8448 section 3 client_application_traffic_secret_0; N+1, N+2 and the N+1 key from OpenSSL's
        // HKDF (mode EXPAND_ONLY, info = HkdfLabel(32, "tls13 traffic upd", "") and HkdfLabel(16, "tls13 key", "")).
        Rfc8448Trace trace = Rfc8448Trace.Load(3);
        byte[] secret0 = trace.Get("server", "derive secret \"tls13 c ap traffic\"")["expanded"];
        using var secret = Tls13TrafficSecret.FromBytes(HashAlgorithm.Sha256, secret0, isApplicationSecret: true);
        Assert.Equal(0, secret.Generation);
        secret.Update();
        Assert.Equal(1, secret.Generation);
        Assert.Equal("fcdfcc72725aaee48bf64e4fd8b749cdbdbab39d90da0b26e2245ca6ea167207", CryptoUtil.ToHex(secret.Secret));
        using (Tls13TrafficKeys keys = secret.DeriveKeys(16, 12))
        {
            Assert.Equal("3879d82f5f14056e623f2ce5bfc66fce", CryptoUtil.ToHex(keys.Key));
        }

        secret.Update();
        Assert.Equal("68474fe58c172143d0a009a76edd231b0d934f3058588ea0852662279e54a573", CryptoUtil.ToHex(secret.Secret));
        using var handshakeSecret = Tls13TrafficSecret.FromBytes(HashAlgorithm.Sha256, secret0, isApplicationSecret: false);
        Assert.Throws<InvalidOperationException>(handshakeSecret.Update);
    }

    [Fact]
    public void Ticket_psk_depends_on_the_nonce()
    {
        Rfc8448Trace trace = Rfc8448Trace.Load(3);
        Rfc8448Step step = trace.Get("server", "generate resumption secret \"tls13 resumption\"");
        byte[] resumptionMaster = step["PRK"];
        Assert.Equal(CryptoUtil.ToHex(step["expanded"]), CryptoUtil.ToHex(Tls13KeySchedule.ResumptionPsk(HashAlgorithm.Sha256, resumptionMaster, [0, 0])));
        Assert.NotEqual(CryptoUtil.ToHex(step["expanded"]), CryptoUtil.ToHex(Tls13KeySchedule.ResumptionPsk(HashAlgorithm.Sha256, resumptionMaster, [0, 1])));
        Assert.Throws<ArgumentException>(() => Tls13KeySchedule.ResumptionPsk(HashAlgorithm.Sha256, resumptionMaster, new byte[256]));
    }

    [Fact]
    public void Traffic_keys_are_wiped_on_dispose()
    {
        using var secret = Tls13TrafficSecret.FromBytes(HashAlgorithm.Sha256, new byte[32], isApplicationSecret: false);
        Tls13TrafficKeys keys = secret.DeriveKeys(32, 12);
        Assert.Equal(32, keys.Key.Length);
        keys.Dispose();
        Assert.All(keys.Key, b => Assert.Equal(0, b));
        Assert.All(keys.Iv, b => Assert.Equal(0, b));
        Assert.Throws<ArgumentOutOfRangeException>(() => secret.DeriveKeys(0, 12));
    }

    [Fact]
    public void Psk_ke_mode_uses_zeros_for_the_shared_secret()
    {
        using Tls13EarlySecret a = Tls13EarlySecret.WithPsk(HashAlgorithm.Sha256, [1, 2, 3]);
        using Tls13EarlySecret b = Tls13EarlySecret.WithPsk(HashAlgorithm.Sha256, [1, 2, 3]);
        using Tls13HandshakeSecret withoutDhe = a.ToHandshakeSecret([]);
        using Tls13HandshakeSecret withZeros = b.ToHandshakeSecret(new byte[32]);
        Assert.Equal(withZeros.Secret.ToArray(), withoutDhe.Secret.ToArray());
    }
}
