#!/usr/bin/env python3
"""Extracts every handshake message RFC 8448 constructs, as (label, hex) lines."""
import re
import sys

text = open(sys.argv[1]).read().splitlines()
lines = [l for l in text if not re.match(r"^(Thomson\s|RFC 8448\s)", l) and "\f" not in l]
section = "0"
out = []
i = 0
while i < len(lines):
    l = lines[i]
    m = re.match(r"^(\d+)\.\s+\S", l)
    if m:
        section = m.group(1)
    m = re.match(r"^\s+\{(client|server)\}\s+construct an? (\w+) handshake message:", l)
    if m:
        who = m.group(1)
        j = i + 1
        while not lines[j].strip():
            j += 1
        h = re.match(r"^\s+(\w+) \((\d+) octets\):\s+(.*)$", lines[j])
        name, count, hexs = h.group(1), int(h.group(2)), h.group(3).split()
        j += 1
        while len(hexs) < count:
            s = lines[j].strip()
            if s and re.fullmatch(r"([0-9a-f]{2}\s*)+", s):
                hexs += s.split()
            j += 1
        want = 4 + int("".join(hexs[1:4]), 16)
        if want != count:
            # A truncated ClientHello (the PSK binder prefix): the whole message follows as a record payload.
            while not re.match(rf"^\s+payload \({want} octets\):", lines[j]):
                j += 1
            hexs = lines[j].split(":", 1)[1].split()
            j += 1
            while len(hexs) < want:
                s = lines[j].strip()
                if s and re.fullmatch(r"([0-9a-f]{2}\s*)+", s):
                    hexs += s.split()
                j += 1
        out.append(f"s{section}-{who}-{name} {''.join(hexs)}")
        i = j
        continue
    i += 1
print("\n".join(out))
