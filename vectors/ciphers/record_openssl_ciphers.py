#!/usr/bin/env python3
"""Records `openssl ciphers` answers (and Python's set_ciphers/get_ciphers) for the differential tests.

Writes openssl_ciphers.json next to this script. The tests in tests/ManagedTls.Tests/CipherSuites compare
the library with these answers, and with the live `openssl` binary when there is one. Outputs are kept
whole: the tests drop the suites the library does not implement before comparing.
"""
import json
import os
import random
import ssl
import subprocess
import sys

# Cipher strings for `openssl ciphers STRING` (each is passed after "--").
STRINGS = [
    "", "ALL", "DEFAULT", "COMPLEMENTOFDEFAULT", "COMPLEMENTOFALL", "ALL:COMPLEMENTOFALL",
    "HIGH", "MEDIUM", "LOW", "MEDIUM:HIGH", "FIPS", "HIGH+FIPS", "COMPLEMENTOFDEFAULT+HIGH",
    "aRSA", "aECDSA", "ECDSA", "aDSS", "aNULL", "eNULL", "NULL",
    "kECDHE", "kEECDH", "ECDHE", "EECDH", "ECDH", "kDHE", "kEDH", "DHE", "EDH", "DH", "kRSA", "RSA",
    "AESGCM", "AESCCM", "AESCCM8", "AES", "AES128", "AES256", "CHACHA20", "CBC",
    "SHA1", "SHA", "SHA256", "SHA384", "TLSv1.2", "TLSv1.0", "TLSv1", "SSLv3", "AEAD",
    "PSK", "SRP", "CAMELLIA", "ARIA", "NOPE", "aes128", "TLS_AES_128_GCM_SHA256",
    "DEFAULT:!ECDSA", "ECDHE+AESGCM:!aNULL", "HIGH:!aNULL:!MD5", "ALL:-AES128:+RSA",
    "AES256:AES128:@STRENGTH", "kRSA:!SHA1", "CHACHA20:AESGCM", "AESGCM:CHACHA20",
    "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA", "AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@STRENGTH",
    "AES128-SHA+RSA", "AES128-SHA+SSLv3", "AES128-SHA+TLSv1.2", "SSLv3+TLSv1.2", "ECDHE+AES128+SHA256",
    "ECDHE:!ECDHE-RSA-AES128-SHA", "ALL:!kRSA:-DHE:DHE", "ALL:-ECDHE:+ECDHE", "ALL:+kRSA:+SHA1",
    "ALL:+AES128", "DHE:ECDHE:@STRENGTH", "kRSA:DEFAULT", "DEFAULT:kRSA", "DEFAULT:@SECLEVEL=3",
    "@SECLEVEL=0:ALL", "ALL:@SECLEVEL=5", "ALL:@SECLEVEL=9", "ALL:@SECLEVEL=10", "ALL:@STRENGTHX",
    "ALL:@FOO", "ALL:#", "ALL+", "ALL:+", "ALL:-", "!ALL:AES128-SHA", "-ALL:AES128-SHA:ALL",
    "ECDHE-ECDSA-AES128-GCM-SHA256 AES256-SHA,DHE-RSA-AES128-SHA;ECDHE-RSA-CHACHA20-POLY1305",
    "SUITEB128", "SUITEB192", "SUITEB128ONLY", "SUITEB128C2",
    "HIGH:-SHA1:-SHA256:-SHA384:SHA256", "!SHA1:ALL", "ALL:!AESGCM:!CHACHA20", "ECDHE:DHE:kRSA:+AES256",
    "AESGCM+kRSA:AESGCM+ECDHE", "ALL:!aRSA", "ALL:!aECDSA:!kDHE", "AES+SHA1+ECDHE:AES+SHA1",
    "SHA384+AES256", "DEFAULTAES", "  ALL  ", "ALL::!SHA1", "RSA+AESGCM:ECDSA+AESGCM:@STRENGTH",
    "CHACHA20+ECDSA:CHACHA20", "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384",
    "AES256-SHA:-AES256-SHA:AES128-SHA:AES256-SHA", "NOPE+AES:AES+NOPE:SHA256",
    "ALL:-kRSA:!kRSA:kRSA", "+AES:AES", "ECDHE:+SHA1:@STRENGTH", "AES128:!CAMELLIA:CAMELLIA",
    "ECDHE-ECDSA-AES256-GCM-SHA384+aRSA:DHE-RSA-AES256-SHA+kDHE",
    "AESCCM:AESCCM8", "DEFAULT:AESCCM", "DEFAULT:!AESCCM", "ECDHE+AESCCM", "kRSA+AESCCM8:@STRENGTH",
    "AES256+AESCCM", "HIGH:!AESCCM8", "COMPLEMENTOFDEFAULT:DEFAULT", "AESCCM+DHE:AESGCM+DHE",
    "ECDHE-ECDSA-AES128-CCM8:AES256-CCM:@STRENGTH", "DHE-RSA-AES256-CCM+AESCCM8", "AESCCM+FIPS",
    "AES128:-AESCCM:+AESCCM8", "CCM", "CCM8", "AESCCM+SHA256", "AESCCM8+aECDSA:AESCCM8+aRSA",
]

# Words for the seeded random strings: aliases, suite names (ours and others), commands.
VOCABULARY = [
    "ALL", "DEFAULT", "COMPLEMENTOFDEFAULT", "COMPLEMENTOFALL", "HIGH", "MEDIUM", "FIPS", "aRSA", "aECDSA",
    "ECDSA", "aDSS", "aNULL", "eNULL", "NULL", "kECDHE", "ECDHE", "EECDH", "ECDH", "kDHE", "DHE", "EDH", "DH",
    "kRSA", "RSA", "AESGCM", "AESCCM", "AESCCM8", "AES", "AES128", "AES256", "CHACHA20", "CBC", "SHA1", "SHA",
    "SHA256", "SHA384", "TLSv1.2", "TLSv1.0", "TLSv1", "SSLv3", "PSK", "CAMELLIA", "ARIA", "MD5",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256", "DHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA", "DHE-RSA-AES256-SHA256", "AES128-SHA", "AES256-GCM-SHA384", "AES256-SHA256",
    "ECDHE-RSA-AES256-SHA384", "DHE-RSA-AES128-GCM-SHA256", "CAMELLIA128-SHA", "DHE-DSS-AES128-SHA",
    "@STRENGTH", "BOGUS",
]


def random_strings(count, seed=20261123):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        items = []
        for _ in range(rng.randint(1, 6)):
            words = [w for w in rng.sample(VOCABULARY, rng.choice([1, 1, 1, 2, 2, 3])) if w != "@STRENGTH"] or ["HIGH"]
            item = "+".join(words)
            prefix = rng.choice(["", "", "", "!", "-", "+"])
            items.append(prefix + item if rng.random() > 0.1 else "@STRENGTH")
        out.append(rng.choice([":", ":", ",", " "]).join(items))
    return out


# Argument lists for the `ciphers` command itself (flags and strings).
CLI = [
    [], ["-v"], ["-V"], ["-s"], ["-s", "-v"], ["-V", "ALL"], ["-v", "-stdname", "ALL"],
    ["-stdname", "HIGH"], ["-V", "-stdname", "kRSA"], ["-s", "-tls1_2"], ["-s", "-tls1_3"],
    ["-s", "-tls1_2", "ALL:@SECLEVEL=3"], ["-s", "-V", "ALL:@SECLEVEL=4"], ["-s", "-v", "ALL:@SECLEVEL=3"],
    ["-s", "-tls1", "ALL"], ["-tls1_2", "-v", "ECDHE"], ["-tls1_3", "AES128-SHA"],
    ["-ciphersuites", "TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256", "-v", "ECDHE+AESGCM"],
    ["-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256: TLS_AES_256_GCM_SHA384 ::X", "kRSA"],
    ["-s", "-ciphersuites", "", "ECDHE"], ["-convert", "TLS_RSA_WITH_AES_128_CBC_SHA"],
    ["-convert", "TLS_AES_128_GCM_SHA256"], ["-v", "--", "-ALL:AES128-SHA"],
]

# Strings for Python's SSLContext.set_ciphers followed by get_ciphers().
PYTHON = [
    "DEFAULT", "HIGH:!aNULL:!MD5", "ECDHE+AESGCM:!aNULL", "kRSA:!SHA1", "ALL:@SECLEVEL=0",
    "AES256:AES128:@STRENGTH", "ALL:-AES128:+RSA", "NOPE", "AESCCM:AESCCM8", "DEFAULT:AESCCM8",
]


def run(args):
    p = subprocess.run(["openssl", "ciphers"] + args, capture_output=True, text=True, timeout=20)
    first_err = p.stderr.splitlines()[0] if p.stderr else ""
    return {"args": args, "exit": p.returncode, "stdout": p.stdout, "stderr_first_line": first_err}


def python_case(s):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        ctx.set_ciphers(s)
    except ssl.SSLError as e:
        return {"string": s, "error": str(e), "names": None}
    return {"string": s, "error": None, "names": [c["name"] for c in ctx.get_ciphers()]}


def main():
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True, timeout=20).stdout.strip()
    doc = {
        "generator": "vectors/ciphers/record_openssl_ciphers.py",
        "openssl": version,
        "python_openssl": ssl.OPENSSL_VERSION,
        "strings": [dict(run(["--", s]), string=s, kind="curated") for s in STRINGS]
        + [dict(run(["--", s]), string=s, kind="random") for s in random_strings(150)],
        "cli": [run(a) for a in CLI],
        "python": [python_case(s) for s in PYTHON],
        "python_default": [c["name"] for c in ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).get_ciphers()],
    }
    text = json.dumps(doc, indent=1) + "\n"
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
    else:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "openssl_ciphers.json"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
