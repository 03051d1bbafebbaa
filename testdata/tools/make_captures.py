#!/usr/bin/python3
"""Makes the pcap fixtures under testdata/ with scapy (Debian's python3-scapy).

Run from the repository root:  /usr/bin/python3 testdata/tools/make_captures.py
Then testdata/tools/make_derived.sh turns them into NCF, pcapng, ns/big-endian pcap and
snaplen-cut variants, and testdata/tools/make_golden.sh makes the golden TSVs with tshark.
Every packet has a fixed timestamp, so the output is the same on every run.
"""
import struct
from scapy.all import (Ether, Dot3, Dot1Q, Dot1AD, LLC, SNAP, IP, IPv6, TCP, UDP, ICMP, ARP, Raw, GRE,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, IPv6ExtHdrFragment,
                       ICMPv6EchoRequest, ICMPv6EchoReply, IPOption_RR, IPOption_Router_Alert,
                       Dot11, Dot11QoS, Dot11Beacon, Dot11Elt, RadioTap, CookedLinux, Loopback,
                       fragment, wrpcap)
from scapy.contrib.igmp import IGMP
from scapy.layers.l2 import CookedLinuxV2

BASE = 1700000000.123456  # 2023-11-14T22:13:20.123456Z
A = "00:11:22:33:44:55"
B = "66:77:88:99:aa:bb"


def stamp(pkts, start=BASE, step=0.001013):
    for i, p in enumerate(pkts):
        p.time = round(start + i * step, 6)
    return pkts


def eth(payload, t=None):
    e = Ether(src=A, dst=B)
    if t is not None:
        e.type = t
    return e / payload


def well_formed_ip():
    """IP packets of every kind the decoder handles, without link layer."""
    v4 = []
    v4.append(IP(src="192.168.1.10", dst="93.184.216.34", id=4660, flags="DF", ttl=64)
              / TCP(sport=49152, dport=80, flags="S", seq=339000739, window=64240, options=[("MSS", 1460)]))
    v4.append(IP(src="93.184.216.34", dst="192.168.1.10", id=0, flags="DF", ttl=56)
              / TCP(sport=80, dport=49152, flags="SA", seq=346564215, ack=339000740, window=8760))
    v4.append(IP(src="192.168.1.10", dst="93.184.216.34", id=4661, flags="DF")
              / TCP(sport=49152, dport=80, flags="PA", seq=339000740, ack=346564216, window=502)
              / Raw(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"))
    v4.append(IP(src="10.0.0.1", dst="10.0.0.2", tos=0xb8, ttl=1, id=7)
              / TCP(sport=5001, dport=5002, flags="FA", seq=4294967295, ack=0, window=0))
    v4.append(IP(src="10.0.0.1", dst="10.0.0.2", tos=0x03, id=8)
              / TCP(sport=5001, dport=5002, flags=0x1c2, seq=1, ack=2, window=65535))  # NS CWR ECE SYN
    v4.append(IP(src="192.168.1.10", dst="8.8.8.8", id=999) / UDP(sport=53124, dport=53)
              / Raw(bytes.fromhex("abcd01000001000000000000076578616d706c6503636f6d0000010001")))
    v4.append(IP(src="192.168.1.10", dst="192.168.1.1", id=1000) / ICMP(type=8, code=0, id=1, seq=1)
              / Raw(b"abcdefghijklmnopqrstuvwabcdefghi"))
    v4.append(IP(src="192.168.1.10", dst="224.0.0.22", ttl=1, id=1001,
                 options=[IPOption_Router_Alert()]) / IGMP(type=0x16, gaddr="239.1.2.3"))
    v4.append(IP(src="172.16.0.1", dst="172.16.0.2", id=1002, options=[IPOption_RR(routers=["0.0.0.0"] * 3)])
              / UDP(sport=1234, dport=5678) / Raw(b"options"))
    v4.append(IP(src="10.1.1.1", dst="10.2.2.2", id=1003, chksum=0x1234) / UDP(sport=1, dport=2) / Raw(b"bad checksum"))
    # fragments of one UDP datagram: first carries the ports, the others do not
    big = IP(src="10.9.8.7", dst="10.6.5.4", id=31337) / UDP(sport=7000, dport=7001) / Raw(bytes(range(256)) * 12)
    v4.extend(fragment(big, fragsize=1200))
    # tunnels: described by the outer header
    v4.append(IP(src="198.51.100.1", dst="198.51.100.2", id=1004) / IP(src="10.0.0.5", dst="10.0.0.6")
              / TCP(sport=1111, dport=2222, flags="S"))
    v4.append(IP(src="198.51.100.1", dst="198.51.100.2", id=1005) / IPv6(src="2001:db8::5", dst="2001:db8::6")
              / UDP(sport=3333, dport=4444))
    v4.append(IP(src="198.51.100.1", dst="198.51.100.2", id=1006) / GRE() / IP(src="10.0.0.7", dst="10.0.0.8")
              / ICMP())
    # short UDP: Ethernet pads it to 60 bytes; payload must stop at the IP length
    v4.append(IP(src="10.0.0.1", dst="10.0.0.2", id=1007) / UDP(sport=9, dport=9) / Raw(b"x"))
    v4.append(IP(src="10.0.0.1", dst="10.0.0.2", id=1008, proto=253) / Raw(b"experimental protocol"))

    v6 = []
    v6.append(IPv6(src="2001:db8::1", dst="2001:db8:0:0:1::2", tc=0x28, hlim=64, fl=0x12345)
              / TCP(sport=50000, dport=443, flags="S", seq=1000, window=65535))
    v6.append(IPv6(src="fe80::1:2:3:4", dst="ff02::1:ff00:1") / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()
              / UDP(sport=546, dport=547) / Raw(b"dhcpv6"))
    v6.append(IPv6(src="2001:db8:1::1", dst="2001:db8:2::2") / IPv6ExtHdrRouting(addresses=["2001:db8:3::3"])
              / ICMPv6EchoRequest(id=7, seq=9, data=b"ping"))
    v6.append(IPv6(src="2001:db8:2::2", dst="2001:db8:1::1") / ICMPv6EchoReply(id=7, seq=9, data=b"pong"))
    v6.append(IPv6(src="::ffff:192.0.2.1", dst="2001:0:0:1::1") / UDP(sport=1000, dport=2000))
    v6.append(IPv6(src="::", dst="::1") / UDP(sport=1, dport=2))
    v6.append(IPv6(src="2001:db8:0:1:1:1:1:1", dst="2001:0:0:1:0:0:0:1") / TCP(sport=1, dport=2, flags="A", seq=5, ack=6))
    big6 = IPv6(src="2001:db8::a", dst="2001:db8::b") / IPv6ExtHdrFragment(id=0xdeadbeef) / UDP(sport=8000, dport=8001) / Raw(bytes(range(200)) * 8)
    v6.extend(fragment6(big6, 700))
    v6.append(IPv6(src="2001:db8::c", dst="2001:db8::d") / IPv6(src="2001:db8::e", dst="2001:db8::f") / UDP(sport=5, dport=6))
    v6.append(IPv6(src="2001:db8::c", dst="2001:db8::d", nh=59) / Raw(b""))  # no next header
    return v4, v6


def fragment6(pkt, size):
    from scapy.all import fragment6 as f6
    return f6(pkt, size)


def ethernet_file():
    v4, v6 = well_formed_ip()
    pkts = [eth(p) for p in v4] + [eth(p) for p in v6]
    pkts.append(Ether(src=A, dst=B) / Dot1Q(vlan=100, prio=5) / IP(src="10.10.0.1", dst="10.10.0.2", id=2000)
                / TCP(sport=2000, dport=3000, flags="S"))
    pkts.append(Ether(src=A, dst=B) / Dot1AD(vlan=200) / Dot1Q(vlan=300) / IP(src="10.20.0.1", dst="10.20.0.2", id=2001)
                / UDP(sport=4000, dport=5000) / Raw(b"qinq"))
    pkts.append(Ether(src=A, dst=B) / Dot1Q(vlan=7) / IPv6(src="2001:db8::7", dst="2001:db8::8") / UDP(sport=7, dport=8))
    pkts.append(Ether(src=A, dst=B, type=0x9100) / Dot1Q(vlan=400) / IP(src="10.30.0.1", dst="10.30.0.2", id=2002)
                / ICMP())
    pkts.append(Ether(src=A, dst=B) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800)
                / IP(src="10.40.0.1", dst="10.40.0.2", id=2003) / UDP(sport=6000, dport=7000) / Raw(b"snap"))
    pkts.append(Dot3(src=A, dst=B) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x86dd)
                / IPv6(src="2001:db8::40", dst="2001:db8::41") / UDP(sport=6001, dport=7001) / Raw(b"802.3"))
    pkts.append(Ether(src=A, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="192.168.1.10", pdst="192.168.1.1"))
    pkts.append(Ether(src=A, dst="01:80:c2:00:00:0e", type=0x88cc) / Raw(bytes(40)))  # LLDP: non-IP, kept
    pkts.append(Ether(src=A, dst=B) / LLC(dsap=0x42, ssap=0x42, ctrl=3) / Raw(bytes(38)))  # STP-like LLC
    return stamp(pkts)


def malformed_file():
    """Frames whose fields contradict each other; each is a whole frame (no snaplen)."""
    pkts = []
    ok = bytes(IP(src="10.0.0.1", dst="10.0.0.2", id=1) / UDP(sport=1, dport=2) / Raw(b"hello"))
    pkts.append(eth(Raw(bytes([0x43]) + ok[1:]), 0x0800))                         # ihl 3
    pkts.append(eth(Raw(ok[:2] + struct.pack("!H", 1500) + ok[4:]), 0x0800))     # total length > captured
    pkts.append(eth(Raw(bytes([0x65]) + ok[1:]), 0x0800))                         # nibble 6 under IPv4 type
    pkts.append(eth(Raw(ok[:2] + struct.pack("!H", 12) + ok[4:]), 0x0800))       # total length < header
    pkts.append(eth(Raw(ok[:2] + struct.pack("!H", 0) + ok[4:]), 0x0800))        # TSO: total length 0
    tcp = bytes(IP(src="10.0.0.1", dst="10.0.0.2", id=2, proto=6) / Raw(b"\x00\x50\x01\xbb\x00\x00"))
    pkts.append(eth(Raw(tcp), 0x0800))                                              # 6-byte TCP header
    v6 = bytes(IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=1, dport=2) / Raw(b"abc"))
    pkts.append(eth(Raw(v6[:4] + struct.pack("!H", 900) + v6[6:]), 0x86dd))      # payload length > captured
    pkts.append(eth(Raw(v6[:30]), 0x86dd))                                          # ipv6 header cut
    pkts.append(eth(Raw(bytes([0x45]) + bytes(9)), 0x0800))                        # ipv4 header cut
    pkts.append(Raw(bytes(10)))                                                     # runt: no Ethernet header
    tcp5 = bytes(IP(src="10.0.0.1", dst="10.0.0.2", id=3) / TCP(sport=1, dport=2, dataofs=3, flags="S"))
    pkts.append(eth(Raw(tcp5), 0x0800))                                             # tcp data offset 3
    return stamp(pkts, start=BASE + 100)


def wifi_frames():
    """802.11 frames (no radiotap), as CommView for WiFi and medium 1 carry them."""
    ap, sta, dst = "00:0a:0b:0c:0d:0e", "00:1a:2b:3c:4d:5e", "00:99:88:77:66:55"
    snap4 = LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800)
    snap6 = LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x86dd)
    f = []
    f.append(Dot11(type=2, subtype=0, FCfield="to-DS", addr1=ap, addr2=sta, addr3=dst) / snap4
             / IP(src="192.168.50.2", dst="192.168.50.1", id=3000) / TCP(sport=40000, dport=22, flags="S"))
    f.append(Dot11(type=2, subtype=8, FCfield="from-DS", addr1=sta, addr2=ap, addr3=dst) / Dot11QoS(TID=5) / snap4
             / IP(src="192.168.50.1", dst="192.168.50.2", id=3001) / UDP(sport=9999, dport=40001) / Raw(b"qos data"))
    f.append(Dot11(type=2, subtype=0, FCfield="to-DS+from-DS", addr1=ap, addr2=sta, addr3=dst, addr4=sta) / snap6
             / IPv6(src="2001:db8::50", dst="2001:db8::51") / ICMPv6EchoRequest())
    f.append(Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2=ap, addr3=ap) / Dot11Beacon()
             / Dot11Elt(ID=0, info=b"mirrorgate"))
    f.append(Dot11(type=2, subtype=4, FCfield="to-DS", addr1=ap, addr2=sta, addr3=ap))  # null function
    f.append(Dot11(type=2, subtype=0, FCfield="to-DS+protected", addr1=ap, addr2=sta, addr3=dst)
             / Raw(bytes(range(48))))  # encrypted body
    return f


def token_ring_frames():
    snap = bytes.fromhex("aaaa03000000") + b"\x08\x00"
    ip = bytes(IP(src="10.5.5.1", dst="10.5.5.2", id=4000) / UDP(sport=111, dport=222) / Raw(b"token ring"))
    dst, src = bytes.fromhex("400000000001"), bytes.fromhex("400000000002")
    f = [Raw(bytes([0x10, 0x40]) + dst + src + snap + ip)]
    src_rt = bytes([src[0] | 0x80]) + src[1:]
    rif = bytes([0x06, 0x30]) + bytes.fromhex("0011 0022".replace(" ", ""))
    ip2 = bytes(IP(src="10.5.5.3", dst="10.5.5.4", id=4001) / TCP(sport=139, dport=1025, flags="SA"))
    f.append(Raw(bytes([0x10, 0x40]) + dst + src_rt + rif + snap + ip2))
    f.append(Raw(bytes([0x10, 0x01]) + dst + src + bytes(20)))  # MAC frame
    return f


def main():
    wrpcap("testdata/eth.pcap", ethernet_file())
    wrpcap("testdata/eth-malformed.pcap", malformed_file())
    wrpcap("testdata/wifi.pcap", stamp(wifi_frames(), start=BASE + 200), linktype=105)
    wrpcap("testdata/token-ring.pcap", stamp(token_ring_frames(), start=BASE + 300), linktype=6)
    rt = [RadioTap() / f for f in wifi_frames()[:3]]
    wrpcap("testdata/radiotap.pcap", stamp(rt, start=BASE + 400), linktype=127)
    v4, v6 = well_formed_ip()
    wrpcap("testdata/raw.pcap", stamp([Raw(bytes(p)) for p in v4[:6] + v6[:4]], start=BASE + 500), linktype=101)
    wrpcap("testdata/sll.pcap", stamp([CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=bytes.fromhex("001122334455") + b"\0\0", proto=0x0800 if p.version == 4 else 0x86dd) / p
                                       for p in v4[:4] + v6[:2]], start=BASE + 600), linktype=113)
    wrpcap("testdata/sll2.pcap", stamp([CookedLinuxV2(proto=0x0800 if p.version == 4 else 0x86dd, ifindex=2, lladdrtype=1, pkttype=4, lladdrlen=6, src=bytes.fromhex("001122334455") + b"\0\0") / p
                                        for p in v4[:4] + v6[:2]], start=BASE + 700), linktype=276)
    null = [Raw(struct.pack("<I", 2 if p.version == 4 else 30) + bytes(p)) for p in v4[:3] + v6[:2]]
    wrpcap("testdata/null.pcap", stamp(null, start=BASE + 800), linktype=0)
    loop = [Raw(struct.pack(">I", 2 if p.version == 4 else 24) + bytes(p)) for p in v4[:3] + v6[:2]]
    wrpcap("testdata/loop.pcap", stamp(loop, start=BASE + 900), linktype=108)


if __name__ == "__main__":
    main()
