#!/usr/bin/python3
"""Writes a large NCF file for benchmarks by cycling the records of testdata/eth.ncf (a mix of
IPv4/IPv6 TCP, UDP, ICMP, fragments, tunnels, VLAN, non-IP) with a fresh timestamp each, 13 µs
apart, so nothing big has to be committed.

Usage: make_ncf.py OUT.ncf RECORDS [SOURCE.ncf]
"""
import datetime
import struct
import sys


def main(out_path, count, source="testdata/eth.ncf"):
    data = open(source, "rb").read()
    frames = []
    off = 0
    while off < len(data):
        n = struct.unpack_from("<H", data, off)[0]
        frames.append((data[off + 16:off + 24], data[off + 24:off + 24 + n]))
        off += 24 + n
    start = datetime.datetime(2026, 11, 22, 10, 0, 0)
    chunk = []
    with open(out_path, "wb") as out:
        for i in range(count):
            tail, frame = frames[i % len(frames)]
            us = i * 13
            t = start + datetime.timedelta(microseconds=us)
            chunk.append(struct.pack("<HHBHBBBBBI", len(frame), len(frame), 0, t.year, t.month, t.day, t.hour,
                                     t.minute, t.second, t.microsecond) + tail + frame)
            if len(chunk) == 10000:
                out.write(b"".join(chunk))
                chunk = []
        out.write(b"".join(chunk))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:])
