#!/usr/bin/env bash
# A VXLAN mirror at a fixed rate into a real `serve --vxlan-port` over loopback: what arrives, first
# with a fresh collector (the JIT still compiling), then again once it is warm, and what the kernel
# dropped for a full receive buffer (RcvbufErrors). The sender is bench/scripts/udp_send.py.
# Usage: bash bench/scripts/udp.sh [RATE] [DATAGRAMS]   (default 100000/s, 300000)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
rate="${1:-100000}"
n="${2:-300000}"
port=$((20000 + RANDOM % 20000))
metrics=$((port + 1))
bin/mirrorgate serve --mirror-port 0 --client-port 0 --bind 127.0.0.1 --vxlan-port "$port" --metrics-port "$metrics" \
  2> /tmp/mirrorgate-udp-bench.log &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$metrics/api/status" >/dev/null && break; sleep 0.1; done
grep 'vxlan mirrors' /tmp/mirrorgate-udp-bench.log
received() { curl -s "http://127.0.0.1:$metrics/api/status" | grep -o '"received":[0-9]*' | head -1 | cut -d: -f2; }
rcvbuf() { awk '/^Udp:/ {getline; print $6}' /proc/net/snmp; }
total=0
for run in cold warm; do
  e0=$(rcvbuf)
  sent=$(python3 bench/scripts/udp_send.py "$port" "$rate" "$n" | grep -o '[0-9]* datagrams/s')
  want=$((total + n))
  for _ in $(seq 50); do [ "$(received)" -ge "$want" ] && break; sleep 0.1; done
  got=$(( $(received) - total )); total=$((total + got))
  echo "$run: $got of $n datagrams received ($(calc "100 * $got / $n") %); asked $rate/s, the sender reached $sent; kernel RcvbufErrors +$(( $(rcvbuf) - e0 ))"
done
