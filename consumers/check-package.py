#!/usr/bin/env python3
"""Checks a packed ManagedTls package, or scans files for test material.

  check-package.py FEED ID VERSION [--library]   the package ID.VERSION.nupkg in FEED and its .snupkg
  check-package.py --scan FILE...                 only the test-material scan, on the given files

Every package: README.md, LICENSE, the MIT license expression, a git repository entry with its commit, and a symbol
package holding a PDB for every assembly. With --library (the ManagedTls package): lib/netstandard2.0, net8.0 and
net10.0 each hold ManagedTls.dll and its XML docs and nothing else is in lib/, and no file of the package holds test
material: a PEM private-key block with its body, a DER private key of the kinds the self-test and fixtures use, or the
name of a fixture type (in UTF-8, as in metadata and XML, or UTF-16, as in string literals).
Prints what it found and exits 1 on any finding.
"""
import re
import sys
import zipfile

FIXTURE_NAMES = [
    "ConnectionFuzzFixture", "ConnectionFuzzTargets", "ConnectionFuzzPeer", "WireFuzzTargets", "ReplayEntropy",
    "SeededEntropy", "KnownAnswer", "SignatureTestVectors",
]
PEM_KEY = r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\r\n\\rn]+(Proc-Type[^\r\n]*[\r\n\\rn]+DEK-Info[^\r\n]*[\r\n\\rn]+)?[A-Za-z0-9+/]{40}"
# DER PrivateKeyInfo / ECPrivateKey prefixes: Ed25519, Ed448, X25519, X448 PKCS#8; P-256/384/521 SEC1 and PKCS#8;
# RSA PKCS#8 (version 0, rsaEncryption).
DER_KEYS = [bytes.fromhex(h) for h in [
    "302e020100300506032b657004220420", "3047020100300506032b6571043b0439",
    "302e020100300506032b656e04220420", "3046020100300506032b656f043a0438",
    "020100301306072a8648ce3d0201", "020100300d06092a864886f70d0101010500",
]]
# SEC1 ECPrivateKey header: SEQUENCE, version 1, the private key as an OCTET STRING of 32, 48 or 66 bytes.
SEC1_KEY = rb"\x30(\x77|\x81.|\x82..)\x02\x01\x01\x04[\x20\x30\x42]"


def findings(name, data):
    found = []
    for encoding in ("latin-1", "utf-16-le"):
        for offset in ((0,) if encoding == "latin-1" else (0, 1)):
            text = data[offset:].decode(encoding, errors="replace")
            if re.search(PEM_KEY, text):
                found.append(f"{name}: a PEM private key ({encoding})")
            for fixture in FIXTURE_NAMES:
                if fixture in text:
                    found.append(f"{name}: fixture name {fixture} ({encoding})")
    for prefix in DER_KEYS:
        if prefix in data:
            found.append(f"{name}: a DER private key ({prefix.hex()})")
    if re.search(SEC1_KEY, data, re.S):
        found.append(f"{name}: a DER EC private key")
    return sorted(set(found))


def scan(paths):
    found = []
    for p in paths:
        with open(p, "rb") as f:
            found += findings(p, f.read())
    return found


def check(feed, package_id, version, library):
    problems = []
    path = f"{feed}/{package_id}.{version}.nupkg"
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        for required in ("README.md", "LICENSE"):
            if required not in names:
                problems.append(f"{path}: no {required}")
        nuspec = z.read(f"{package_id}.nuspec").decode("utf-8")
        if '<license type="expression">MIT</license>' not in nuspec:
            problems.append(f"{path}: no MIT license expression")
        if "<readme>README.md</readme>" not in nuspec:
            problems.append(f"{path}: no readme entry")
        if not re.search(r'<repository type="git"[^>]*commit="[0-9a-f]{40}"', nuspec):
            problems.append(f"{path}: no git repository entry with a commit")
        assemblies = [n for n in names if n.endswith(".dll") and "/" in n]
        if library:
            lib = sorted(n for n in names if n.startswith("lib/"))
            expected = sorted(f"lib/{tfm}/ManagedTls.{ext}" for tfm in ("netstandard2.0", "net8.0", "net10.0") for ext in ("dll", "xml"))
            if lib != expected:
                problems.append(f"{path}: lib/ holds {lib}, expected {expected}")
            for n in names:
                problems += findings(f"{path}!{n}", z.read(n))
        own = [n for n in assemblies if n.rsplit("/", 1)[1].startswith("ManagedTls")]
    with zipfile.ZipFile(f"{feed}/{package_id}.{version}.snupkg") as s:
        pdbs = set(s.namelist())
        for a in own:
            if a[:-4] + ".pdb" not in pdbs:
                problems.append(f"{package_id}.{version}.snupkg: no PDB for {a}")
    if not own:
        problems.append(f"{path}: no ManagedTls assembly")
    return problems


def main(argv):
    if argv[:1] == ["--scan"]:
        problems = scan(argv[1:])
    else:
        feed, package_id, version = argv[:3]
        problems = check(feed, package_id, version, "--library" in argv[3:])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
