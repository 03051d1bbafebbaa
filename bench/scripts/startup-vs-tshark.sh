#!/usr/bin/env bash
# Start-up: `bin/mirrorgate read` of a small file (testdata/eth.pcap, 39 records, and tcp-cases.pcap)
# against `tshark -r` of the same file, interleaved runs, medians; the launcher's class-data sharing
# archive made beforehand (as after a first use).
# Usage: bash bench/scripts/startup-vs-tshark.sh [RUNS]   (default 15; needs tshark)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
runs="${1:-15}"
bin/mirrorgate read testdata/eth.pcap >/dev/null   # makes the archive if it is missing
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
for f in testdata/eth.pcap testdata/tcp-cases.pcap; do
  ours=""; theirs=""; plain=""
  for _ in $(seq "$runs"); do
    ours="$ours $(ms bin/mirrorgate read "$f")"
    theirs="$theirs $(ms tshark -r "$f")"
    plain="$plain $(ms java -jar cli/target/mirrorgate.jar read "$f")"
  done
  o=$(echo "$ours" | median); t=$(echo "$theirs" | median); p=$(echo "$plain" | median)
  printf '%s: bin/mirrorgate read %d ms, tshark -r %d ms (ratio %.2f); java -jar without the archive %d ms\n' \
    "$f" "$o" "$t" "$(calc "$o / $t")" "$p"
done
