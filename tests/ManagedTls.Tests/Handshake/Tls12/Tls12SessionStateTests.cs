using ManagedTls.CipherSuites;
using ManagedTls.Crypto;
using ManagedTls.Handshake.Sessions;
using ManagedTls.Ssl;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake.Tls12;

/// <summary>
/// The pieces TLS 1.2 sessions add to the shared session machinery: the server's session state (format 4 for TLS 1.2,
/// format 3 kept for TLS 1.3), the cache's reusable, version-bound lookups and its cache_full count, and OpenSSL's TLS
/// 1.2 session file read and written.
/// </summary>
public class Tls12SessionStateTests
{
    // openssl s_client -tls1_2 -no_ticket -servername localhost -sess_out (OpenSSL 3.0), against openssl s_server.
    private const string OpenSslTls12Session = """
        -----BEGIN SSL SESSION PARAMETERS-----
        MIICBAIBAQICAwMEAsAsBCAgFjT5gRfP7m4NAzn7kn7vJnt3Puvr0DMSTRSpfYtw
        7QQwtmfvhxi0gtIexUXazmLk/Hd5cnNT6Rv550RzgVzRWzkCky2HE48tLKl2Nu0x
        v8SFoQYCBGsReQ+iBAICHCCjggGAMIIBfDCCASOgAwIBAgIUVwaP5MdshxefjPnT
        Mssupb6a1u4wCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJbG9jYWxob3N0MB4XDTI2
        MTIwMzEzMzcwNFoXDTI2MTIwNTEzMzcwNFowFDESMBAGA1UEAwwJbG9jYWxob3N0
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWNCnvSBYjAJIbaGnZ+iI8bmSQoD3
        L8+n+RKuxCS4zEMDftiCAPPCgTnSgukVv+ZVb9cG2SSqXMy+f7PkXKuRNKNTMFEw
        HQYDVR0OBBYEFNiVMkutgAsXBBFsvHI0eKFms9FXMB8GA1UdIwQYMBaAFNiVMkut
        gAsXBBFsvHI0eKFms9FXMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAw
        RAIgNSoFp7jqFdUfjnl38B8RugkCdVMxiEmjzACKwM8TBb0CIC+WceJV/YnX5Gwy
        gNdHlN2mwEH0ZSGdzRZwZg6XqvJ0pAIEAKUDAgESrQMCAQGzAwIBHQ==
        -----END SSL SESSION PARAMETERS-----
        """;

    private static SessionTicketState State(ProtocolVersion version, bool ems, long createdMs = 1_000_000, uint lifetime = 60) =>
        new(Enumerable.Range(1, 48).Select(i => (byte)i).ToArray(), TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, createdMs, lifetime, 0)
        {
            Version = version,
            ExtendedMasterSecret = ems,
            ServerName = "localhost",
            SessionContext = [1, 2],
        };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ATls12StateRoundTripsWithItsVersionAndEmsFlag(bool ems)
    {
        using SessionTicketState state = State(ProtocolVersion.Tls12, ems);
        byte[] encoded = state.Encode();
        Assert.Equal(4, encoded[0]);
        using SessionTicketState decoded = SessionTicketState.Decode(encoded)!;
        Assert.Equal(ProtocolVersion.Tls12, decoded.Version);
        Assert.Equal(ems, decoded.ExtendedMasterSecret);
        Assert.Equal(state.Psk, decoded.Psk);
        Assert.Equal("localhost", decoded.ServerName);
    }

    [Fact]
    public void ATls13StateKeepsFormat3()
    {
        using SessionTicketState state = State(ProtocolVersion.Tls13, ems: false);
        byte[] encoded = state.Encode();
        Assert.Equal(3, encoded[0]);
        Assert.Equal(ProtocolVersion.Tls13, SessionTicketState.Decode(encoded)!.Version);

        // Format 4 carries only TLS 1.2; anything else there does not decode.
        byte[] tagged = [4, 0x03, 0x04, 0, .. encoded.AsSpan(1)];
        Assert.Null(SessionTicketState.Decode(tagged));
    }

    [Fact]
    public void TheCacheFindsATls12SessionAgainAndAgainButNeverForTls13()
    {
        using var cache = new ServerSessionCache();
        byte[] id = new byte[32];
        id[0] = 7;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        cache.Store(id, State(ProtocolVersion.Tls12, ems: true), now);
        for (int i = 0; i < 3; i++)
        {
            using SessionTicketState? found = cache.Find(id, now, out bool expired);
            Assert.NotNull(found);
            Assert.False(expired);
        }

        // A TLS 1.3 lookup (single use) neither finds nor removes it.
        Assert.Null(cache.Take(id));
        Assert.Equal(1, cache.Count);

        // A TLS 1.3 entry is not found by a TLS 1.2 lookup.
        byte[] id13 = cache.Store(State(ProtocolVersion.Tls13, ems: false), OsEntropy.Instance, now);
        Assert.Null(cache.Find(id13, now, out _));
        Assert.NotNull(cache.Take(id13));
    }

    [Fact]
    public void AnExpiredSessionIsReportedAndDropped()
    {
        using var cache = new ServerSessionCache();
        byte[] id = [1, 2, 3];
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        cache.Store(id, State(ProtocolVersion.Tls12, ems: true, lifetime: 60), now);
        Assert.Null(cache.Find(id, now.AddSeconds(61), out bool expired));
        Assert.True(expired);
        Assert.Equal(0, cache.Count);
        Assert.Null(cache.Find(id, now, out expired));
        Assert.False(expired);
    }

    [Fact]
    public void DroppingALiveSessionForRoomCountsAsCacheFullButExpiryDoesNot()
    {
        using var cache = new ServerSessionCache(capacity: 2);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        cache.Store([1], State(ProtocolVersion.Tls12, ems: true, createdMs: 1_000_000), now);
        cache.Store([2], State(ProtocolVersion.Tls12, ems: true, createdMs: 1_000_000), now);
        cache.Store([3], State(ProtocolVersion.Tls12, ems: true, createdMs: 1_000_000), now);
        Assert.Equal(1, cache.CacheFullCount);
        Assert.Null(cache.Find([1], now, out _));

        // Later, both remaining entries have expired: they leave without counting.
        DateTimeOffset later = now.AddMinutes(5);
        cache.Store([4], State(ProtocolVersion.Tls12, ems: true, createdMs: later.ToUnixTimeMilliseconds()), later);
        Assert.Equal(1, cache.CacheFullCount);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void OpenSslsTls12SessionFileIsReadAndWrittenBackTheSame()
    {
        (var tls13, Tls12Session? session) = SslSessionPem.ReadAny(OpenSslTls12Session);
        Assert.Null(tls13);
        using (session)
        {
            Assert.NotNull(session);
            Assert.Equal(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, session!.Suite.Suite);
            Assert.True(session.ExtendedMasterSecret);
            Assert.Null(session.Ticket);
            Assert.Equal(32, session.SessionId.Length);
            Assert.Equal(48, session.MasterSecret.Length);
            Assert.Equal(7200u, session.TimeoutSeconds);
            Assert.Single(session.PeerChain);
            Assert.True(session.IsResumable);

            // Written back, it reads the same (OpenSSL's fields we do not keep, such as [19], are dropped).
            (_, Tls12Session? again) = SslSessionPem.ReadAny(SslSessionPem.ToPem(session));
            using (again)
            {
                Assert.Equal(session.SessionId, again!.SessionId);
                Assert.Equal(session.MasterSecret.ToArray(), again.MasterSecret.ToArray());
                Assert.Equal(session.CreatedAt, again.CreatedAt);
                Assert.Equal(session.PeerChain, again.PeerChain);
                Assert.True(again.ExtendedMasterSecret);
            }
        }

        // The TLS 1.3-only readers refuse it.
        Assert.Throws<SslException>(() => SslSessionPem.FromPem(OpenSslTls12Session));
    }
}
