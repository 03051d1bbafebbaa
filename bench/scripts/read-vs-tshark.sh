#!/usr/bin/env bash
# Measures `mirrorgate read --format tsv` against tshark on the same NCF file, in one run.
# Usage: bash bench/scripts/read-vs-tshark.sh [RECORDS]   (default 1000000; needs tshark)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
records="${1:-1000000}"
file="$(mktemp --suffix=.ncf)"
trap 'rm -f "$file"' EXIT
/usr/bin/python3 bench/scripts/make_ncf.py "$file" "$records"

ours=()
for i in 1 2 3; do
  ours+=("$(seconds bin/mirrorgate read --format tsv --timezone UTC "$file")")
done
ours_best=$(printf '%s\n' "${ours[@]}" | sort -n | head -1)
lines=$(bin/mirrorgate read --format tsv --timezone UTC "$file" | wc -l)
tshark_s=$(seconds tshark -r "$file" -T fields -e ip.src -e ip.dst -e tcp.srcport)
tshark_lines=$(tshark -r "$file" -T fields -e ip.src -e ip.dst -e tcp.srcport 2>/dev/null | wc -l)

printf 'records: %d (%s bytes)\n' "$records" "$(stat -c %s "$file")"
printf 'mirrorgate read --format tsv: runs %s s, best %.3f s, %.0f records/s (%d lines incl. header)\n' \
  "${ours[*]}" "$ours_best" "$(calc "$records / $ours_best")" "$lines"
printf 'tshark -T fields (ip.src ip.dst tcp.srcport): %.3f s, %.0f records/s (%d lines)\n' \
  "$tshark_s" "$(calc "$records / $tshark_s")" "$tshark_lines"
printf 'ratio (mirrorgate / tshark records/s): %.1fx\n' "$(calc "$tshark_s / $ours_best")"
