#!/usr/bin/env bash
# The subscriber chain as a user runs it: agent -> `serve --backpressure block` -> `watch -w /dev/null`
# (bench/.../ChainBench.java), every record delivered, at 64- and 1514-byte frames, against iperf3's
# loopback TCP bandwidth measured in the same run.
# Usage: bash bench/scripts/chain.sh [RECORDS]   (default 5000000; needs iperf3)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
records="${1:-5000000}"
mvn -B -q -o -pl bench -am install -DskipTests >/dev/null
port=$((20000 + RANDOM % 20000))
iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
sleep 1   # iperf3 -s -1 serves one client: no connection probe
iperf=$(iperf3 -c 127.0.0.1 -p "$port" -t 5 -f m | awk '/sender/ {for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1)}')
echo "iperf3 loopback TCP, 1 stream: ${iperf} Mbit/s"
for frame in 64 1514; do
  java -cp bench/target/benchmarks.jar io.mirrorgate.bench.ChainBench cli/target/mirrorgate.jar "$frame" "$records" 2>/dev/null
done
