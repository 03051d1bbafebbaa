package io.mirrorgate.server.cli;

import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.IpDecoder;
import io.mirrorgate.protocol.PacketView;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One trace-summary line per packet (SPEC section 4), time in seconds since the first packet:
 * {@code 12.862071 192.168.1.10:49152 -> 93.184.216.34:80 TCP .A..S., len: 0, seq: 339000739,
 * ack: 346564215, win: 8760}.
 */
final class TextFormat implements EventFormat {
    private static final int MAX_LINE = 512;
    private static final String FLAGS = "UAPRSF";

    private final OutputBuffer out;
    private long first = Long.MIN_VALUE;

    TextFormat(OutputStream stream) {
        this.out = new OutputBuffer(stream);
    }

    @Override
    public void begin() {
    }

    @Override
    public void write(long frame, PacketView v) throws IOException {
        OutputBuffer o = out;
        o.ensure(MAX_LINE);
        if (first == Long.MIN_VALUE) {
            first = v.timestampMicros();
        }
        long rel = v.timestampMicros() - first;
        if (rel < 0) {
            o.put('-');
            rel = -rel;
        }
        o.putDecimal(rel / 1_000_000);
        o.put('.');
        long us = rel % 1_000_000;
        for (long d = 100_000; d > 0; d /= 10) {
            o.put((char) ('0' + us / d % 10));
        }
        o.put(' ');
        if (v.compressed()) {
            o.put("compressed record, len: ");
            o.putDecimal(v.capturedLength());
        } else if (!v.hasIpHeader()) {
            if (v.ipVersion() != 0) {
                o.put("IPv");
                o.putDecimal(v.ipVersion());
            } else {
                o.put("non-IP");
            }
            if (v.etherType() >= 0) {
                o.put(" ethertype ");
                o.putHex(v.etherType(), 4);
            }
            o.put(", len: ");
            o.putDecimal(v.capturedLength());
        } else {
            endpoint(o, v, v.sourceAddressOffset(), v.sourcePort());
            o.put(" -> ");
            endpoint(o, v, v.destinationAddressOffset(), v.destinationPort());
            o.put(' ');
            protocol(o, v);
        }
        if (v.truncated()) {
            o.put(", truncated");
        }
        if (v.isMalformed()) {
            o.put(", malformed: ");
            o.put(v.malformedReason());
        }
        o.put('\n');
    }

    private static void endpoint(OutputBuffer o, PacketView v, int addr, int port) {
        if (v.ipVersion() == 4) {
            o.n = AddressText.writeIpv4(v.buffer(), addr, o.buf, o.n);
        } else {
            o.put('[');
            o.n = AddressText.writeIpv6(v.buffer(), addr, o.buf, o.n);
            o.put(']');
        }
        if (v.hasPorts()) {
            o.put(':');
            o.putDecimal(port);
        }
    }

    private static void protocol(OutputBuffer o, PacketView v) {
        int p = v.ipProtocol();
        switch (p) {
            case IpDecoder.PROTO_TCP: o.put("TCP"); break;
            case IpDecoder.PROTO_UDP: o.put("UDP"); break;
            case IpDecoder.PROTO_ICMP: o.put("ICMP"); break;
            case IpDecoder.PROTO_ICMPV6: o.put("ICMPv6"); break;
            case IpDecoder.PROTO_IGMP: o.put("IGMP"); break;
            case 4: o.put("IPIP"); break;
            case 41: o.put("IPv6-in-IP"); break;
            case 47: o.put("GRE"); break;
            default:
                o.put("proto ");
                o.putDecimal(p);
        }
        if (v.hasTcp()) {
            o.put(' ');
            int f = v.tcpFlags();
            for (int k = 0; k < 6; k++) {
                o.put((f & (0x20 >> k)) != 0 ? FLAGS.charAt(k) : '.');
            }
        } else if (v.icmpType() >= 0) {
            o.put(" type ");
            o.putDecimal(v.icmpType());
            if (p != IpDecoder.PROTO_IGMP) {
                o.put(" code ");
                o.putDecimal(v.icmpCode());
            }
        }
        if (v.fragmentOffset() != 0 || (v.ipFlags() & 1) != 0 && v.id() >= 0) {
            o.put(" frag id ");
            o.putDecimal(v.id());
            o.put(" off ");
            o.putDecimal(v.fragmentOffset() * 8L);
        }
        o.put(", len: ");
        o.putDecimal(v.l4PayloadLength() >= 0 ? v.l4PayloadLength() : v.payloadLength());
        if (v.hasTcp()) {
            o.put(", seq: ");
            o.putDecimal(v.seq());
            o.put(", ack: ");
            o.putDecimal(v.ack());
            o.put(", win: ");
            o.putDecimal(v.window());
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
