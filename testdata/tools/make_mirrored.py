#!/usr/bin/python3
"""testdata/mirrored.pcap: the first 700 frames of impaired.pcap (handshakes, bulk data, real
retransmissions, duplicate ACKs) as a collector receives them from a mirror that copies: after
every third frame the same frame again 40 us later (a second agent on the same segment), after
every fifth frame a SPAN-style copy 2 us later with the TTL one lower and the IP checksum redone
(the routed packet copied on ingress and egress). testdata/mirrored.copies lists the frame numbers
of the copies. Run from the repository root: /usr/bin/python3 testdata/tools/make_mirrored.py"""
from scapy.all import IP, PcapReader, wrpcap

out, copies = [], []
for n, p in enumerate(PcapReader("testdata/impaired.pcap"), 1):
    if n > 700:
        break
    out.append(p)
    if n % 3 == 0:
        c = p.copy()
        c.time = p.time + 0.000040
        c.wirelen = p.wirelen
        out.append(c)
        copies.append(len(out))
    if n % 5 == 0 and IP in p:
        c = p.copy()
        c[IP].ttl -= 1
        del c[IP].chksum
        c = c.__class__(bytes(c))
        c.time = p.time + 0.000002
        c.wirelen = p.wirelen
        out.append(c)
        copies.append(len(out))
wrpcap("testdata/mirrored.pcap", out, snaplen=128)
with open("testdata/mirrored.copies", "w") as f:
    f.write("\n".join(str(n) for n in copies) + "\n")
