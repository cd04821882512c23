using System.Text;
using System.Text.RegularExpressions;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Record;
using ManagedTls.Tests.Vectors;
using ManagedTls.Wire;

namespace ManagedTls.Tests.Handshake;

/// <summary>
/// Walks an RFC 8448 trace step by step and recomputes every value with the key schedule, the transcript hash,
/// the key exchanges and TLS 1.3 record protection: secrets, keys and IVs, Finished values, the PSK binder,
/// transcript hashes, HKDF labels and every record. Inputs are only what a real peer would have: the private
/// keys (or, where no key exchange applies, the RFC's IKM), the handshake messages and record payloads.
/// Each comparison is counted per category; every value of every step must be either compared or declared an
/// input, so nothing in the trace goes unexamined.
/// </summary>
internal sealed partial class Rfc8448Replay
{
    private const HashAlgorithm Hash = HashAlgorithm.Sha256;
    private const AeadAlgorithm Aead = AeadAlgorithm.Aes128Gcm;
    private const int KeyLength = 16;
    private const int IvLength = 12;

    private static readonly byte[] HelloRetryRequestRandom =
        CryptoUtil.FromHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    private readonly Rfc8448Trace _trace;
    private readonly byte[]? _expectedPsk;
    private readonly HashSet<Rfc8448Value> _examined = new(ReferenceEqualityComparer.Instance);
    private readonly TranscriptHash _transcript;
    private TranscriptHash? _beforeClientHello;
    private byte[]? _lastClientHello;
    private Tls13EarlySecret? _early;
    private Tls13HandshakeSecret? _handshake;
    private Tls13MasterSecret? _master;
    private readonly Dictionary<string, byte[]> _known = [];
    private readonly Dictionary<(string Side, string Epoch), Tls13TrafficSecret> _traffic = [];
    private Tls13ExporterSecret? _exporter;
    private Tls13ExporterSecret? _earlyExporter;
    private Tls13ResumptionMasterSecret? _resumption;
    private readonly Dictionary<string, (Tls13RecordProtection Protection, byte[] Key, byte[] Iv)?> _write = new() { ["client"] = null, ["server"] = null };
    private readonly Dictionary<string, List<byte[]>> _pending = new() { ["client"] = [], ["server"] = [] };
    private readonly Dictionary<string, IKeyExchange> _keyPairs = [];
    private readonly Dictionary<string, byte[]> _finished = [];
    private byte[]? _ticketNonce;
    private byte[]? _binderHash;
    private byte[]? _binder;

    private Rfc8448Replay(Rfc8448Trace trace, byte[]? expectedPsk)
    {
        _trace = trace;
        _expectedPsk = expectedPsk;
        // Section 4 resumes with a PSK whose hash is known before the ClientHello (the binder needs it); the
        // others start without an algorithm and buffer the ClientHello until the ServerHello names the suite.
        _transcript = trace.Section == 4 ? new TranscriptHash(Hash) : new TranscriptHash();
    }

    /// <summary>Comparisons made, per category.</summary>
    public SortedDictionary<string, int> Checks { get; } = new(StringComparer.Ordinal);

    /// <summary>Values used as inputs (private keys, handshake messages, payloads, zero IKMs).</summary>
    public int Inputs { get; private set; }

    /// <summary>The PSK the NewSessionTicket of this trace stands for (section 3), if any.</summary>
    public byte[]? ResumptionPsk { get; private set; }

    /// <summary>Values of the trace that were neither compared nor used as input (should be none).</summary>
    public List<string> Unexamined { get; } = [];

    /// <summary>Total number of comparisons and assertions, per <see cref="Checks"/>.</summary>
    public int TotalChecks => Checks.Values.Sum();

    /// <summary>How many of the trace's values were compared with a computed value.</summary>
    public int ValuesCompared => _examined.Count - Inputs;

    /// <summary>How many named values the trace has.</summary>
    public int ValuesInTrace => _trace.Steps.Sum(s => s.Values.Count);

    /// <summary>Replays <paramref name="trace"/>; throws on the first value that differs.</summary>
    public static Rfc8448Replay Run(Rfc8448Trace trace, byte[]? expectedPsk = null)
    {
        var replay = new Rfc8448Replay(trace, expectedPsk);
        try
        {
            foreach (Rfc8448Step step in trace.Steps)
            {
                replay.Apply(step);
            }

            foreach (Rfc8448Step step in trace.Steps)
            {
                foreach (Rfc8448Value v in step.Values.Where(v => !replay._examined.Contains(v)))
                {
                    replay.Unexamined.Add($"{step}: {v.Name}");
                }
            }
        }
        finally
        {
            replay.DisposeAll();
        }

        return replay;
    }

    private void Apply(Rfc8448Step step)
    {
        string label = step.Label;
        Match m;
        if ((m = KeyPairLabel().Match(label)).Success)
        {
            KeyPair(step, m.Groups[1].Value);
        }
        else if ((m = ConstructLabel().Match(label)).Success)
        {
            Construct(step, m.Groups[1].Value);
        }
        else if ((m = SendLabel().Match(label)).Success)
        {
            Send(step, m.Groups[1].Value);
        }
        else if (label == "extract secret \"early\"")
        {
            ExtractEarly(step);
        }
        else if (label == "calculate PSK binder")
        {
            Binder(step);
        }
        else if ((m = DerivedLabel().Match(label)).Success)
        {
            Derived(step, m.Groups[1].Value);
        }
        else if (label == "extract secret \"handshake\"")
        {
            ExtractHandshake(step);
        }
        else if (label == "extract secret \"master\"")
        {
            ExtractMaster(step);
        }
        else if ((m = DeriveSecretLabel().Match(label)).Success)
        {
            DeriveSecret(step, m.Groups[1].Value);
        }
        else if ((m = TrafficKeysLabel().Match(label)).Success)
        {
            TrafficKeys(step, m.Groups[1].Value == "write", m.Groups[2].Value);
        }
        else if (label == "calculate finished \"tls13 finished\"")
        {
            Finished(step);
        }
        else if (label == "generate resumption secret \"tls13 resumption\"")
        {
            Resumption(step);
        }
        else
        {
            throw new InvalidDataException($"section {_trace.Section}: no replay for step {step}");
        }
    }

    private void KeyPair(Rfc8448Step step, string group)
    {
        byte[] privateKey = Input(step, "private key");
        IKeyExchange pair = group == "x25519"
            ? KeyExchanges.X25519.Generate(new ReplayEntropy(privateKey))
            : ((EcdhKeyExchange)KeyExchanges.Secp256r1).FromPrivateKey(privateKey);
        Check(step, "public key", "key share", pair.PublicShare.ToArray());
        if (_keyPairs.Remove(step.Actor, out IKeyExchange? old))
        {
            old.Dispose();
        }

        _keyPairs[step.Actor] = pair;
    }

    private void Construct(Rfc8448Step step, string messageName)
    {
        byte[] message = messageName == "Finished" ? step[messageName] : Input(step, messageName);
        switch (messageName)
        {
            case "ClientHello":
                _beforeClientHello = _transcript.Clone();
                _lastClientHello = message;
                if (4 + ((message[1] << 16) | (message[2] << 8) | message[3]) > message.Length)
                {
                    // Section 4 shows the ClientHello without its binders list (its length field counts them):
                    // it joins the transcript once the binder is computed.
                    return;
                }

                break;
            case "ServerHello":
                _transcript.SetAlgorithm(Hash);
                if (message.AsSpan(6, 32).SequenceEqual(HelloRetryRequestRandom))
                {
                    _transcript.ReplaceClientHelloWithMessageHash();
                    Count("HelloRetryRequest message_hash");
                }

                break;
            case "Finished":
                byte[] expected = [(byte)HandshakeType.Finished, 0, 0, 32, .. _finished[step.Actor]];
                Check(step, "Finished", "Finished message", expected);
                break;
            case "NewSessionTicket":
                // struct { uint32 ticket_lifetime; uint32 ticket_age_add; opaque ticket_nonce<0..255>; ... }
                byte[] nonce = message.AsSpan(4 + 8 + 1, message[4 + 8]).ToArray();
                Assert.Equal(CryptoUtil.ToHex(_ticketNonce!), CryptoUtil.ToHex(nonce));
                Count("ticket_nonce");
                break;
        }

        _transcript.Add(message);
        _pending[step.Actor].Add(message);
    }

    private void Send(Rfc8448Step step, string kind)
    {
        ContentType type = kind switch
        {
            "handshake" => ContentType.Handshake,
            "application_data" => ContentType.ApplicationData,
            "alert" => ContentType.Alert,
            "change_cipher_spec" => ContentType.ChangeCipherSpec,
            _ => throw new InvalidDataException(kind),
        };
        byte[] payload;
        if (type == ContentType.Handshake)
        {
            byte[] messages = _pending[step.Actor].SelectMany(x => x).ToArray();
            _pending[step.Actor].Clear();
            payload = Check(step, "payload", "record payload (handshake messages)", messages);
        }
        else
        {
            payload = Input(step, "payload");
        }

        var write = type == ContentType.ChangeCipherSpec ? null : _write[step.Actor];
        if (write is null)
        {
            byte[] complete = step["complete record"];
            byte[] expected = [(byte)type, complete[1], complete[2], (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
            Assert.True(complete[1] == 3 && complete[2] is 1 or 3, $"{step}: legacy_record_version");
            Check(step, "complete record", "plaintext record", expected);
            return;
        }

        (Tls13RecordProtection protection, byte[] key, byte[] iv) = write.Value;
        ulong seq = protection.SequenceNumber;
        byte[] sealedRecord = new byte[protection.MaxRecordLength(payload.Length)];
        int n = protection.Seal(type, payload, sealedRecord);
        byte[] record = Check(step, "complete record", "protected record", sealedRecord.AsSpan(0, n).ToArray());

        using var opener = new Tls13RecordProtection(Aead, key, iv) { SequenceNumber = seq };
        byte[] fragment = record.AsSpan(5).ToArray();
        ContentType opened = opener.Open((ContentType)record[0], (ushort)((record[1] << 8) | record[2]), fragment, out Span<byte> content);
        Assert.Equal(type, opened);
        Assert.Equal(CryptoUtil.ToHex(payload), CryptoUtil.ToHex(content));
        Count("protected record opened");
    }

    private void ExtractEarly(Rfc8448Step step)
    {
        if (_early is null)
        {
            byte[] ikm = step["IKM"];
            bool hasPsk = ikm.Any(b => b != 0);
            Rfc8448Value salt = step.Values.Single(v => v.Name == "salt");
            Assert.Equal("0 (all zero octets)", salt.Note);
            Input(step, "salt");
            if (hasPsk)
            {
                if (_expectedPsk is not null)
                {
                    Check(step, "IKM", "PSK from the earlier ticket", _expectedPsk);
                }
                else
                {
                    Input(step, "IKM");
                }

                _early = Tls13EarlySecret.WithPsk(Hash, ikm);
            }
            else
            {
                Assert.Equal(32, ikm.Length);
                Input(step, "IKM");
                _early = Tls13EarlySecret.WithoutPsk(Hash);
            }

            _known["early"] = _early.Secret.ToArray();
        }

        CheckIfPresent(step, "secret", "secret", _known["early"]);
    }

    private void Binder(Rfc8448Step step)
    {
        if (step.IsSameAs)
        {
            // The server recomputes the binder from its own early secret and the received ClientHello.
            Assert.True(_early!.VerifyBinder(PskKind.Resumption, _binderHash!, _binder!));
            Count("PSK binder verified");
            return;
        }

        byte[] truncated = _lastClientHello!;
        byte[] prefix = Check(step, "ClientHello prefix", "truncated ClientHello", truncated);
        byte[] binderHash = Check(step, "binder hash", "transcript hash", _beforeClientHello!.GetHashWith(prefix));
        byte[] binderKey = Check(step, "PRK", "secret", _early!.BinderKey(PskKind.Resumption));
        Check(step, "hash", "transcript hash", []);
        CheckInfo(step, "info", "finished", [], 32);
        Check(step, "expanded", "finished key", Tls13KeySchedule.FinishedKey(Hash, binderKey));
        byte[] binder = Check(step, "finished", "PSK binder", _early.ComputeBinder(PskKind.Resumption, binderHash));
        Assert.True(_early.VerifyBinder(PskKind.Resumption, binderHash, binder));
        Assert.False(_early.VerifyBinder(PskKind.External, binderHash, binder));
        _binderHash = binderHash;
        _binder = binder;

        // PskBinderEntry binders<33..2^16-1>: uint16 list length, then opaque PskBinderEntry<32..255>.
        byte[] clientHello = [.. prefix, 0, 33, 32, .. binder];
        Assert.Equal(4 + ((clientHello[1] << 16) | (clientHello[2] << 8) | clientHello[3]), clientHello.Length);
        _transcript.Add(clientHello);
        _pending[step.Actor].Add(clientHello);
    }

    private void Derived(Rfc8448Step step, string stage)
    {
        string from = stage == "handshake" ? "early" : "handshake";
        string name = "derived:" + stage;
        if (!_known.ContainsKey(name))
        {
            _known[name] = Tls13KeySchedule.DeriveSecretEmpty(Hash, _known[from], "derived");
        }

        if (step.IsSameAs)
        {
            return;
        }

        Check(step, "PRK", "secret", _known[from]);
        byte[] emptyHash = Check(step, "hash", "transcript hash", Hashes.Compute(Hash, []));
        CheckInfo(step, "info", "derived", emptyHash, 32);
        Check(step, "expanded", "secret", _known[name]);
    }

    private void ExtractHandshake(Rfc8448Step step)
    {
        if (_handshake is null)
        {
            byte[] ikm = step["IKM"];
            if (_keyPairs.TryGetValue("client", out IKeyExchange? client) && _keyPairs.TryGetValue("server", out IKeyExchange? server))
            {
                byte[] clientSide = client.DeriveSharedSecret(server.PublicShare);
                byte[] serverSide = server.DeriveSharedSecret(client.PublicShare);
                Assert.Equal(CryptoUtil.ToHex(clientSide), CryptoUtil.ToHex(serverSide));
                ikm = Check(step, "IKM", "(EC)DHE shared secret", clientSide);
            }
            else
            {
                Input(step, "IKM");
            }

            Check(step, "salt", "secret", _known["derived:handshake"]);
            _handshake = _early!.ToHandshakeSecret(ikm);
            Assert.Throws<ObjectDisposedException>(() => _early.Secret.Length);
            _known["handshake"] = _handshake.Secret.ToArray();
        }

        CheckIfPresent(step, "secret", "secret", _known["handshake"]);
    }

    private void ExtractMaster(Rfc8448Step step)
    {
        if (_master is null)
        {
            Assert.True(step["IKM"].All(b => b == 0) && step["IKM"].Length == 32);
            Input(step, "IKM");
            Check(step, "salt", "secret", _known["derived:master"]);
            _master = _handshake!.ToMasterSecret();
            Assert.Throws<ObjectDisposedException>(() => _handshake.Secret.Length);
            _known["master"] = _master.Secret.ToArray();
        }

        CheckIfPresent(step, "secret", "secret", _known["master"]);
    }

    private void DeriveSecret(Rfc8448Step step, string label)
    {
        string key = "secret:" + label;
        if (!_known.ContainsKey(key))
        {
            byte[] th = _transcript.GetCurrentHash();
            _known["th:" + label] = th;
            (string stage, byte[] secret) = label switch
            {
                "c e traffic" => ("early", Keep(_traffic, ("client", "early"), _early!.ClientEarlyTrafficSecret(th))),
                "e exp master" => ("early", Keep(ref _earlyExporter, _early!.EarlyExporterMasterSecret(th))),
                "c hs traffic" => ("handshake", Keep(_traffic, ("client", "handshake"), _handshake!.ClientHandshakeTrafficSecret(th))),
                "s hs traffic" => ("handshake", Keep(_traffic, ("server", "handshake"), _handshake!.ServerHandshakeTrafficSecret(th))),
                "c ap traffic" => ("master", Keep(_traffic, ("client", "application"), _master!.ClientApplicationTrafficSecret(th))),
                "s ap traffic" => ("master", Keep(_traffic, ("server", "application"), _master!.ServerApplicationTrafficSecret(th))),
                "exp master" => ("master", Keep(ref _exporter, _master!.ExporterMasterSecret(th))),
                "res master" => ("master", Keep(ref _resumption, _master!.ResumptionMasterSecret(th))),
                _ => throw new InvalidDataException($"unknown Derive-Secret label '{label}'"),
            };
            _known[key] = secret;
            _known["prk:" + label] = _known[stage];
        }

        if (step.IsSameAs)
        {
            return;
        }

        Check(step, "PRK", "secret", _known["prk:" + label]);
        Check(step, "hash", "transcript hash", _known["th:" + label]);
        CheckInfo(step, "info", label, _known["th:" + label], 32);
        Check(step, "expanded", "secret", _known[key]);
    }

    private void TrafficKeys(Rfc8448Step step, bool write, string data)
    {
        string side = write ? step.Actor : Peer(step.Actor);
        string epoch = data switch
        {
            "handshake" => "handshake",
            "application" => "application",
            "early application" => "early",
            _ => throw new InvalidDataException(data),
        };
        Tls13TrafficSecret secret = _traffic[(side, epoch)];
        using Tls13TrafficKeys keys = secret.DeriveKeys(KeyLength, IvLength);
        if (write)
        {
            _write[step.Actor]?.Protection.Dispose();
            _write[step.Actor] = (new Tls13RecordProtection(Aead, keys.Key, keys.Iv), keys.Key.ToArray(), keys.Iv.ToArray());
        }

        if (step.IsSameAs)
        {
            return;
        }

        Check(step, "PRK", "secret", secret.Secret.ToArray());
        CheckInfo(step, "key info", "key", [], KeyLength);
        Check(step, "key expanded", "traffic key", keys.Key);
        CheckInfo(step, "iv info", "iv", [], IvLength);
        Check(step, "iv expanded", "traffic iv", keys.Iv);
    }

    private void Finished(Rfc8448Step step)
    {
        if (step.IsSameAs)
        {
            return;
        }

        Tls13TrafficSecret baseKey = _traffic[(step.Actor, "handshake")];
        byte[] th = _transcript.GetCurrentHash();
        Check(step, "PRK", "secret", baseKey.Secret.ToArray());
        Check(step, "hash", "transcript hash", []);
        CheckInfo(step, "info", "finished", [], 32);
        Check(step, "expanded", "finished key", Tls13KeySchedule.FinishedKey(Hash, baseKey.Secret));
        byte[] verifyData = Check(step, "finished", "Finished verify_data", baseKey.ComputeFinished(th));
        Assert.True(baseKey.VerifyFinished(th, verifyData));
        verifyData[0] ^= 1;
        Assert.False(baseKey.VerifyFinished(th, verifyData));
        verifyData[0] ^= 1;
        _finished[step.Actor] = verifyData;
    }

    private void Resumption(Rfc8448Step step)
    {
        if (step.IsSameAs)
        {
            return;
        }

        Check(step, "PRK", "secret", _resumption!.Secret.ToArray());
        _ticketNonce = Input(step, "hash");
        CheckInfo(step, "info", "resumption", _ticketNonce, 32);
        ResumptionPsk = Check(step, "expanded", "secret", _resumption.TicketPsk(_ticketNonce));
    }

    private byte[] Check(Rfc8448Step step, string name, string category, byte[] actual)
    {
        Rfc8448Value value = step.Values.Single(v => v.Name == name);
        Assert.True(CryptoUtil.ToHex(value.Bytes) == CryptoUtil.ToHex(actual),
            $"RFC 8448 section {_trace.Section} {step}: {name}\n expected {CryptoUtil.ToHex(value.Bytes)}\n computed {CryptoUtil.ToHex(actual)}");
        _examined.Add(value);
        Count(category);
        return value.Bytes;
    }

    private void CheckIfPresent(Rfc8448Step step, string name, string category, byte[] actual)
    {
        if (step.Has(name))
        {
            Check(step, name, category, actual);
        }
    }

    /// <summary>Checks an HKDF "info" value against the HkdfLabel structure of RFC 8446 section 7.1.</summary>
    private void CheckInfo(Rfc8448Step step, string name, string label, byte[] context, int length)
    {
        byte[] fullLabel = Encoding.ASCII.GetBytes("tls13 " + label);
        byte[] info = [(byte)(length >> 8), (byte)length, (byte)fullLabel.Length, .. fullLabel, (byte)context.Length, .. context];
        Check(step, name, "HkdfLabel info", info);
    }

    private byte[] Input(Rfc8448Step step, string name)
    {
        Rfc8448Value value = step.Values.Single(v => v.Name == name);
        _examined.Add(value);
        Inputs++;
        return value.Bytes;
    }

    private void Count(string category) => Checks[category] = Checks.GetValueOrDefault(category) + 1;

    private static byte[] Keep<TKey>(Dictionary<TKey, Tls13TrafficSecret> map, TKey key, Tls13TrafficSecret secret)
        where TKey : notnull
    {
        map[key] = secret;
        return secret.Secret.ToArray();
    }

    private static byte[] Keep<T>(ref T? slot, T secret)
        where T : Tls13DerivedSecret
    {
        slot = secret;
        return secret.Secret.ToArray();
    }

    private static string Peer(string actor) => actor == "client" ? "server" : "client";

    private void DisposeAll()
    {
        _early?.Dispose();
        _handshake?.Dispose();
        _master?.Dispose();
        _exporter?.Dispose();
        _earlyExporter?.Dispose();
        _resumption?.Dispose();
        foreach (Tls13TrafficSecret s in _traffic.Values)
        {
            s.Dispose();
        }

        foreach (var w in _write.Values)
        {
            w?.Protection.Dispose();
        }

        foreach (IKeyExchange k in _keyPairs.Values)
        {
            k.Dispose();
        }
    }

    [GeneratedRegex("^create an ephemeral (x25519|P-256) key pair$")]
    private static partial Regex KeyPairLabel();

    [GeneratedRegex("^construct an? (\\w+) handshake message$")]
    private static partial Regex ConstructLabel();

    [GeneratedRegex("^send (handshake|application_data|alert|change_cipher_spec) record$")]
    private static partial Regex SendLabel();

    [GeneratedRegex("^derive secret for (handshake|master) \"tls13 derived\"$")]
    private static partial Regex DerivedLabel();

    [GeneratedRegex("^derive secret \"tls13 ([a-z ]+)\"$")]
    private static partial Regex DeriveSecretLabel();

    [GeneratedRegex("^derive (write|read) traffic keys for (handshake|application|early application) data$")]
    private static partial Regex TrafficKeysLabel();
}
