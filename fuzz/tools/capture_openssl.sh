#!/usr/bin/env bash
# Captures real handshakes between local `openssl s_server` and `openssl s_client -msg` on 127.0.0.1
# (ephemeral ports, bounded timeouts) into OUTDIR/*.log, for fuzz/tools/make_vectors.py.
# usage: capture_openssl.sh OUTDIR
set -euo pipefail
out=${1:?usage: capture_openssl.sh OUTDIR}
mkdir -p "$out"
cd "$out"
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -subj /CN=localhost -days 30 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.crt -subj /CN=localhost -days 30 2>/dev/null
# A good OCSP response for the (self-issued) server certificate, for status_request / CertificateStatus.
serial=$(openssl x509 -in rsa.crt -noout -serial | cut -d= -f2)
printf "V\t%s\t\t%s\tunknown\t/CN=localhost\n" "$(date -u -d '+30 days' +%y%m%d%H%M%SZ)" "$serial" > index.txt
openssl ocsp -issuer rsa.crt -cert rsa.crt -reqout req.der -no_nonce >/dev/null 2>&1
openssl ocsp -index index.txt -rsigner rsa.crt -rkey rsa.key -CA rsa.crt -reqin req.der -respout resp.der >/dev/null 2>&1

cap() { # NAME "server args" "client args"
  local port spid
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  timeout 10 openssl s_server -accept "127.0.0.1:$port" -cert rsa.crt -key rsa.key -naccept 1 -quiet $2 >/dev/null 2>&1 &
  spid=$!
  sleep 0.5
  echo Q | timeout 5 openssl s_client -connect "127.0.0.1:$port" -msg -servername localhost $3 > "$1.log" 2>&1 || true
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
}
cap t13 "" "-tls1_3"
cap t12ecdhe "-tls1_2" "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"
cap t12dhe "-tls1_2 -dhparam /dev/null" "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256"
cap t12rsa "-tls1_2" "-tls1_2 -cipher AES128-GCM-SHA256"
cap t13cr "-verify 1 -CAfile ec.crt" "-tls1_3 -cert ec.crt -key ec.key"
cap t12cr "-tls1_2 -verify 1 -CAfile ec.crt" "-tls1_2 -cert ec.crt -key ec.key -cipher ECDHE-RSA-AES128-GCM-SHA256"
cap t12ocsp "-tls1_2 -status_file resp.der" "-tls1_2 -status -cipher ECDHE-RSA-AES128-GCM-SHA256"
cap t13ocsp "-status_file resp.der" "-tls1_3 -status"
grep -c "Handshake \[" ./*.log
