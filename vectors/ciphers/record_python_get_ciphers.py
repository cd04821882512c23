#!/usr/bin/env python3
"""Records the fields Python's SSLContext.get_ciphers() reports for every cipher suite.

Writes python_get_ciphers.json next to this script (or prints it with --stdout). Python's own
get_ciphers() is the source for every suite it can list; the two TLS 1.3 CCM suites, which Python
cannot enable (it has no set_ciphersuites), are read from the same libssl through ctypes, computing
each field exactly as Python's cipher_to_dict does. Where both sources list a suite, they must agree.
"""
import ctypes
import ctypes.util
import json
import os
import ssl
import sys


def python_dicts():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    return ctx.get_ciphers()


def libssl_dicts(tls13_list):
    lib = ctypes.CDLL(ctypes.util.find_library("ssl") or "libssl.so.3")
    crypto = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
    vp, cp, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    lib.TLS_method.restype = vp
    lib.SSL_CTX_new.restype, lib.SSL_CTX_new.argtypes = vp, [vp]
    lib.SSL_CTX_set_ciphersuites.argtypes = [vp, cp]
    lib.SSL_CTX_set_cipher_list.argtypes = [vp, cp]
    lib.SSL_new.restype, lib.SSL_new.argtypes = vp, [vp]
    lib.SSL_get_ciphers.restype, lib.SSL_get_ciphers.argtypes = vp, [vp]
    crypto.OPENSSL_sk_num.argtypes = [vp]
    crypto.OPENSSL_sk_value.restype, crypto.OPENSSL_sk_value.argtypes = vp, [vp, ci]
    lib.SSL_CIPHER_get_id.restype, lib.SSL_CIPHER_get_id.argtypes = ctypes.c_ulong, [vp]
    for f in ("SSL_CIPHER_get_name", "SSL_CIPHER_get_version"):
        getattr(lib, f).restype, getattr(lib, f).argtypes = cp, [vp]
    lib.SSL_CIPHER_description.restype, lib.SSL_CIPHER_description.argtypes = cp, [vp, cp, ci]
    lib.SSL_CIPHER_get_bits.argtypes = [vp, ctypes.POINTER(ci)]
    for f in ("SSL_CIPHER_is_aead", "SSL_CIPHER_get_cipher_nid", "SSL_CIPHER_get_digest_nid",
              "SSL_CIPHER_get_kx_nid", "SSL_CIPHER_get_auth_nid"):
        getattr(lib, f).argtypes = [vp]
    crypto.OBJ_nid2ln.restype, crypto.OBJ_nid2ln.argtypes = cp, [ci]

    def ln(nid):
        return None if nid == 0 else crypto.OBJ_nid2ln(nid).decode()

    ctx = lib.SSL_CTX_new(lib.TLS_method())
    assert lib.SSL_CTX_set_ciphersuites(ctx, tls13_list.encode()) == 1
    assert lib.SSL_CTX_set_cipher_list(ctx, b"ALL:COMPLEMENTOFALL:@SECLEVEL=0") == 1
    s = lib.SSL_new(ctx)
    sk = lib.SSL_get_ciphers(s)
    out = []
    for i in range(crypto.OPENSSL_sk_num(sk)):
        c = crypto.OPENSSL_sk_value(sk, i)
        buf = ctypes.create_string_buffer(512)
        desc = lib.SSL_CIPHER_description(c, buf, 512).decode()
        if desc.endswith("\n"):
            desc = desc[:-1]
        alg_bits = ci(0)
        strength = lib.SSL_CIPHER_get_bits(c, ctypes.byref(alg_bits))
        out.append({
            "id": lib.SSL_CIPHER_get_id(c),
            "name": lib.SSL_CIPHER_get_name(c).decode(),
            "protocol": lib.SSL_CIPHER_get_version(c).decode(),
            "description": desc,
            "strength_bits": strength,
            "alg_bits": alg_bits.value,
            "aead": bool(lib.SSL_CIPHER_is_aead(c)),
            "symmetric": ln(lib.SSL_CIPHER_get_cipher_nid(c)),
            "digest": ln(lib.SSL_CIPHER_get_digest_nid(c)),
            "kea": ln(lib.SSL_CIPHER_get_kx_nid(c)),
            "auth": ln(lib.SSL_CIPHER_get_auth_nid(c)),
        })
    return out


def main():
    ciphers = python_dicts()
    seen = {c["id"] for c in ciphers}
    all_tls13 = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:" \
                "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
    for d in libssl_dicts(all_tls13):
        if d["id"] in seen:
            theirs = next(c for c in ciphers if c["id"] == d["id"])
            if theirs != d:
                raise SystemExit(f"libssl and Python disagree on {d['name']}: {d} != {theirs}")
        else:
            d["source"] = "libssl"
            ciphers.append(d)
    doc = {
        "generator": "vectors/ciphers/record_python_get_ciphers.py",
        "python": sys.version.split()[0],
        "openssl": ssl.OPENSSL_VERSION,
        "ciphers": ciphers,
    }
    text = json.dumps(doc, indent=1) + "\n"
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
    else:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "python_get_ciphers.json"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
