#!/usr/bin/env bash
# pcap_sendpacket rate through `serve --inject-adapter` against `tcpreplay --topspeed` on the same
# veth with the same frames, in one run. Needs root, iproute2 and tcpreplay.
# Usage: bash bench/scripts/inject.sh [FRAMES] [SIZE...]   (default 1000000, sizes 64 and 1514)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
frames="${1:-1000000}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(64 1514)
a=mgbench0a
b=mgbench0b
pcap="$(mktemp --suffix=.pcap)"
cleanup() { ip link del "$a" 2>/dev/null || true; rm -f "$pcap"; }
trap cleanup EXIT
ip link del "$a" 2>/dev/null || true
ip link add "$a" type veth peer name "$b"
ip link set "$a" up
ip link set "$b" up
mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package >/dev/null
for size in "${sizes[@]}"; do
  java -cp bench/target/benchmarks.jar io.mirrorgate.bench.InjectBench cli/target/mirrorgate.jar "$a" "$frames" "$size" "$pcap" 2>/dev/null
  tcpreplay -i "$a" --topspeed "$pcap" 2>&1 | awk '/Rated:/ {print "tcpreplay --topspeed " $0}'
done
