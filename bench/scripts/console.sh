#!/usr/bin/env bash
# What the web console costs the collector: the ingest benchmark (bench/.../IngestBench.java, one
# agent, no subscriber, 1500-byte frames, a real serve) without the console, with a reader of its
# event stream (/api/events, the collector's side of an open page), and with the page open in a
# headless Chromium on the same box; ROUNDS rounds, the three interleaved so that drift hits all.
# Usage: bash bench/scripts/console.sh [SECONDS] [ROUNDS]   (default 5 s, 3 rounds; needs chromium)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
secs="${1:-5}"
rounds="${2:-3}"
mvn -B -q -DskipTests package >/dev/null
for r in $(seq "$rounds"); do
  for console in none sse chromium; do
    printf '%-9s ' "$console"
    java -Dconsole="$( [ "$console" = none ] && echo "" || echo "$console")" -cp bench/target/benchmarks.jar \
      io.mirrorgate.bench.IngestBench cli/target/mirrorgate.jar 1 0 1500 "$secs" 2>/dev/null
  done
done
