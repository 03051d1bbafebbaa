#!/usr/bin/env bash
# Measures `mirrorgate read --analysis` against tshark's TCP sequence analysis on the same pcap, in one run.
# Usage: bash bench/scripts/analysis-vs-tshark.sh [PACKETS]   (default 1000000; needs tshark)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
packets="${1:-1000000}"
file="$(mktemp --suffix=.pcap)"
trap 'rm -f "$file"' EXIT
/usr/bin/python3 bench/scripts/make_tcp_pcap.py "$file" "$packets"

ours=()
for i in 1 2 3; do
  ours+=("$(seconds bin/mirrorgate read --analysis --format tsv --timezone UTC "$file")")
done
ours_best=$(printf '%s\n' "${ours[@]}" | sort -n | head -1)
flagged=$(bin/mirrorgate read --analysis --format tsv --timezone UTC "$file" | awk -F'\t' 'NR > 1 && $NF != ""' | wc -l)
ws=$(seconds bin/mirrorgate read --analysis --analysis-rules wireshark --format tsv --timezone UTC "$file")
ts_cmd=(tshark -r "$file" -o tcp.analyze_sequence_numbers:TRUE -o tcp.desegment_tcp_streams:FALSE -T fields -e frame.number -e tcp.analysis.flags)
tshark_s=$(seconds "${ts_cmd[@]}")
tshark_flagged=$("${ts_cmd[@]}" 2>/dev/null | awk -F'\t' '$2 != ""' | wc -l)

printf 'packets: %d (%s bytes)\n' "$packets" "$(stat -c %s "$file")"
printf 'mirrorgate read --analysis --format tsv: runs %s s, best %.3f s, %.0f packets/s (%d packets flagged)\n' \
  "${ours[*]}" "$ours_best" "$(calc "$packets / $ours_best")" "$flagged"
printf 'mirrorgate read --analysis --analysis-rules wireshark: %.3f s\n' "$ws"
printf 'tshark -o tcp.analyze_sequence_numbers:TRUE -T fields -e frame.number -e tcp.analysis.flags: %.3f s, %.0f packets/s (%d packets flagged)\n' \
  "$tshark_s" "$(calc "$packets / $tshark_s")" "$tshark_flagged"
printf 'ratio (mirrorgate / tshark packets/s): %.1fx\n' "$(calc "$tshark_s / $ours_best")"
