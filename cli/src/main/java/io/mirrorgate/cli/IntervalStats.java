package io.mirrorgate.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.PacketView;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code watch --stats-interval SEC}: IPMonitor's statistics mode. Per interval, packets and bytes
 * (frame lengths on the wire) in all and by protocol (tcp, udp, icmp, icmpv6, other IP, not IP),
 * and the top talkers (source addresses by bytes). Talkers are bounded per interval; packets from
 * addresses past the bound are counted under "other". Not thread-safe: the caller locks.
 */
final class IntervalStats {
    static final String[] PROTOCOLS = {"tcp", "udp", "icmp", "icmpv6", "other_ip", "not_ip"};
    static final int TOP = 5;
    static final int TALKERS_MAX = 65_536;

    private final String format;
    private final OutputStream out;
    private final long intervalSeconds;
    private final long[] packets = new long[PROTOCOLS.length];
    private final long[] bytes = new long[PROTOCOLS.length];
    /** Source address → {bytes, packets}; bounded by {@link #TALKERS_MAX}. */
    private final Map<Address, long[]> talkers = new HashMap<>();
    /** Reused for lookups: a packet of a known talker allocates nothing. */
    private final Address probe = new Address(new byte[16], 0);

    /** An IPv4 or IPv6 address as a map key. */
    private static final class Address {
        final byte[] bytes;
        int length;
        int hash;

        Address(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
            this.hash = java.util.Arrays.hashCode(java.util.Arrays.copyOf(bytes, length));
        }

        void set(io.netty.buffer.ByteBuf b, int offset, int len) {
            length = len;
            b.getBytes(offset, bytes, 0, len);
            int h = 1;
            for (int k = 0; k < len; k++) {
                h = 31 * h + bytes[k];
            }
            hash = h;
        }

        Address copy() {
            return new Address(java.util.Arrays.copyOf(bytes, length), length);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Address a && java.util.Arrays.equals(bytes, 0, length, a.bytes, 0, a.length);
        }

        @Override
        public String toString() {
            return AddressText.of(java.util.Arrays.copyOf(bytes, length));
        }
    }
    private long otherTalkerBytes;
    private boolean headerDone;

    IntervalStats(String format, OutputStream out, long intervalSeconds) {
        this.format = format;
        this.out = out;
        this.intervalSeconds = intervalSeconds;
    }

    void add(PacketView v) {
        int k;
        if (!v.hasIpHeader()) {
            k = 5;
        } else {
            switch (v.ipProtocol()) {
                case 6: k = 0; break;
                case 17: k = 1; break;
                case 1: k = 2; break;
                case 58: k = 3; break;
                default: k = 4;
            }
        }
        packets[k]++;
        bytes[k] += v.originalLength();
        if (v.hasIpHeader()) {
            probe.set(v.buffer(), v.sourceAddressOffset(), v.ipVersion() == 6 ? 16 : 4);
            long[] t = talkers.get(probe);
            if (t == null && talkers.size() < TALKERS_MAX) {
                t = new long[2];
                talkers.put(probe.copy(), t);
            }
            if (t == null) {
                otherTalkerBytes += v.originalLength();
            } else {
                t[0] += v.originalLength();
                t[1]++;
            }
        }
    }

    /** Prints the interval that ends now and starts the next. */
    void print(Instant now) throws IOException {
        List<Map.Entry<Address, long[]>> top = new ArrayList<>(talkers.entrySet());
        top.sort((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]));
        if (top.size() > TOP) {
            top = top.subList(0, TOP);
        }
        long allPackets = 0;
        long allBytes = 0;
        for (int k = 0; k < PROTOCOLS.length; k++) {
            allPackets += packets[k];
            allBytes += bytes[k];
        }
        StringBuilder sb = new StringBuilder();
        switch (format) {
            case "tsv":
                if (!headerDone) {
                    sb.append("ts\tinterval\tpackets\tbytes");
                    for (String p : PROTOCOLS) {
                        sb.append('\t').append(p).append("_packets\t").append(p).append("_bytes");
                    }
                    sb.append("\ttop_talkers\n");
                    headerDone = true;
                }
                sb.append(now).append('\t').append(intervalSeconds).append('\t').append(allPackets).append('\t').append(allBytes);
                for (int k = 0; k < PROTOCOLS.length; k++) {
                    sb.append('\t').append(packets[k]).append('\t').append(bytes[k]);
                }
                sb.append('\t');
                for (int k = 0; k < top.size(); k++) {
                    sb.append(k == 0 ? "" : ",").append(top.get(k).getKey()).append('=').append(top.get(k).getValue()[0]);
                }
                sb.append('\n');
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                break;
            case "jsonl":
                JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.setPrettyPrinter(new MinimalPrettyPrinter(""));
                g.writeStartObject();
                g.writeNumberField("ts", now.toEpochMilli() / 1e3);
                g.writeNumberField("interval", intervalSeconds);
                g.writeNumberField("packets", allPackets);
                g.writeNumberField("bytes", allBytes);
                g.writeObjectFieldStart("protocols");
                for (int k = 0; k < PROTOCOLS.length; k++) {
                    g.writeObjectFieldStart(PROTOCOLS[k]);
                    g.writeNumberField("packets", packets[k]);
                    g.writeNumberField("bytes", bytes[k]);
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.writeArrayFieldStart("top_talkers");
                for (Map.Entry<Address, long[]> e : top) {
                    g.writeStartObject();
                    g.writeStringField("addr", e.getKey().toString());
                    g.writeNumberField("bytes", e.getValue()[0]);
                    g.writeNumberField("packets", e.getValue()[1]);
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (otherTalkerBytes > 0) {
                    g.writeNumberField("other_talkers_bytes", otherTalkerBytes);
                }
                g.writeEndObject();
                g.writeRaw('\n');
                g.flush();
                break;
            default:
                sb.append(now).append(String.format(Locale.ROOT, "  %d packets  %d bytes  in %d s:", allPackets, allBytes,
                        intervalSeconds));
                for (int k = 0; k < PROTOCOLS.length; k++) {
                    if (packets[k] > 0) {
                        sb.append(String.format(Locale.ROOT, "  %s %d/%d", PROTOCOLS[k], packets[k], bytes[k]));
                    }
                }
                if (!top.isEmpty()) {
                    sb.append("  | top:");
                    for (Map.Entry<Address, long[]> e : top) {
                        sb.append(' ').append(e.getKey()).append(' ').append(e.getValue()[0]);
                    }
                }
                sb.append('\n');
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        java.util.Arrays.fill(packets, 0);
        java.util.Arrays.fill(bytes, 0);
        talkers.clear();
        otherTalkerBytes = 0;
    }
}
