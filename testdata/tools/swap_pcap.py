#!/usr/bin/python3
"""Rewrites a little-endian microsecond pcap in big-endian byte order (as a SPARC or PowerPC
machine would write it). Usage: swap_pcap.py IN.pcap OUT.pcap"""
import struct
import sys

data = open(sys.argv[1], "rb").read()
magic, vmaj, vmin, zone, sigfigs, snap, link = struct.unpack_from("<IHHiIII", data, 0)
assert magic == 0xA1B2C3D4
out = [struct.pack(">IHHiIII", magic, vmaj, vmin, zone, sigfigs, snap, link)]
off = 24
while off < len(data):
    sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
    out.append(struct.pack(">IIII", sec, usec, incl, orig))
    out.append(data[off + 16:off + 16 + incl])
    off += 16 + incl
open(sys.argv[2], "wb").write(b"".join(out))
