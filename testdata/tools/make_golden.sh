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

# Community ID v1 (seed 0) per frame, as Wireshark's communityid post-dissector computes it;
# empty for a frame it gives none. CommunityIdTest compares ours with these.
for f in eth.pcap eth-malformed.pcap raw.pcap sll.pcap sll2.pcap null.pcap loop.pcap token-ring.pcap wifi.pcap; do
  tshark -r "$f" --enable-protocol communityid -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
      -T fields -e communityid 2>/dev/null > "golden/$f.communityid"
done

# TCP and UDP conversations (no reassembly), for ConversationTrackerTest.
for f in eth.pcap tcp-cases.pcap; do
  tshark -r "$f" -o ip.defragment:FALSE -o ipv6.defragment:FALSE -q -z conv,tcp -z conv,udp 2>/dev/null > "golden/$f.conv"
done

# TCP analysis flags per frame, as tshark names them, comma-separated in mirrorgate's order
# (empty when none); TcpAnalysisTest compares ours with these.
flags="retransmission keep_alive keep_alive_ack zero_window zero_window_probe window_update duplicate_ack lost_segment ack_lost_segment"
for f in eth.pcap tcp-cases.pcap; do
  args=()
  for n in $flags; do args+=(-e "tcp.analysis.$n"); done
  tshark -r "$f" -o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields -E separator=/t "${args[@]}" 2>/dev/null \
    | awk -F'\t' -v names="$flags" 'BEGIN { n = split(names, nm, " ") }
        { out = ""; for (i = 1; i <= n; i++) if ($i != "") out = out (out == "" ? "" : ",") nm[i]; print out }' \
    > "golden/$f.analysis"
done
