#!/usr/bin/env python3
"""Expected values for RsaImplicitRejectionTests, RsaKeyExchangeTests and the implicit-rejection known answer.

An implementation of the key-derivation key and PRF of draft-irtf-cfrg-rsa-guidance (section 7,
"implicit rejection"), written from the draft with Python's hashlib/hmac and integer arithmetic; private keys
are read with the `cryptography` package. Nothing here calls ManagedTls or BouncyCastle.

    KDK = HMAC-SHA256(key = SHA256(I2OSP(d, k)), message = C)
    IRPRF(KDK, label, L) = first L/8 bytes of
        HMAC-SHA256(KDK, I2OSP(0, 2) || label || I2OSP(L, 2)) || HMAC-SHA256(KDK, I2OSP(1, 2) || ...) || ...

The script first checks itself against the draft's own vectors (appendix B.1: the general decryption, which
also picks a substitute length from IRPRF(KDK, "length", 2048)), then prints the TLS values: for TLS the
substitute premaster is IRPRF(KDK, "message", 384), 48 bytes, and C is the ciphertext exactly as received.

Run from the repository root: python3 tests/ManagedTls.Tests/Crypto/Vectors/rsa_implicit_rejection.py
"""
import hashlib
import hmac

from cryptography.hazmat.primitives import serialization


def load(path):
    with open(path, "rb") as f:
        numbers = serialization.load_pem_private_key(f.read(), password=None).private_numbers()
    n = numbers.public_numbers.n
    return n, numbers.public_numbers.e, numbers.d, (n.bit_length() + 7) // 8


def i2osp(x, length):
    return x.to_bytes(length, "big")


def kdk(d, k, ciphertext):
    d_hash = hashlib.sha256(i2osp(d, k)).digest()
    return hmac.new(d_hash, ciphertext, hashlib.sha256).digest()


def irprf(kdk_value, label, bits):
    out = b""
    i = 0
    while len(out) < bits // 8:
        out += hmac.new(kdk_value, i2osp(i, 2) + label + i2osp(bits, 2), hashlib.sha256).digest()
        i += 1
    return out[: bits // 8]


def general_substitute(d, k, ciphertext):
    """The draft's substitute message for a general (non-TLS) decryption: its length chosen from 128 candidates."""
    key = kdk(d, k, ciphertext)
    message = irprf(key, b"message", 8 * k)
    candidates = irprf(key, b"length", 128 * 16)
    max_length = k - 2 - 8
    mask = max_length
    for shift in (1, 2, 4, 8):
        mask |= mask >> shift
    length = 0
    for i in range(0, len(candidates), 2):
        candidate = ((candidates[i] << 8) | candidates[i + 1]) & mask
        if candidate < max_length:
            length = candidate
    return message[k - length:]


# draft-irtf-cfrg-rsa-guidance appendix B.1 (2048-bit key): invalid ciphertexts and the messages the draft expects.
DRAFT_B1 = [
    ("Invalid with second to last length",
     "1439e08c3f84c1a7fec74ce07614b20e01f6fa4e8c2a6cffdc3520d8889e5d9a950c6425798f85d4be38d300ea5695f13ecd4cb389d1ff5b"
     "82484b494d6280ab7fa78e645933981cb934cce8bfcd114cc0e6811eefa47aae20af638a1cd163d2d3366186d0a07df0c81f6c9f3171cf35"
     "61472e98a6006bf75ddb457bed036dcce199369de7d94ef2c68e8467ee0604eea2b3009479162a7891ba5c40cab17f49e1c438cb6eaea4f7"
     "6ce23cce0e483ff0e96fa790ea15be67671814342d0a23f4a20262b6182e72f3a67cd289711503c85516a9ed225422f98b116f1ab080a80a"
     "bd6f0216df88d8cfd67c139243be8dd78502a7aaf6bc99d7da71bcdf627e7354",
     "0f9b"),
    ("Invalid first byte of padding",
     "9b2ec9c0c917c98f1ad3d0119aec6be51ae3106e9af1914d48600ab6a2c0c0c8ae02a2dc3039906ff3aac904af32ec798fd65f3ad1afa2e6"
     "9400e7c1de81f5728f3b3291f38263bc7a90a0563e43ce7a0d4ee9c0d8a716621ca5d3d081188769ce1b131af7d35b13dea99153579c86db"
     "31fe07d5a2c14d621b77854e48a8df41b5798563af489a291e417b6a334c63222627376118c02c53b6e86310f728734ffc86ef9d7c8bf56c"
     "0c841b24b82b59f51aee4526ba1c4268506d301e4ebc498c6aebb6fd5258c876bf900bac8ca4d309dd522f6a6343599a8bc3760f422c10c7"
     "2d0ad527ce4af1874124ace3d99bb74db8d69d2528db22c3a37644640f95c05f",
     "a1f8c9255c35cfba403ccc"),
    ("Invalid with null padded ciphertext",
     "006f89db685c0a132700c6a17f88a37a6635d0ab89de4c45dc09736c891ca5bf3401ce34c6e5d51e94ed2f518857ddc12d9f9f9e68e01cdc"
     "30d86ae5dd83988c0c46a8e39daa1b328a23def551d67fa1964fb15242c83ddd7dd5b1aec720a391d0b86cb16cf4d3c466850c3df88a3ed8"
     "5993900d1287a0c90c4b04d34ba29e59967661f3f10e0c998f64e14e777e8e81371eca5318b4e0b53414292130c821477c51e2bff844836a"
     "b10dff293d82e4f40d345968ef268c92ed0bc238f31d50f4d3f759c23964923e135d15527556410fbd2c451d6a2aa852dc88b01139c6fdd8"
     "26736d8cd3780601b2977b09c080bd8c0fa471606ad59f053ad33d9eeb905f20",
     "2b5dd72df3cae37f1aef"),
    ("Invalid with padding separator missing",
     "3d1b97e7aa34eaf1f4fc171ceb11dcfffd9a46a5b6961205b10b302818c1fcc9f4ec78bf18ea0cee7e9fa5b16fb4c611463b368b3312ac11"
     "cf9c06b7cf72b54e284848a508d3f02328c62c2999d0fb60929f81783c7a256891bc2ff4d91df2af96a24fc5701a1823af939ce6dbdc5106"
     "08e3d41eec172ad2d51b9fc61b4217c923cadcf5bac321355ef8be5e5f090cdc2bd0c697d9058247db3ad613fdce87d2955a6d1c948a5160"
     "f93da21f731d74137f5d1f53a1923adb513d2e6e1589d44cc079f4c6ddd471d38ac82d20d8b1d21f8d65f3b6907086809f4123e08d86fb38"
     "729585de026a485d8f0e703fd4772f6668febf67df947b82195fa3867e3a3065",
     "6f09a0b62699337c497b0b"),
]

_, _, draft_d, draft_k = load("vectors/keys/cfrg-rsa-guidance-2048.pem")
for title, ciphertext, expected in DRAFT_B1:
    got = general_substitute(draft_d, draft_k, bytes.fromhex(ciphertext)).hex()
    assert got == expected, (title, got, expected)
print("draft-irtf-cfrg-rsa-guidance B.1: %d vectors reproduced" % len(DRAFT_B1))

n, e, d, k = load("vectors/keys/rsa2048.pem")


def substitute(ciphertext):
    return irprf(kdk(d, k, ciphertext), b"message", 384)


def raw_encrypt(block):
    return i2osp(pow(int.from_bytes(block, "big"), e, n), k)


def valid_block():
    # The same block as RsaKeyExchangeTests.ValidBlock: 00 02, PS = 1 + (i mod 250), 00, 03 03, bytes i.
    block = bytearray(k)
    block[1] = 2
    for i in range(2, k - 49):
        block[i] = 1 + (i % 250)
    block[k - 48] = 3
    block[k - 47] = 3
    for i in range(k - 46, k):
        block[i] = i & 0xFF
    return block


def defect(name):
    block = valid_block()
    if name == "first byte 01":
        block[0] = 1
    elif name == "second byte 01":
        block[1] = 1
    elif name == "zero in padding":
        block[50] = 0
    elif name == "no separator":
        block[k - 49] = 0x55
    elif name == "message 47 bytes":
        block[k - 49] = 0x55
        block[k - 48] = 0
    elif name == "message 49 bytes":
        block[k - 49] = 0x55
        block[k - 50] = 0
    elif name == "padding 7 bytes":
        block[9] = 0
    elif name != "valid":
        raise ValueError(name)
    return raw_encrypt(bytes(block))


valid = defect("valid")
print("rsa2048.pem, valid block: KDK", kdk(d, k, valid).hex())
print("rsa2048.pem, valid block: IRPRF(KDK, 'length', 256)", irprf(kdk(d, k, valid), b"length", 256).hex())
print("valid block, wrong client version", substitute(valid).hex())
for name in ["first byte 01", "second byte 01", "zero in padding", "no separator",
             "message 47 bytes", "message 49 bytes", "padding 7 bytes"]:
    print(name, substitute(defect(name)).hex())
print("valid block ciphertext without its first byte", substitute(valid[1:]).hex())
print("valid block ciphertext and a zero byte", substitute(valid + b"\x00").hex())
print("empty ciphertext", substitute(b"").hex())
print("ciphertext = modulus", substitute(i2osp(n, k)).hex())
print("ciphertext = 256 bytes of ff", substitute(b"\xff" * k).hex())

# The self-test case (SignatureTestVectors.PremasterCorruptedSubstitute): the openssl-made ciphertext, byte 100 ^ 0x40.
with open("vectors/keys/sigs/premaster.enc", "rb") as f:
    corrupted = bytearray(f.read())
corrupted[100] ^= 0x40
print("openssl ciphertext, byte 100 ^ 0x40", substitute(bytes(corrupted)).hex())
