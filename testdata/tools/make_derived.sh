#!/usr/bin/env bash
# Derives the NCF/NCFX/pcapng/ns/big-endian/snaplen/damaged fixtures from the scapy pcaps.
# Run from the repository root after make_captures.py:  bash testdata/tools/make_derived.sh
set -euo pipefail
cd testdata
export TZ=UTC
for f in eth eth-malformed wifi token-ring; do
  editcap -F commview-ncf "$f.pcap" "$f.ncf"
done
/usr/bin/python3 tools/make_ncfx.py eth.pcap eth.ncfx
/usr/bin/python3 tools/make_ncfx.py wifi.pcap wifi.ncfx
editcap -F pcapng eth.pcap eth.pcapng
editcap -F nsecpcap eth.pcap eth-ns.pcap
editcap -s 64 eth.pcap eth-snap64.pcap
/usr/bin/python3 tools/swap_pcap.py eth.pcap eth-be.pcap
# damaged: the file ends inside record 6; record 6's month is 13
/usr/bin/python3 - <<'PY'
import struct
data = open("eth.ncf", "rb").read()
off = 0
starts = []
while off < len(data):
    starts.append(off)
    off += 24 + struct.unpack_from("<H", data, off)[0]
open("eth-cut.ncf", "wb").write(data[:starts[5] + 30])
bad = bytearray(data[:starts[8]])
bad[starts[5] + 7] = 13
open("eth-badmonth.ncf", "wb").write(bytes(bad))
PY
