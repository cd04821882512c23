using FsCheck.Xunit;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake;

public class TranscriptHashTests
{
    private static byte[] Message(HandshakeType type, params byte[] body) =>
        [(byte)type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];

    [Fact]
    public void Hash_is_the_hash_of_the_concatenated_messages()
    {
        byte[] a = Message(HandshakeType.ClientHello, 1, 2, 3);
        byte[] b = Message(HandshakeType.ServerHello, 4, 5);
        var t = new TranscriptHash(HashAlgorithm.Sha256);
        t.Add(a);
        Assert.Equal(Hashes.Compute(HashAlgorithm.Sha256, a), t.GetCurrentHash());
        t.Add(HandshakeType.ServerHello, [4, 5]);
        Assert.Equal(Hashes.Compute(HashAlgorithm.Sha256, [.. a, .. b]), t.GetCurrentHash());
        Assert.Equal(2, t.MessageCount);
        Assert.Equal(32, t.HashLength);
    }

    [Property(MaxTest = 50)]
    public bool Buffering_until_the_suite_is_known_gives_the_same_hash(byte[][] bodies, bool sha384)
    {
        HashAlgorithm alg = sha384 ? HashAlgorithm.Sha384 : HashAlgorithm.Sha256;
        var direct = new TranscriptHash(alg);
        var buffered = new TranscriptHash();
        int split = bodies.Length / 2;
        for (int i = 0; i < bodies.Length; i++)
        {
            byte[] body = bodies[i] ?? [];
            if (i == split)
            {
                buffered.SetAlgorithm(alg);
            }

            direct.Add(HandshakeType.Certificate, body);
            buffered.Add(HandshakeType.Certificate, body);
        }

        buffered.SetAlgorithm(alg);
        return direct.GetCurrentHash().AsSpan().SequenceEqual(buffered.GetCurrentHash());
    }

    [Property(MaxTest = 50)]
    public bool Clones_are_independent(byte[] first, byte[] second)
    {
        var t = new TranscriptHash(HashAlgorithm.Sha256);
        t.Add(HandshakeType.ClientHello, first);
        TranscriptHash fork = t.Clone();
        byte[] before = t.GetCurrentHash();
        fork.Add(HandshakeType.ServerHello, second);
        return t.GetCurrentHash().AsSpan().SequenceEqual(before)
            && !fork.GetCurrentHash().AsSpan().SequenceEqual(before)
            && fork.MessageCount == 2 && t.MessageCount == 1;
    }

    [Fact]
    public void Clone_of_a_buffering_transcript_buffers_independently()
    {
        var t = new TranscriptHash();
        t.Add(HandshakeType.ClientHello, [1]);
        TranscriptHash fork = t.Clone();
        fork.Add(HandshakeType.ServerHello, [2]);
        t.SetAlgorithm(HashAlgorithm.Sha256);
        fork.SetAlgorithm(HashAlgorithm.Sha256);
        Assert.Equal(Hashes.Compute(HashAlgorithm.Sha256, Message(HandshakeType.ClientHello, 1)), t.GetCurrentHash());
        Assert.Equal(Hashes.Compute(HashAlgorithm.Sha256, [.. Message(HandshakeType.ClientHello, 1), .. Message(HandshakeType.ServerHello, 2)]),
            fork.GetCurrentHash());
    }

    [Fact]
    public void GetHashWith_hashes_a_partial_message_without_adding_it()
    {
        var t = new TranscriptHash(HashAlgorithm.Sha256);
        t.Add(HandshakeType.ServerHello, [9]);
        byte[] partial = [1, 0, 0, 10, 3, 3];
        Assert.Equal(Hashes.Compute(HashAlgorithm.Sha256, [.. Message(HandshakeType.ServerHello, 9), .. partial]), t.GetHashWith(partial));
        Assert.Equal(1, t.MessageCount);
        Assert.Equal(Hashes.Compute(HashAlgorithm.Sha256, Message(HandshakeType.ServerHello, 9)), t.GetCurrentHash());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HelloRetryRequest_replaces_ClientHello1_by_message_hash(bool sha384)
    {
        HashAlgorithm alg = sha384 ? HashAlgorithm.Sha384 : HashAlgorithm.Sha256;
        byte[] ch1 = Message(HandshakeType.ClientHello, 7, 7, 7);
        byte[] hrr = Message(HandshakeType.ServerHello, 8);
        var t = new TranscriptHash(retainMessages: true);
        t.Add(ch1);
        t.SetAlgorithm(alg);
        t.ReplaceClientHelloWithMessageHash();
        t.Add(hrr);

        byte[] h1 = Hashes.Compute(alg, ch1);
        byte[] synthetic = [254, 0, 0, (byte)h1.Length, .. h1];
        Assert.Equal(Hashes.Compute(alg, [.. synthetic, .. hrr]), t.GetCurrentHash());
        Assert.Equal([.. synthetic, .. hrr], t.RetainedMessages.ToArray());
    }

    [Fact]
    public void HelloRetryRequest_rule_needs_exactly_one_message_and_a_known_hash()
    {
        var unknown = new TranscriptHash();
        unknown.Add(HandshakeType.ClientHello, [1]);
        Assert.Throws<InvalidOperationException>(unknown.ReplaceClientHelloWithMessageHash);

        var two = new TranscriptHash(HashAlgorithm.Sha256);
        two.Add(HandshakeType.ClientHello, [1]);
        two.Add(HandshakeType.ServerHello, [1]);
        Assert.Throws<InvalidOperationException>(two.ReplaceClientHelloWithMessageHash);
    }

    [Fact]
    public void Retained_messages_are_kept_for_tls12_certificate_verify()
    {
        var t = new TranscriptHash(HashAlgorithm.Sha256, retainMessages: true);
        byte[] a = Message(HandshakeType.ClientHello, Enumerable.Repeat((byte)5, 1000).ToArray());
        byte[] b = Message(HandshakeType.ServerHelloDone);
        t.Add(a);
        t.Add(b);
        Assert.Equal([.. a, .. b], t.RetainedMessages.ToArray());
        Assert.Throws<InvalidOperationException>(() => new TranscriptHash(HashAlgorithm.Sha256).RetainedMessages.Length);
    }

    [Fact]
    public void Misuse_is_reported()
    {
        var t = new TranscriptHash();
        Assert.False(t.IsAlgorithmKnown);
        Assert.Throws<InvalidOperationException>(() => t.GetCurrentHash());
        Assert.Throws<InvalidOperationException>(() => t.Algorithm);
        Assert.Throws<ArgumentException>(() => t.Add(new byte[3]));
        t.SetAlgorithm(HashAlgorithm.Sha384);
        t.SetAlgorithm(HashAlgorithm.Sha384);
        Assert.Throws<InvalidOperationException>(() => t.SetAlgorithm(HashAlgorithm.Sha256));
        Assert.Equal(HashAlgorithm.Sha384, t.Algorithm);
    }
}
