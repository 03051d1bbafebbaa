#!/usr/bin/python3
"""Turns `tshark -T pdml` into the TSV of SPEC section 4 (the golden files).

Reads PDML on stdin, writes TSV on stdout. Every value comes from tshark's own dissection of the
outermost IPv4/IPv6 header (the first ip/ipv6 protocol in the frame) and of the TCP/UDP header
that directly follows it; nothing is computed here but unit conversions (epoch seconds to µs,
hex to decimal, IPv4 header length subtracted from total length).
"""
import sys
import xml.etree.ElementTree as ET

COLUMNS = ("frame ts_us cap_len orig_len ip_ver src dst sport dport tos ip_id ip_flags frag_off ttl "
           "hdr_cksum proto payload_len tcp_flags seq ack window").split()


def fields(proto):
    """name -> list of field elements, in document order, inside one proto element."""
    out = {}
    for f in proto.iter("field"):
        out.setdefault(f.get("name"), []).append(f)
    return out


def first(fs, name, attr="show"):
    v = fs.get(name)
    return v[0].get(attr) if v else None


def num(v, base=10, fmt="%d"):
    """A field's text as a number in our format; empty when tshark did not produce it."""
    if v is None or v == "":
        return ""
    return fmt % int(v, base)


def to_us(epoch):
    sec, _, frac = epoch.partition(".")
    frac = (frac + "000000")[:6]
    return str(int(sec) * 1000000 + int(frac))


def row(packet):
    protos = [p for p in packet if p.tag == "proto"]
    frame = fields(next(p for p in protos if p.get("name") == "frame"))
    r = dict.fromkeys(COLUMNS, "")
    r["frame"] = first(frame, "frame.number")
    r["ts_us"] = to_us(first(frame, "frame.time_epoch"))
    r["cap_len"] = first(frame, "frame.cap_len")
    r["orig_len"] = first(frame, "frame.len")
    ip_index = next((i for i, p in enumerate(protos) if p.get("name") in ("ip", "ipv6")), None)
    if ip_index is None:
        return r
    ip = protos[ip_index]
    fs = fields(ip)
    transport = protos[ip_index + 1] if ip_index + 1 < len(protos) else None
    if ip.get("name") == "ip":
        r["ip_ver"] = "4"
        r["src"] = first(fs, "ip.src")
        r["dst"] = first(fs, "ip.dst")
        r["tos"] = num(first(fs, "ip.dsfield", "value"), 16)
        r["ip_id"] = num(first(fs, "ip.id", "value"), 16)
        r["ip_flags"] = num(first(fs, "ip.flags"), 16)
        r["frag_off"] = first(fs, "ip.frag_offset")
        r["ttl"] = first(fs, "ip.ttl")
        r["hdr_cksum"] = num(first(fs, "ip.checksum", "value"), 16, "0x%04x")
        r["proto"] = first(fs, "ip.proto")
        if first(fs, "ip.len") is not None and first(fs, "ip.hdr_len") is not None:
            r["payload_len"] = str(int(first(fs, "ip.len")) - int(first(fs, "ip.hdr_len")))
    else:
        r["ip_ver"] = "6"
        r["src"] = first(fs, "ipv6.src")
        r["dst"] = first(fs, "ipv6.dst")
        r["tos"] = num(first(fs, "ipv6.tclass"), 16)
        r["ttl"] = first(fs, "ipv6.hlim")
        nxt = [f.get("show") for f in ip.iter("field") if f.get("name") in
               ("ipv6.nxt", "ipv6.hopopts.nxt", "ipv6.routing.nxt", "ipv6.fraghdr.nxt", "ipv6.dstopts.nxt")]
        r["proto"] = nxt[-1] if nxt else ""
        r["payload_len"] = first(fs, "ipv6.plen")
        if first(fs, "ipv6.fraghdr.ident") is not None:
            r["ip_id"] = num(first(fs, "ipv6.fraghdr.ident"), 16)
            r["ip_flags"] = first(fs, "ipv6.fraghdr.more")
            r["frag_off"] = first(fs, "ipv6.fraghdr.offset")
    if transport is not None and transport.get("name") in ("tcp", "udp"):
        t = fields(transport)
        name = transport.get("name")
        r["sport"] = first(t, name + ".srcport")
        r["dport"] = first(t, name + ".dstport")
        if name == "tcp":
            r["tcp_flags"] = num(first(t, "tcp.flags", "value"), 16, "0x%03x")
            r["seq"] = first(t, "tcp.seq_raw")
            r["ack"] = first(t, "tcp.ack_raw")
            r["window"] = first(t, "tcp.window_size_value")
    return r


def main():
    print("\t".join(COLUMNS))
    for _, el in ET.iterparse(sys.stdin.buffer, events=("end",)):
        if el.tag == "packet":
            r = row(el)
            print("\t".join(r[c] or "" for c in COLUMNS))
            el.clear()


if __name__ == "__main__":
    main()
