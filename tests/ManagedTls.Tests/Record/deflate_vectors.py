#!/usr/bin/env python3
"""Independent DEFLATE record vectors for RecordCompressionTests, made with Python's zlib module.

One compressobj() for the whole sequence, each record compress(x) + flush(Z_SYNC_FLUSH), as RFC 3749 asks;
each record is then checked to decompress whole, on its own arrival, with one decompressobj().

Run: python3 deflate_vectors.py   (prints the C# array rows pasted into RecordCompressionTests.PythonRecords)
"""
import zlib

HTTP = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nCookie: secret=0123456789abcdef\r\n\r\n"

def text(n, seed):
    out = bytearray()
    k = 0
    while len(out) < n:
        out += b"%d:%05d the quick brown fox jumps over the lazy dog\n" % (seed, k)
        k += 1
    return bytes(out[:n])

def noise(n, seed):
    x, out = seed, bytearray()
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append((x >> 16) & 0xFF)
    return bytes(out)

# The same sequence as RecordCompressionTests.Plaintexts(): repeats refer back across records, an empty record,
# a stored (incompressible) record, and a full 2^14-byte record.
PLAINTEXTS = [HTTP, HTTP, b"", text(2000, 1), noise(1000, 7), text(16384, 2), HTTP]

c = zlib.compressobj()
records = [c.compress(p) + c.flush(zlib.Z_SYNC_FLUSH) for p in PLAINTEXTS]
d = zlib.decompressobj()
for p, r in zip(PLAINTEXTS, records):
    assert d.decompress(r) == p and not d.unconsumed_tail
for r in records:
    print('        "%s",' % r.hex())
