"""Python's outcome for pairs of TLS version settings, each pair run with two Python contexts over memory BIOs.

A setting is "default", "no1.2", "no1.3" or a range "LO-HI" (each of 1.0, 1.1, 1.2, 1.3). run_pairs returns, for
each (client setting, server setting), [client outcome, server outcome]: the negotiated version, or "Type:REASON"
for a side that failed, or "pending". The version matrix tests of both test projects use it as their oracle.
"""
import json
import ssl
import warnings

warnings.simplefilter("ignore")
V = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1, "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def ctx(server, setting, cert, key):
    x = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if setting == "no1.2":
        x.options |= ssl.OP_NO_TLSv1_2
    elif setting == "no1.3":
        x.options |= ssl.OP_NO_TLSv1_3
    elif setting != "default":
        lo, hi = setting.split("-")
        x.minimum_version = V[lo]
        x.maximum_version = V[hi]
    if server:
        x.load_cert_chain(cert, key)
    else:
        x.load_verify_locations(cert)
    return x


def run(cs, ss, cert, key):
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    sides = [[ctx(False, cs, cert, key).wrap_bio(ci, co, server_hostname="localhost"), co, si, None],
             [ctx(True, ss, cert, key).wrap_bio(si, so, server_side=True), so, ci, None]]
    for _ in range(10):
        for side in sides:
            obj, out, peer, res = side
            if res is None:
                try:
                    obj.do_handshake()
                    side[3] = obj.version()
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLError as e:
                    side[3] = "%s:%s" % (type(e).__name__, e.reason)
            data = out.read()
            if data:
                peer.write(data)
    return [sides[0][3] or "pending", sides[1][3] or "pending"]


def run_pairs(cert, key, pairs):
    """Prints a JSON object from "CLIENT SERVER" to [client outcome, server outcome] for each pair."""
    print(json.dumps({c + " " + s: run(c, s, cert, key) for c, s in pairs}))
