#!/usr/bin/env python3
"""Records oracle answers next to the test certificates: Python's ssl._ssl._test_decode_cert(path) as
<name>.json (json.dumps with default separators, keys in Python's order) and openssl's subject hash for every
certificate in hashes.json. Run from this folder (generate.sh calls it)."""
import glob
import json
import os
import ssl
import subprocess

hashes = {}
for path in sorted(glob.glob("pem/*.pem")):
    name = os.path.splitext(os.path.basename(path))[0]
    decoded = ssl._ssl._test_decode_cert(path)
    with open(f"pem/{name}.json", "w", encoding="utf-8") as f:
        f.write(json.dumps(decoded) + "\n")
    hashes[name] = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", path],
                                  check=True, capture_output=True, text=True).stdout.strip()
with open("hashes.json", "w", encoding="utf-8") as f:
    f.write(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
print(len(hashes), "certificates recorded")
