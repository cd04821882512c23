#!/usr/bin/env python3
"""Records Python's answers for ssl.cert_time_to_seconds, ssl.DER_cert_to_PEM_cert and ssl.PEM_cert_to_DER_cert
on a fixed list of inputs into python-helpers.json. Run from this folder. The C# tests replay the same inputs
against the recorded answers and, when python3 is present, against live Python too."""
import base64
import json
import ssl

TIMES = [
    "Jan  5 09:34:43 2018 GMT", "Jan 5 09:34:43 2018 GMT", "jan 05 09:34:43 2018 gmt", "JAN  5 09:34:43 2018 GMT",
    "Feb 31 00:00:00 2020 GMT", "Dec 31 23:59:60 2016 GMT", "Jan  1 00:00:61 2000 GMT", "Jan  1 00:00:00 1969 GMT",
    "Jan  1 00:00:00 1970 GMT", "Jan  1 00:00:00 0001 GMT", "Jan  1 00:00:00 0000 GMT", "Dec 31 23:59:59 9999 GMT",
    "Xyz  5 09:34:43 2018 GMT", "Jan  5 09:34:43 2018 UTC", "Jan  5 09:34:43 2018 GMTx", "Jan  5 09:34:43 2018 GMT ",
    "Jan 32 00:00:00 2018 GMT", "Jan  5 24:00:00 2018 GMT", "", "Ja", "Jan", "Jan\t5\t09:34:43\t2018\tGMT",
    "Jan  5 9:4:3 2018 GMT", "Jan  5 09:34:43 18 GMT", "Jan \u0665 09:34:43 2018 GMT", "Jan 0 00:00:00 2018 GMT",
    "May  5 12:00:00 2030 GMT", "Jan  5 09:34:43 2018 GMT\n", "Jan05 09:34:43 2018 GMT", "Jan  5 09:34:43  2018   GMT",
    "It's  5 09:34:43 2018 GMT", "Sep 30 23:59:59 2049 GMT", "Mar  1 00:00:00 2000 GMT", "Feb 29 12:00:00 2024 GMT",
]

DERS = ["", "00", "3082", "ff" * 48, "ff" * 49, "00" * 47, "0102030405060708090a" * 20]

PEMS = [
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----",
    "-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAwQF\r\n-----END CERTIFICATE-----\r\n",
    "-----BEGIN CERTIFICATE-----AAECAw==-----END CERTIFICATE-----",
    "  -----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n\n\t  ",
    "-----BEGIN CERTIFICATE-----\nAAEC\n",
    "-----BEGIN CERTIFICATE-----\nAA!!EC..\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nAAE\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nAAECA\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nAA==AAEC\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nAAE=\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nA=AEC\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nAAEC\u00e9\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
    "-----BEGIN CERTIFICATE-----",
    "-----BEGIN TRUSTED CERTIFICATE-----\nAAEC\n-----END TRUSTED CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\u00a0\u2003",
]


def outcome(fn, arg):
    try:
        value = fn(arg)
        if isinstance(value, bytes):
            value = value.hex()
        return {"result": value}
    except Exception as e:  # the type and message are the answer
        return {"error": type(e).__name__, "message": str(e)}


record = {
    "cert_time_to_seconds": [dict(input=t, **outcome(ssl.cert_time_to_seconds, t)) for t in TIMES],
    "DER_cert_to_PEM_cert": [dict(input=d, **outcome(ssl.DER_cert_to_PEM_cert, bytes.fromhex(d))) for d in DERS],
    "PEM_cert_to_DER_cert": [dict(input=p, **outcome(ssl.PEM_cert_to_DER_cert, p)) for p in PEMS],
}
with open("python-helpers.json", "w", encoding="utf-8") as f:
    f.write(json.dumps(record, indent=1) + "\n")
print("recorded", sum(len(v) for v in record.values()), "answers")
