package io.mirrorgate.cli;

import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.IpDecoder;
import io.mirrorgate.protocol.PacketView;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One trace-summary line per packet (SPEC section 4): {@code 12.862071 192.168.1.10:49152 ->
 * 93.184.216.34:80 TCP .A..S., len: 0, seq: 339000739, ack: 346564215, win: 8760}. The time is
 * {@code --time}: seconds since the first packet (relative, the default), the date and time in
 * {@code --timezone} (absolute, as tcpdump -tttt), seconds since the epoch (epoch, as -tt) or since
 * the previous packet (delta, as -ttt).
 */
final class TextFormat implements EventFormat {
    private static final int MAX_LINE = 512;
    private static final String FLAGS = "UAPRSF";

    /** What the time column shows. */
    enum Time {
        RELATIVE, ABSOLUTE, EPOCH, DELTA
    }

    private static final java.time.format.DateTimeFormatter SECOND =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final OutputBuffer out;
    private final Time time;
    private final java.time.ZoneId zone;
    private long first = Long.MIN_VALUE;
    private long previous = Long.MIN_VALUE;
    /** Absolute time: the formatted second of {@link #cachedSecond}, made once per second, not per packet. */
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedText;

    TextFormat(OutputStream stream) {
        this(stream, Time.RELATIVE, java.time.ZoneOffset.UTC);
    }

    TextFormat(OutputStream stream, Time time, java.time.ZoneId zone) {
        this.out = new OutputBuffer(stream);
        this.time = time;
        this.zone = zone;
    }

    @Override
    public void begin() {
    }

    /** {@code [-]S.uuuuuu} for a span of microseconds. */
    private static void seconds(OutputBuffer o, long us) {
        if (us < 0) {
            o.put('-');
            us = -us;
        }
        o.putDecimal(us / 1_000_000);
        o.put('.');
        micros(o, us % 1_000_000);
    }

    private static void micros(OutputBuffer o, long us) {
        for (long d = 100_000; d > 0; d /= 10) {
            o.put((char) ('0' + us / d % 10));
        }
    }

    @Override
    public void write(long frame, PacketView v, String analysis) throws IOException {
        OutputBuffer o = out;
        o.ensure(MAX_LINE);
        long ts = v.timestampMicros();
        if (first == Long.MIN_VALUE) {
            first = ts;
            previous = ts;
        }
        switch (time) {
            case ABSOLUTE:
                long sec = Math.floorDiv(ts, 1_000_000L);
                if (sec != cachedSecond) {
                    cachedSecond = sec;
                    cachedText = SECOND.format(java.time.Instant.ofEpochSecond(sec).atZone(zone));
                }
                o.put(cachedText);
                o.put('.');
                micros(o, Math.floorMod(ts, 1_000_000L));
                break;
            case EPOCH:
                seconds(o, ts);
                break;
            case DELTA:
                seconds(o, ts - previous);
                break;
            default:
                seconds(o, ts - first);
        }
        previous = ts;
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
        if (analysis != null && !analysis.isEmpty()) {
            o.put(" [");
            o.put(analysis);
            o.put(']');
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
