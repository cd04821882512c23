# Lists the public names of Python's ssl module, one "scope.name" per line, sorted.
# Run: python3 vectors/python/ssl-names.py > vectors/python/ssl-names-3.11.txt
import enum
import ssl

names = set()
for n in dir(ssl):
    if not n.startswith('_'):
        names.add('ssl.' + n)

classes = ['SSLContext', 'SSLSocket', 'SSLObject', 'SSLSession', 'MemoryBIO', 'SSLError',
           'SSLCertVerificationError', 'DefaultVerifyPaths', 'Purpose']
for c in classes:
    for n in dir(getattr(ssl, c)):
        if not n.startswith('_'):
            names.add(c + '.' + n)

# Attributes SSLError and SSLCertVerificationError set on instances (not visible in dir() of the class).
base = set(dir(OSError()))
for c, e in (('SSLError', ssl.SSLError(1, 'x')), ('SSLCertVerificationError', ssl.SSLCertVerificationError(1, 'x'))):
    e.library = e.reason = None
    if c == 'SSLCertVerificationError':
        e.verify_code = e.verify_message = None
    for n in set(vars(e)) - base:
        if not n.startswith('_'):
            names.add(c + '.' + n)

# SSLCertVerificationError: list only what SSLError does not have.
names = {n for n in names if not (n.startswith('SSLCertVerificationError.')
                                  and 'SSLError.' + n.split('.', 1)[1] in names)}

for c in ['TLSVersion', 'Options', 'VerifyMode', 'VerifyFlags', 'AlertDescription', 'SSLErrorNumber', 'Purpose',
          '_SSLMethod']:
    for n in getattr(ssl, c).__members__:
        names.add(c + '.' + n)

for n in sorted(names):
    print(n)
