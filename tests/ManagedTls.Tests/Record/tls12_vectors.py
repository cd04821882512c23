#!/usr/bin/env python3
"""Independent TLS 1.2 record vectors for Tls12RecordVectorTests, built with pyca/cryptography.

Run: python3 tls12_vectors.py   (prints the C# TheoryData rows pasted into Tls12RecordVectorTests.cs)
"""
import hashlib, hmac, struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESCCM, ChaCha20Poly1305

def h(n, seed):
    return bytes((seed * 31 + i * 7) & 0xff for i in range(n))

def hdr(t, length):
    return bytes([t]) + b"\x03\x03" + struct.pack(">H", length)

def aead(kind, key, iv, seq, t, content):
    aad = struct.pack(">Q", seq) + bytes([t]) + b"\x03\x03" + struct.pack(">H", len(content))
    if kind == "chacha":
        nonce = bytes(a ^ b for a, b in zip(iv, b"\x00" * 4 + struct.pack(">Q", seq)))
        frag = ChaCha20Poly1305(key).encrypt(nonce, content, aad)
    else:
        explicit = struct.pack(">Q", seq)
        nonce = iv + explicit
        if kind == "gcm":
            ct = AESGCM(key).encrypt(nonce, content, aad)
        else:
            ct = AESCCM(key, tag_length=8 if kind == "ccm8" else 16).encrypt(nonce, content, aad)
        frag = explicit + ct
    return hdr(t, len(frag)) + frag

def cbc(hashname, etm, key, mackey, iv, seq, t, content, extra_pad=0):
    hm = lambda data: hmac.new(mackey, data, hashname).digest()
    def enc(p):
        e = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        return e.update(p) + e.finalize()
    def pad(length):
        n = 16 - (length % 16) + extra_pad
        return bytes([n - 1]) * n
    if not etm:
        mac = hm(struct.pack(">Q", seq) + bytes([t]) + b"\x03\x03" + struct.pack(">H", len(content)) + content)
        body = content + mac
        frag = iv + enc(body + pad(len(body)))
    else:
        c = iv + enc(content + pad(len(content)))
        mac = hm(struct.pack(">Q", seq) + bytes([t]) + b"\x03\x03" + struct.pack(">H", len(c)) + c)
        frag = c + mac
    return hdr(t, len(frag)) + frag

rows = []
content = h(37, 1)
for name, kind, klen, ivlen in [("Aes128Gcm", "gcm", 16, 4), ("Aes256Gcm", "gcm", 32, 4), ("ChaCha20Poly1305", "chacha", 32, 12),
                                ("Aes128Ccm", "ccm", 16, 4), ("Aes128Ccm8", "ccm8", 16, 4), ("Aes256Ccm", "ccm", 32, 4),
                                ("Aes256Ccm8", "ccm8", 32, 4)]:
    key, iv, seq = h(klen, 2), h(ivlen, 3), 0x0a0b0c
    rows.append(("aead", name, key.hex(), iv.hex(), seq, 23, content.hex(), aead(kind, key, iv, seq, 23, content).hex()))
for hashname, mlen, klen, etm, extra in [("Sha1", 20, 16, False, 0), ("Sha256", 32, 16, False, 0), ("Sha384", 48, 32, False, 0),
                                         ("Sha256", 32, 16, True, 0), ("Sha256", 32, 16, False, 32), ("Sha1", 20, 32, True, 48)]:
    key, mackey, iv, seq = h(klen, 4), h(mlen, 5), h(16, 6), 9
    rec = cbc(hashname.lower().replace("sha", "sha"), etm, key, mackey, iv, seq, 22, content, extra)
    rows.append(("cbc", f"{hashname}{'-etm' if etm else ''}{'-pad' + str(extra) if extra else ''}", key.hex(), mackey.hex() + ":" + iv.hex(), seq, 22, content.hex(), rec.hex()))
for r in rows:
    print('            { "%s", "%s", "%s", "%s", 0x%xUL, %d, "%s", "%s" },' % r)
