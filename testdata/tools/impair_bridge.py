#!/usr/bin/python3
"""The impaired link of make_impaired.py: a user-space bridge between two interfaces (this kernel
has no netem). Every frame is delayed by BASE_MS; TCP segments carrying data (or SYN/FIN) and UDP
datagrams are dropped, or held back HOLD_MS longer (so later frames pass them), at random with a
fixed seed. It logs, per frame it takes in, what it did and whether the sender had sent these
sequence numbers before (the truth the analysis is scored against):

    side  src  sport  dst  dport  ipid  seq  seglen  sent  action  delay_ms

side is the interface the frame came in on, sent is 'original' (new sequence numbers) or 'resend'
(at or below the highest end the sender had already sent), action forward, drop or hold.

Usage (inside the middle namespace): impair_bridge.py IF_A IF_B LOG SEED
Stops on SIGTERM, writing the log.
"""
import heapq
import random
import select
import signal
import socket
import struct
import sys
import time

BASE_MS = 4.0
DROP = 0.03
HOLD = 0.03
HOLD_MS = (12.0, 30.0)
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def parse(frame):
    """(src, sport, dst, dport, proto, ipid, seq, seglen) of an IPv4 TCP/UDP frame, or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    ipid = struct.unpack("!H", ip[4:6])[0]
    proto = ip[9]
    src = socket.inet_ntoa(ip[12:16])
    dst = socket.inet_ntoa(ip[16:20])
    l4 = ip[ihl:]
    if proto == 6 and len(l4) >= 20:
        sport, dport, seq = struct.unpack("!HHI", l4[:8])
        off = (l4[12] >> 4) * 4
        flags = l4[13]
        seglen = total - ihl - off + (1 if flags & 0x02 else 0) + (1 if flags & 0x01 else 0)
        return src, sport, dst, dport, 6, ipid, seq, seglen
    if proto == 17 and len(l4) >= 8:
        sport, dport = struct.unpack("!HH", l4[:4])
        return src, sport, dst, dport, 17, ipid, 0, total - ihl - 8
    return None


def main():
    if_a, if_b, log_path, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rnd = random.Random(seed)
    socks = {}
    for name in (if_a, if_b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        socks[name] = s
    other = {if_a: socks[if_b], if_b: socks[if_a]}
    highest = {}  # (src, sport, dst, dport) -> highest sequence end sent (unwrapped to the first seen)
    pending = []  # (due, n, out socket, frame)
    log = []
    n = 0
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    by_fd = {s.fileno(): name for name, s in socks.items()}
    while not stop[0]:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, out, frame = heapq.heappop(pending)
            out.send(frame)
        timeout = max(0.0, pending[0][0] - now) if pending else 0.2
        ready, _, _ = select.select(list(by_fd), [], [], min(timeout, 0.2))
        for fd in ready:
            name = by_fd[fd]
            frame, addr = socks[name].recvfrom(65535)
            if addr[2] == PACKET_OUTGOING:
                continue
            now = time.monotonic()
            delay = BASE_MS
            p = parse(frame)
            action = "forward"
            if p is not None and p[7] > 0:
                src, sport, dst, dport, proto, ipid, seq, seglen = p
                sent = "original"
                if proto == 6:
                    key = (src, sport, dst, dport)
                    end = seq + seglen
                    if key in highest:
                        base, top = highest[key]
                        rel_end = (end - base) & 0xFFFFFFFF
                        rel_seq = (seq - base) & 0xFFFFFFFF
                        if rel_seq < top:
                            sent = "resend"
                        highest[key] = (base, max(top, rel_end))
                    else:
                        highest[key] = (seq, seglen)
                r = rnd.random()
                if r < DROP:
                    action = "drop"
                elif r < DROP + HOLD:
                    action = "hold"
                    delay += rnd.uniform(*HOLD_MS)
                log.append((name, src, sport, dst, dport, ipid, seq, seglen, sent, action, round(delay, 1)))
            if action == "drop":
                continue
            n += 1
            heapq.heappush(pending, (now + delay / 1000.0, n, other[name], frame))
    with open(log_path, "w") as f:
        f.write("side\tsrc\tsport\tdst\tdport\tipid\tseq\tseglen\tsent\taction\tdelay_ms\n")
        for row in log:
            f.write("\t".join(str(x) for x in row) + "\n")


if __name__ == "__main__":
    main()
