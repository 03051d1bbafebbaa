#!/usr/bin/python3
"""Writes a large pcap of real TCP and UDP for the analysis benchmark by repeating
testdata/impaired.pcap (real Linux TCP through an impaired link: handshakes, bulk data, drops,
reordering, resends, duplicate ACKs; 128-byte snap length) with timestamps moved on and the
client port changed in every repetition, so each repetition is new conversations.

Usage: make_tcp_pcap.py OUT.pcap PACKETS
"""
import struct
import sys


def main(out_path, count, source="testdata/impaired.pcap"):
    data = open(source, "rb").read()
    header, off, recs = data[:24], 24, []
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
        recs.append((sec * 1000000 + usec, orig, bytearray(data[off + 16:off + 16 + incl])))
        off += 16 + incl
    first, last = recs[0][0], recs[-1][0]
    span = last - first + 1000
    client = "10.98.0.1"
    with open(out_path, "wb") as out:
        out.write(header)
        n, rep = 0, 0
        while n < count:
            shift = rep * span
            for ts, orig, frame in recs:
                if n == count:
                    break
                f = bytearray(frame)
                if len(f) >= 38 and f[12:14] == b"\x08\x00" and f[23] in (6, 17):
                    ihl = (f[14] & 0x0F) * 4
                    src = ".".join(str(b) for b in f[26:30])
                    p = 14 + ihl + (0 if src == client else 2)
                    port = struct.unpack_from("!H", f, p)[0]
                    struct.pack_into("!H", f, p, 1024 + (port + rep * 7) % 64000)
                t = ts + shift
                out.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(f), orig) + f)
                n += 1
            rep += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
