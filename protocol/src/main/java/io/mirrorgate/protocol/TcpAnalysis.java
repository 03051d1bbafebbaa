package io.mirrorgate.protocol;

/**
 * Per-packet TCP analysis flags, named as Wireshark names them ({@code tcp.analysis.*}), with
 * Wireshark's definitions (docs/ANALYSIS.md gives each rule and where mirrorgate's differs).
 * Flags are bits of an int; {@link #names} turns them into the comma-separated list the CLI prints.
 */
public final class TcpAnalysis {
    public static final int RETRANSMISSION = 1;
    public static final int KEEP_ALIVE = 1 << 1;
    public static final int KEEP_ALIVE_ACK = 1 << 2;
    public static final int ZERO_WINDOW = 1 << 3;
    public static final int ZERO_WINDOW_PROBE = 1 << 4;
    public static final int WINDOW_UPDATE = 1 << 5;
    public static final int DUPLICATE_ACK = 1 << 6;
    public static final int LOST_SEGMENT = 1 << 7;
    public static final int ACK_LOST_SEGMENT = 1 << 8;

    private static final String[] NAMES = {"retransmission", "keep_alive", "keep_alive_ack", "zero_window",
        "zero_window_probe", "window_update", "duplicate_ack", "lost_segment", "ack_lost_segment"};

    /** Every combination's text, made once: printing flags per packet allocates nothing. */
    private static final String[] TEXT = new String[1 << NAMES.length];

    static {
        for (int mask = 0; mask < TEXT.length; mask++) {
            TEXT[mask] = text(mask);
        }
    }

    private TcpAnalysis() {
    }

    /** The names of the flags set in {@code mask}, comma-separated, in a fixed order; "" for none. */
    public static String names(int mask) {
        return TEXT[mask & (TEXT.length - 1)];
    }

    private static String text(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < NAMES.length; k++) {
            if ((mask & (1 << k)) != 0) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(NAMES[k]);
            }
        }
        return sb.toString();
    }

    /** One direction of a TCP conversation, as Wireshark keeps it: next sequence, last ack, last window. */
    static final class Direction {
        long nextSeq = -1;
        long lastAck = -1;
        int lastWindow = -1;
        boolean lastWasKeepAlive;
    }

    private static boolean after(long a, long b) {
        return (int) (a - b) > 0;
    }

    /**
     * The flags of one segment from {@code me} to {@code peer}, in Wireshark's order, then the
     * direction's state updated.
     */
    static int analyze(Direction me, Direction peer, long seq, long ack, int tcpFlags, int window, int payload) {
        boolean syn = (tcpFlags & 0x02) != 0;
        boolean fin = (tcpFlags & 0x01) != 0;
        boolean rst = (tcpFlags & 0x04) != 0;
        boolean hasAck = (tcpFlags & 0x10) != 0;
        boolean sfr = syn || fin || rst;
        int flags = 0;
        boolean known = me.nextSeq >= 0;
        if (known && payload == 1 && seq == me.nextSeq && peer.lastWindow == 0) {
            flags |= ZERO_WINDOW_PROBE;
        }
        if (window == 0 && !sfr) {
            flags |= ZERO_WINDOW;
        }
        if (known && after(seq, me.nextSeq) && !rst) {
            flags |= LOST_SEGMENT;
        }
        boolean keepAlive = known && payload <= 1 && !sfr && seq == ((me.nextSeq - 1) & 0xFFFFFFFFL);
        if (keepAlive) {
            flags |= KEEP_ALIVE;
        }
        boolean sameAck = known && payload == 0 && !sfr && seq == me.nextSeq && hasAck && ack == me.lastAck;
        if (sameAck && window != me.lastWindow) {
            flags |= WINDOW_UPDATE;
        } else if (sameAck && peer.lastWasKeepAlive) {
            flags |= KEEP_ALIVE_ACK;
        } else if (sameAck && window != 0) {
            flags |= DUPLICATE_ACK;
        }
        if (hasAck && peer.nextSeq >= 0 && after(ack, peer.nextSeq)) {
            flags |= ACK_LOST_SEGMENT;
        }
        int len = payload + (syn ? 1 : 0) + (fin ? 1 : 0);
        if (known && len > 0 && !keepAlive && after(me.nextSeq, seq) && (flags & ZERO_WINDOW_PROBE) == 0) {
            flags |= RETRANSMISSION;
        }
        long end = (seq + len) & 0xFFFFFFFFL;
        if (!known || after(end, me.nextSeq)) {
            me.nextSeq = end;
        }
        if (hasAck) {
            me.lastAck = ack;
        }
        me.lastWindow = window;
        me.lastWasKeepAlive = keepAlive;
        return flags;
    }
}
