#!/usr/bin/env bash
# Makes testdata/golden/*.tsv with tshark as the oracle (TZ=UTC, no reassembly, raw sequence numbers).
# Run from the repository root: bash testdata/tools/make_golden.sh
set -euo pipefail
cd testdata
mkdir -p golden
export TZ=UTC
for f in *.pcap *.pcapng *.ncf *.ncfx; do
  case "$f" in eth-cut.ncf|eth-badmonth.ncf|impaired.pcap) continue ;; esac
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
for f in eth.pcap tcp-cases.pcap impaired.pcap; do
  tshark -r "$f" -o ip.defragment:FALSE -o ipv6.defragment:FALSE -q -z conv,tcp -z conv,udp 2>/dev/null > "golden/$f.conv"
done

# TCP analysis flags per frame, as tshark names them, comma-separated in mirrorgate's order
# (empty when none); TcpAnalysisTest compares ours (Wireshark's rules) with these.
flags="retransmission fast_retransmission spurious_retransmission out_of_order lost_segment ack_lost_segment duplicate_ack zero_window zero_window_probe zero_window_probe_ack window_full window_update keep_alive keep_alive_ack reused_ports"
for f in eth.pcap tcp-cases.pcap impaired.pcap; do
  args=()
  for n in $flags; do args+=(-e "tcp.analysis.$n"); done
  tshark -r "$f" -o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields -E separator=/t "${args[@]}" 2>/dev/null \
    | awk -F'\t' -v names="$flags" 'BEGIN { n = split(names, nm, " ") }
        { out = ""; for (i = 1; i <= n; i++) if ($i != "") out = out (out == "" ? "" : ",") nm[i]; print out }' \
    > "golden/$f.analysis"
done

# Conversations of the impaired-link capture with exact byte counts (tshark's conv tables round big
# ones to kB): per tcp.stream / udp.stream, A is the sender of its first frame; "proto a:pa b:pb
# frames_ab bytes_ab frames_ba bytes_ba" (frame.len = the length on the wire, as conv counts it).
for f in impaired.pcap; do
  tshark -r "$f" -o ip.defragment:FALSE -T fields -E separator=/t -e tcp.stream -e udp.stream -e ip.src -e ip.dst \
      -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e frame.len -e icmp.type 2>/dev/null \
    | awk -F'\t' '$10 != "" { next } { p = ($1 != "") ? "tcp" : "udp"; k = p ($1 != "" ? $1 : $2);
        sp = ($5 != "") ? $5 : $7; dp = ($6 != "") ? $6 : $8; from = $3 ":" sp;
        if (!(k in a)) { a[k] = from; b[k] = $4 ":" dp; pr[k] = p; order[++n] = k }
        if (from == a[k]) { fab[k]++; bab[k] += $9 } else { fba[k]++; bba[k] += $9 } }
        END { for (i = 1; i <= n; i++) { k = order[i]; printf "%s %s %s %d %d %d %d\n", pr[k], a[k], b[k], fab[k], bab[k], fba[k], bba[k] } }' \
    > "golden/$f.convrows"
done
