#!/usr/bin/env bash
# Regenerates the test certificates in this folder with the openssl CLI, then records the oracle answers
# (Python's ssl._ssl._test_decode_cert and openssl's subject hashes) with record.py.
# Run from this folder: bash generate.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -rf pem hashdir crl tmp && mkdir -p pem hashdir crl tmp

ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# A CA that signs most leaves.
ec tmp/ca.key
openssl req -x509 -new -key tmp/ca.key -subj "/C=US/O=ManagedTls Test/CN=ManagedTls Test Root" -days 3650 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out pem/ca.pem

# leaf NAME SUBJECT EXTENSIONS... (extensions as one config section body), extra openssl x509 args in $EXTRA
leaf() {
  local name=$1 subj=$2 ext=$3
  ec "tmp/$name.key"
  openssl req -new -key "tmp/$name.key" -utf8 ${REQARGS:-} -subj "$subj" -out "tmp/$name.csr"
  printf '[ext]\n%b\n' "$ext" > "tmp/$name.ext"
  local serialargs=(-CAcreateserial -CAserial tmp/ca.srl)
  if [ -n "${SERIAL:-}" ]; then serialargs=(-set_serial "$SERIAL"); fi
  openssl x509 -req -in "tmp/$name.csr" -CA pem/ca.pem -CAkey tmp/ca.key -days "${DAYS:-825}" "${serialargs[@]}" \
    -extfile "tmp/$name.ext" -extensions ext -out "pem/$name.pem" 2>/dev/null
}

leaf basic "/C=DE/ST=Berlin/L=Berlin/O=Example GmbH/OU=Web/CN=www.example.com" \
  "subjectAltName=DNS:www.example.com,DNS:example.com,DNS:*.example.org"
REQARGS=-multivalue-rdn leaf multirdn "/CN=multi+OU=Unit A+O=Org/DC=example/DC=com/OU=second" \
  "basicConstraints=CA:FALSE"
leaf emails "/emailAddress=admin@example.com/CN=Mail Person/O=Mail" \
  "subjectAltName=email:admin@example.com,email:other@example.net,DNS:mail.example.com"
leaf ipsans "/CN=ip.example" \
  "subjectAltName=IP:192.0.2.1,IP:10.0.0.255,IP:2001:db8::1,IP:::1,IP:fe80::abcd:0:0:1,IP:2001:db8:85a3:0:0:8a2e:370:7334,DNS:ip.example"
leaf urisan "/CN=uri.example" \
  "subjectAltName=URI:https://uri.example/path?q=1,URI:urn:uuid:123e4567-e89b-12d3-a456-426614174000,RID:1.2.3.4.5,RID:1.3.6.1.5.5.7.3.1,dirName:dir_sect,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com,otherName:1.2.3.4;UTF8:opaque\n[dir_sect]\nC=GB\nO=Dir Org\nCN=Dir Name"
leaf aia "/CN=aia.example/O=AIA" \
  "authorityInfoAccess=OCSP;URI:http://ocsp.example.com/,OCSP;URI:http://ocsp2.example.com/,caIssuers;URI:http://ca.example.com/ca.crt\ncrlDistributionPoints=URI:http://crl.example.com/a.crl,URI:http://crl2.example.com/b.crl\nsubjectAltName=DNS:aia.example"
leaf unicode "/C=JP/O=日本語の組織/CN=Jürgen Müller/OU=Ünïcödé  Ünit" "keyUsage=digitalSignature"
leaf nosan "/CN=No SAN Here/O=Plain" "basicConstraints=CA:FALSE"
SERIAL=0x0123456789abcdef0123456789abcdef01234567 leaf bigserial "/CN=big serial" "basicConstraints=CA:FALSE"
SERIAL=0x80000000000000000000000000000001 leaf highbit "/CN=high bit serial" "basicConstraints=CA:FALSE"
SERIAL=0 leaf zeroserial "/CN=zero serial" "basicConstraints=CA:FALSE"
SERIAL=-5 leaf negserial "/CN=negative serial" "basicConstraints=CA:FALSE"
SERIAL=0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728 leaf hugeserial "/CN=huge serial" "basicConstraints=CA:FALSE"
DAYS=20000 leaf gentime "/CN=generalized time" "basicConstraints=CA:FALSE"
leaf mixedcase "/C=us/O=  MiXeD   Case  Org /CN=Host  With   Spaces" "basicConstraints=CA:FALSE"
leaf attrs "/serialNumber=12345/street=1 Main St/postalCode=12345/jurisdictionC=US/businessCategory=Private Organization/1.2.3.4.5.6=unknown oid/UID=uid1/title=Dr/GN=Given/SN=Sur/initials=GS/pseudonym=Nick/dnQualifier=q1/CN=attrs.example" \
  "subjectAltName=DNS:attrs.example"
# Intermediate CA (for the hashed directory and CA counting).
leaf intermediate "/C=US/O=ManagedTls Test/CN=ManagedTls Test Intermediate" \
  "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign"
leaf kuca "/CN=KeyUsage Only CA" "keyUsage=keyCertSign"

# A self-signed v1 certificate (no extensions) counts as a CA in OpenSSL.
ec tmp/v1.key
openssl req -new -key tmp/v1.key -subj "/CN=Version One Root/O=Old" -out tmp/v1.csr
openssl x509 -req -in tmp/v1.csr -signkey tmp/v1.key -days 3650 -out pem/v1root.pem 2>/dev/null
# PrintableString, T61String and BMPString values (string_mask=default picks the narrowest type that fits).
ec tmp/bmp.key
cat > tmp/bmp.cnf <<'CNF'
[req]
distinguished_name=dn
prompt=no
string_mask=default
utf8=no
[dn]
C=FR
O=Müller Org
CN=BMP Name Ω
CNF
openssl req -new -key tmp/bmp.key -config tmp/bmp.cnf -utf8 -out tmp/bmp.csr
openssl x509 -req -in tmp/bmp.csr -CA pem/ca.pem -CAkey tmp/ca.key -CAserial tmp/ca.srl -days 825 -out pem/bmpname.pem 2>/dev/null

# A CRL in PEM from a throwaway openssl ca setup.
mkdir -p tmp/ca/newcerts && : > tmp/ca/index.txt && echo 1000 > tmp/ca/crlnumber
cat > tmp/ca/ca.cnf <<CNF
[ca]
default_ca=c
[c]
dir=tmp/ca
database=tmp/ca/index.txt
new_certs_dir=tmp/ca/newcerts
crlnumber=tmp/ca/crlnumber
certificate=pem/ca.pem
private_key=tmp/ca.key
default_md=sha256
default_crl_days=3650
CNF
openssl ca -config tmp/ca/ca.cnf -gencrl -out crl/ca.crl.pem 2>/dev/null

# A hashed directory (as openssl rehash makes it): ca, intermediate and the CRL.
for f in ca intermediate; do
  h=$(openssl x509 -hash -noout -in pem/$f.pem); cp pem/$f.pem hashdir/$h.0
done
h=$(openssl crl -hash -noout -in crl/ca.crl.pem); cp crl/ca.crl.pem hashdir/$h.r0
# A second certificate with the same subject hash name as ca (suffix .1): v1root under ca's hash would not match
# by subject, so this exercises the subject check after the hash lookup.
cp pem/v1root.pem "hashdir/$(openssl x509 -hash -noout -in pem/ca.pem).1"

# DER copies.
for f in pem/*.pem; do b=$(basename "$f" .pem); openssl x509 -in "$f" -outform der -out "pem/$b.der"; done
openssl x509 -in pem/ca.pem -addtrust serverAuth -out pem/ca-trusted.pem.txt

rm -rf tmp
python3 record.py
