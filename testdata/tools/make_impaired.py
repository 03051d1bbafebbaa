#!/usr/bin/python3
"""testdata/impaired.pcap and testdata/impaired.truth: real TCP and UDP traffic between two network
namespaces through an impaired link, captured at the receiving end, with what the impairment really
did to every segment.

    mgxA (10.98.0.1, mgxA0) -- mgxA1 [mgxM: impair_bridge.py] mgxB1 -- mgxB0 (10.98.0.2, mgxB)

The bridge delays every frame 4 ms each way, and drops 3 % and holds back 12-30 ms another 3 % of
the data segments and datagrams (seeded). tcpdump captures in mgxB (after the impairment for what A
sends, before it for what B sends), 128 bytes of each frame. Traffic: 600 kB A->B, 300 kB B->A,
60 small request/response exchanges (where a lost segment waits for the retransmission timer) and
300 UDP datagrams with replies.

impaired.truth has one line per captured frame: frame number, then for a segment with data (or
SYN/FIN) 'original' or 'resend' (whether the sender had sent these sequence numbers before, as the
bridge saw it before impairing) and what the bridge did to it (forward, hold), else '-'.

Needs root, iproute2, ethtool, tcpdump, python3-scapy. Run from the repository root:
    sudo /usr/bin/python3 testdata/tools/make_impaired.py
Interfaces and namespaces are named mgx* and removed at the end, also after an interrupted run.
"""
import os
import subprocess
import sys
import time

from scapy.all import IP, TCP, UDP, PcapReader

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..")
NS = ["mgxA", "mgxM", "mgxB"]
A, B = "10.98.0.1", "10.98.0.2"


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def cleanup():
    for ns in NS:
        sh("ip", "netns", "del", ns, check=False)


def nse(ns, *args):
    return ["ip", "netns", "exec", ns] + list(args)


SERVER = r"""
import socket, sys, threading
def bulk_in(c):
    while c.recv(65536): pass
    c.close()
def bulk_out(c):
    c.sendall(b'b' * 300000); c.shutdown(socket.SHUT_WR)
    while c.recv(65536): pass
    c.close()
def reqresp(c):
    f = c.makefile('rb')
    while True:
        q = f.read(200)
        if len(q) < 200: break
        c.sendall(b'r' * 2000)
    c.close()
def listen(port, fn):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('10.98.0.2', port)); s.listen(4)
    c, _ = s.accept(); fn(c)
def udp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('10.98.0.2', 5004)); u.settimeout(20)
    try:
        while True:
            d, a = u.recvfrom(2048)
            if d == b'end': break
            u.sendto(b'R' + d[:99], a)
    except socket.timeout: pass
ts = [threading.Thread(target=listen, args=(5001, bulk_in)), threading.Thread(target=listen, args=(5002, bulk_out)),
      threading.Thread(target=listen, args=(5003, reqresp)), threading.Thread(target=udp)]
for t in ts: t.start()
print('ready', flush=True)
for t in ts: t.join()
"""

CLIENT = r"""
import socket, time
def connect(port):
    for _ in range(100):
        try:
            return socket.create_connection(('10.98.0.2', port), timeout=30)
        except OSError:
            time.sleep(0.05)
    raise SystemExit('cannot connect')
c = connect(5001); c.sendall(b'a' * 600000); c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
c = connect(5002)
while c.recv(65536): pass
c.close()
c = connect(5003); f = c.makefile('rb')
for _ in range(60):
    c.sendall(b'q' * 200)
    if len(f.read(2000)) < 2000: break
    time.sleep(0.01)
c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(0.05)
for k in range(300):
    u.sendto(b'u%04d' % k + b'.' * (100 + k % 400), ('10.98.0.2', 5004))
    try: u.recvfrom(2048)
    except socket.timeout: pass
for _ in range(3): u.sendto(b'end', ('10.98.0.2', 5004))
"""


def main():
    if os.geteuid() != 0:
        sys.exit("make_impaired.py: needs root (network namespaces)")
    cleanup()
    try:
        for ns in NS:
            sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", "mgxA0", "netns", "mgxA", "type", "veth", "peer", "name", "mgxA1", "netns", "mgxM")
        sh("ip", "link", "add", "mgxB0", "netns", "mgxB", "type", "veth", "peer", "name", "mgxB1", "netns", "mgxM")
        for ns, dev, addr in (("mgxA", "mgxA0", A), ("mgxB", "mgxB0", B)):
            sh(*nse(ns, "ip", "addr", "add", addr + "/24", "dev", dev))
            sh(*nse(ns, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off"))
            sh(*nse(ns, "ip", "link", "set", dev, "up"))
            sh(*nse(ns, "ip", "link", "set", "lo", "up"))
        for dev in ("mgxA1", "mgxB1"):
            sh(*nse("mgxM", "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off", "gro", "off"))
            sh(*nse("mgxM", "ip", "link", "set", dev, "promisc", "on", "up"))
        log = os.path.join(OUT, ".impair.log")
        pcap = os.path.join(OUT, "impaired.pcap")
        bridge = subprocess.Popen(nse("mgxM", "/usr/bin/python3", os.path.join(HERE, "impair_bridge.py"),
                                      "mgxA1", "mgxB1", log, "11"))
        dump = subprocess.Popen(nse("mgxB", "tcpdump", "-i", "mgxB0", "-s", "128", "-U", "-w", pcap, "ip"),
                                stderr=subprocess.PIPE)
        time.sleep(1.0)  # tcpdump and the bridge listening (a generator script, not a test)
        server = subprocess.Popen(nse("mgxB", "/usr/bin/python3", "-c", SERVER), stdout=subprocess.PIPE, text=True)
        server.stdout.readline()
        subprocess.run(nse("mgxA", "/usr/bin/python3", "-c", CLIENT), check=True, timeout=300)
        server.wait(timeout=60)
        time.sleep(1.0)
        dump.terminate()
        dump.wait()
        bridge.terminate()
        bridge.wait()
        write_truth(log, pcap, os.path.join(OUT, "impaired.truth"))
        os.remove(log)
    finally:
        cleanup()


def write_truth(log, pcap, out):
    seen = {}
    with open(log) as f:
        next(f)
        for line in f:
            side, src, sport, dst, dport, ipid, seq, seglen, sent, action, delay = line.rstrip("\n").split("\t")
            seen[(src, int(sport), dst, int(dport), int(ipid), int(seq))] = (sent, action)
    counts = {}
    with open(out, "w") as o:
        o.write("frame\tsent\taction\n")
        for n, p in enumerate(PcapReader(pcap), 1):
            verdict = ("-", "-")
            if IP in p and (TCP in p or UDP in p):
                ip = p[IP]
                l4 = ip[TCP] if TCP in p else ip[UDP]
                seq = l4.seq if TCP in p else 0
                verdict = seen.get((ip.src, l4.sport, ip.dst, l4.dport, ip.id, seq), ("-", "-"))
            counts[verdict] = counts.get(verdict, 0) + 1
            o.write("%d\t%s\t%s\n" % (n, verdict[0], verdict[1]))
    print(" ".join("%s/%s=%d" % (k[0], k[1], v) for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
