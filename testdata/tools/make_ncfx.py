#!/usr/bin/python3
"""Writes CommView for WiFi NCFX files from pcaps (editcap's NCFX writer is broken).

Usage: /usr/bin/python3 testdata/tools/make_ncfx.py IN.pcap OUT.ncfx
Layout per ../shared/SPEC.md section 2; times are written as UTC wall-clock time. Ethernet
(linktype 1) becomes medium 0; 802.11 (linktype 105) becomes medium 1 with a 20-byte radio
header, and every third Wi-Fi record also carries the 4-byte MCS extension.
"""
import struct
import sys
import datetime
from scapy.utils import RawPcapReader


def main(src, dst):
    reader = RawPcapReader(src)
    linktype = reader.linktype
    medium = {1: 0, 105: 1}[linktype]
    with open(dst, "wb") as out:
        for i, (data, meta) in enumerate(reader):
            sec, usec = meta.sec, meta.usec
            t = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
            radio = b""
            if medium == 1:
                mcs = i % 3 == 2
                ext = struct.pack("<BBBB", 7, 2, 1, 0) if mcs else b""
                radio = struct.pack("<HHHHBBBBII", 20 + len(ext), 0x02 if mcs else 0, 0x80, 6 + i, 95, 40 + i, 70 - i,
                                    0, 540 + i, 1 if mcs else 0) + ext
            length = 20 + len(radio) + len(data)
            hdr = struct.pack("<IHBBBBBIBBBH", length, t.year, t.month, t.day, t.hour, t.minute, t.second, usec,
                              medium, 0, 1 + i % 2 if medium == 0 else 0, 0)
            assert len(hdr) == 20
            out.write(hdr + radio + data)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
