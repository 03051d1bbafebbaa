#!/usr/bin/python3
"""testdata/tcp-cases.pcap: one TCP conversation per case the analysis must name (docs/ANALYSIS.md),
each on its own port pair, fixed timestamps (a re-run gives the same bytes).
Run from the repository root: /usr/bin/python3 testdata/tools/make_tcp_cases.py"""
from scapy.all import Ether, IP, TCP, Raw, wrpcap

A, B = "10.50.0.1", "10.50.0.2"
MA, MB = "02:00:00:00:50:01", "02:00:00:00:50:02"
t = [1700000300.0]
frames = []
ids = {True: 0x1000, False: 0x5000}  # each sender numbers its datagrams one by one, as real stacks do


def seg(src_is_a, sport, dport, flags, seq, ack, data=b"", win=8192):
    src, dst = (A, B) if src_is_a else (B, A)
    ids[src_is_a] += 1
    p = Ether(src=MA if src_is_a else MB, dst=MB if src_is_a else MA) / IP(src=src, dst=dst, ttl=64, id=ids[src_is_a]) / \
        TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=win)
    if data:
        p = p / Raw(data)
    t[0] += 0.001
    p.time = round(t[0], 6)
    frames.append(p)


# 1. handshake, data both ways, graceful close from A: state SF, history ShADadFf
c, s = 40001, 80
seg(True, c, s, "S", 1000, 0)
seg(False, s, c, "SA", 5000, 1001)
seg(True, c, s, "A", 1001, 5001)
seg(True, c, s, "PA", 1001, 5001, b"GET / HTTP/1.0\r\n\r\n")
seg(False, s, c, "A", 5001, 1019)
seg(False, s, c, "PA", 5001, 1019, b"HTTP/1.0 200 OK\r\n\r\n")
seg(True, c, s, "FA", 1019, 5020)
seg(False, s, c, "A", 5020, 1020)
seg(False, s, c, "FA", 5020, 1020)
seg(True, c, s, "A", 1020, 5021)

# 2. a SYN refused with a reset: state REJ, history Sr
seg(True, 40002, 81, "S", 2000, 0)
seg(False, 81, 40002, "RA", 0, 2001)

# 3. established, then A aborts: state RSTO, history ShAR
seg(True, 40003, 82, "S", 3000, 0)
seg(False, 82, 40003, "SA", 7000, 3001)
seg(True, 40003, 82, "A", 3001, 7001)
seg(True, 40003, 82, "RA", 3001, 7001)

# 4. the receiver's window falls to 0, then opens: state S1, history ShADa
seg(True, 40004, 83, "S", 4000, 0)
seg(False, 83, 40004, "SA", 9000, 4001)
seg(True, 40004, 83, "A", 4001, 9001)
seg(True, 40004, 83, "PA", 4001, 9001, b"x" * 100)
seg(False, 83, 40004, "A", 9001, 4101, win=0)
seg(False, 83, 40004, "A", 9001, 4101, win=8192)

# 5. keep-alive: one byte below the next sequence number, and its ack: state S1, history ShADa
seg(True, 40005, 84, "S", 6000, 0)
seg(False, 84, 40005, "SA", 11000, 6001)
seg(True, 40005, 84, "A", 6001, 11001)
seg(True, 40005, 84, "PA", 6001, 11001, b"hello")
seg(False, 84, 40005, "A", 11001, 6006)
seg(True, 40005, 84, "A", 6005, 11001, b"\x00")
seg(False, 84, 40005, "A", 11001, 6006)

# 6. a data segment sent twice (a real retransmission): 1 retransmission
seg(True, 40006, 85, "S", 8000, 0)
seg(False, 85, 40006, "SA", 13000, 8001)
seg(True, 40006, 85, "A", 8001, 13001)
seg(True, 40006, 85, "PA", 8001, 13001, b"y" * 50)
seg(True, 40006, 85, "PA", 8001, 13001, b"y" * 50)
seg(False, 85, 40006, "A", 13001, 8051)

# 7. the receiver's window closes; the sender probes it with one byte, the receiver acks the probe
#    with the window still 0 (zero_window, zero_window_probe, zero_window_probe_ack), then opens it
seg(True, 40007, 86, "S", 20000, 0)
seg(False, 86, 40007, "SA", 30000, 20001)
seg(True, 40007, 86, "A", 20001, 30001)
seg(True, 40007, 86, "PA", 20001, 30001, b"z" * 200)
seg(False, 86, 40007, "A", 30001, 20201, win=0)
seg(True, 40007, 86, "A", 20201, 30001, b"z")
seg(False, 86, 40007, "A", 30001, 20201, win=0)
seg(False, 86, 40007, "A", 30001, 20201, win=4096)

# 8. the sender fills the receiver's window exactly (window_full; no scaling: the SYNs carry none)
seg(True, 40008, 87, "S", 21000, 0)
seg(False, 87, 40008, "SA", 31000, 21001, win=1000)
seg(True, 40008, 87, "A", 21001, 31001)
seg(True, 40008, 87, "PA", 21001, 31001, b"w" * 500)
seg(True, 40008, 87, "PA", 21501, 31001, b"w" * 500)
seg(False, 87, 40008, "A", 31001, 22001, win=1000)

# 9. ports reused: after a graceful close, a new SYN with a new initial sequence number (reused_ports,
#    a second conversation on the same ports)
for isn in (22000, 90000):
    seg(True, 40009, 88, "S", isn, 0)
    seg(False, 88, 40009, "SA", isn + 5, isn + 1)
    seg(True, 40009, 88, "A", isn + 1, isn + 6)
    seg(True, 40009, 88, "FA", isn + 1, isn + 6)
    seg(False, 88, 40009, "FA", isn + 6, isn + 2)
    seg(True, 40009, 88, "A", isn + 2, isn + 7)

wrpcap("testdata/tcp-cases.pcap", frames)
