package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Recognises copies of one packet that a mirror delivers more than once: a SPAN port that copies
 * both the ingress and the egress of a routed packet, or two agents on one segment
 * (docs/ANALYSIS.md). Two packets are copies when their IP headers are equal but for TTL (hop
 * limit) and header checksum, and their transport headers and the first bytes after them are equal
 * (the transport checksum makes that the whole payload in practice), within {@code windowMicros}
 * of each other. For IPv4 the identification is part of the header compared, so a sender's own
 * resend (a new identification) is never taken for a copy.
 *
 * <p>Memory is fixed: a table of 64-bit fingerprints and times, two per bucket (the older one
 * replaced); a copy whose original was pushed out is not recognised. No allocation per packet. Not
 * thread-safe.
 */
public final class MirrorDuplicates {
    /** Copies arrive microseconds apart on one SPAN port, milliseconds apart from two agents. */
    public static final long DEFAULT_WINDOW_MICROS = 100_000;
    public static final int DEFAULT_SLOTS = 1 << 16;
    /** Bytes of the transport header and payload compared. */
    private static final int L4_BYTES = 128;

    private final long windowMicros;
    private final long[] prints;
    private final long[] times;
    private final int mask;
    private long duplicates;

    public MirrorDuplicates() {
        this(DEFAULT_WINDOW_MICROS, DEFAULT_SLOTS);
    }

    /** @param slots fingerprints kept (rounded up to a power of two, at least 2) */
    public MirrorDuplicates(long windowMicros, int slots) {
        int n = Integer.highestOneBit(Math.max(2, slots - 1)) << 1;
        this.windowMicros = windowMicros;
        this.prints = new long[n];
        this.times = new long[n];
        this.mask = n - 2; // buckets of two
        java.util.Arrays.fill(times, Long.MIN_VALUE);
    }

    /** True if {@code v} is a copy of a packet seen within the window (then counted); else remembers it. */
    public boolean isDuplicate(PacketView v) {
        long print = fingerprint(v);
        long now = v.timestampMicros();
        int b = (int) (print ^ (print >>> 32)) & mask;
        for (int k = b; k < b + 2; k++) {
            if (prints[k] == print && times[k] != Long.MIN_VALUE && Math.abs(now - times[k]) <= windowMicros) {
                duplicates++;
                return true;
            }
        }
        int slot = times[b] <= times[b + 1] ? b : b + 1;
        prints[slot] = print;
        times[slot] = now;
        return false;
    }

    /** Copies recognised so far. */
    public long duplicates() {
        return duplicates;
    }

    /** A 64-bit fingerprint of what a copy shares with its original (never 0 for a real packet in practice). */
    static long fingerprint(PacketView v) {
        ByteBuf b = v.buffer();
        int end = v.frameOffset() + v.capturedLength();
        long h = 0x9E3779B97F4A7C15L ^ v.originalLength();
        if (!v.hasIpHeader()) {
            return mixRange(h, b, v.frameOffset(), Math.min(end, v.frameOffset() + L4_BYTES));
        }
        int ip = v.ipOffset();
        int l4;
        if (v.ipVersion() == 4) {
            int ihl = (b.getUnsignedByte(ip) & 0x0F) * 4;
            h = mix(h, b.getLong(ip)); // version .. fragment offset
            h = mix(h, b.getUnsignedByte(ip + 9)); // protocol; not TTL (8) nor checksum (10-11)
            h = mixRange(h, b, ip + 12, Math.min(end, ip + ihl));
            l4 = ip + ihl;
        } else {
            h = mix(h, (long) b.getUnsignedMedium(ip) << 24 | b.getUnsignedMedium(ip + 3)); // bytes 0-5
            h = mix(h, b.getUnsignedByte(ip + 6)); // next header; not the hop limit (7)
            h = mixRange(h, b, ip + 8, Math.min(end, ip + 40));
            l4 = ip + 40;
        }
        return mixRange(h, b, l4, Math.min(end, l4 + L4_BYTES));
    }

    private static long mixRange(long h, ByteBuf b, int from, int to) {
        int k = from;
        for (; k + 8 <= to; k += 8) {
            h = mix(h, b.getLong(k));
        }
        long tail = 0;
        for (; k < to; k++) {
            tail = tail << 8 | b.getUnsignedByte(k);
        }
        return mix(mix(h, tail), to - from);
    }

    /** One round of a 64-bit mix (the finaliser of MurmurHash3 over the running value). */
    private static long mix(long h, long x) {
        h ^= x;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 29;
        return h;
    }
}
