#!/usr/bin/env bash
# End-to-end ingest of `mirrorgate serve` over loopback with scripted agents and subscribers
# (bench/.../IngestBench.java), against iperf3's loopback TCP bandwidth measured in the same run.
# Usage: bash bench/scripts/ingest.sh [SECONDS]   (default 5; needs iperf3)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
secs="${1:-5}"
mvn -B -q -DskipTests package >/dev/null
run() { java -cp bench/target/benchmarks.jar io.mirrorgate.bench.IngestBench cli/target/mirrorgate.jar "$@" 2>/dev/null; }

port=$((20000 + RANDOM % 20000))
iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
sleep 1
iperf=$(iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -f m | awk '/sender/ {for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1)}')
echo "iperf3 loopback TCP, 1 stream: ${iperf} Mbit/s"

for frame in 64 1500; do
  for agents in 1 4; do
    for subs in 0 2; do
      run "$agents" "$subs" "$frame" "$secs"
    done
  done
done
# lossless fan-out at a fixed offered rate (target: 2,000,000 64-byte records/s to one subscriber)
run 1 1 64 "$secs" 2000000
run 1 1 64 "$secs" 3000000
