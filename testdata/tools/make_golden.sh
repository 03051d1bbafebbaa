#!/usr/bin/env bash
# Makes testdata/golden/*.tsv with tshark as the oracle (TZ=UTC, no reassembly, raw sequence numbers).
# Run from the repository root: bash testdata/tools/make_golden.sh
set -euo pipefail
cd testdata
mkdir -p golden
export TZ=UTC
for f in *.pcap *.pcapng *.ncf *.ncfx; do
  case "$f" in eth-cut.ncf|eth-badmonth.ncf) continue ;; esac
  tshark -r "$f" -T pdml -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
      -o tcp.desegment_tcp_streams:FALSE -o tcp.relative_sequence_numbers:FALSE \
      -o ip.check_checksum:FALSE 2>/dev/null \
    | /usr/bin/python3 tools/pdml_to_tsv.py > "golden/$f.tsv"
done
