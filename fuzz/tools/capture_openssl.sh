#!/bin/bash
# usage: cap.sh NAME "server args" "client args"
name=$1; sargs=$2; cargs=$3
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
timeout 10 openssl s_server -accept 127.0.0.1:$port -cert rsa.crt -key rsa.key -naccept 1 -quiet $sargs >/dev/null 2>&1 &
spid=$!
sleep 0.5
echo Q | timeout 5 openssl s_client -connect 127.0.0.1:$port -msg -servername localhost $cargs > $name.log 2>&1
kill $spid 2>/dev/null; wait $spid 2>/dev/null
grep -c "Handshake" $name.log
