package io.mirrorgate.protocol;

/**
 * Per-packet TCP analysis flags, named as Wireshark names them ({@code tcp.analysis.*}), plus
 * {@code mirror_duplicate}. {@link Rules#WIRESHARK} reproduces Wireshark's definitions and order;
 * {@link Rules#MIRROR} (the default) tells a sender's resent segment from an original that was held
 * back on the way by what the packet carries (docs/ANALYSIS.md gives every rule, its source, and
 * where and why mirrorgate's differs). Flags are bits of an int; {@link #names} turns them into the
 * comma-separated list the CLI prints.
 */
public final class TcpAnalysis {
    public static final int RETRANSMISSION = 1;
    public static final int FAST_RETRANSMISSION = 1 << 1;
    public static final int SPURIOUS_RETRANSMISSION = 1 << 2;
    public static final int OUT_OF_ORDER = 1 << 3;
    public static final int LOST_SEGMENT = 1 << 4;
    public static final int ACK_LOST_SEGMENT = 1 << 5;
    public static final int DUPLICATE_ACK = 1 << 6;
    public static final int ZERO_WINDOW = 1 << 7;
    public static final int ZERO_WINDOW_PROBE = 1 << 8;
    public static final int ZERO_WINDOW_PROBE_ACK = 1 << 9;
    public static final int WINDOW_FULL = 1 << 10;
    public static final int WINDOW_UPDATE = 1 << 11;
    public static final int KEEP_ALIVE = 1 << 12;
    public static final int KEEP_ALIVE_ACK = 1 << 13;
    public static final int REUSED_PORTS = 1 << 14;
    /** A copy of a packet already seen (a SPAN port or a second agent), kept out of every other rule. */
    public static final int MIRROR_DUPLICATE = 1 << 15;

    /** Any of the three kinds of resent segment. */
    public static final int ANY_RETRANSMISSION = RETRANSMISSION | FAST_RETRANSMISSION | SPURIOUS_RETRANSMISSION;

    static final String[] NAMES = {"retransmission", "fast_retransmission", "spurious_retransmission",
        "out_of_order", "lost_segment", "ack_lost_segment", "duplicate_ack", "zero_window", "zero_window_probe",
        "zero_window_probe_ack", "window_full", "window_update", "keep_alive", "keep_alive_ack", "reused_ports",
        "mirror_duplicate"};

    /** Whose rules tell a resent segment from a late original. */
    public enum Rules {
        /** Wireshark's, to the letter (timing since the highest segment against the handshake RTT). */
        WIRESHARK,
        /** Wireshark's, but a segment below the highest sequence number is judged by its IPv4 identification, else by the time since the gap opened against the handshake RTT. */
        MIRROR
    }

    /** Every combination's text, made at first use (a flag set seen once is a string kept once). */
    private static final String[] TEXT = new String[1 << NAMES.length];

    /** Wireshark's fast-retransmission window after the last duplicate ACK, and its default out-of-order threshold. */
    private static final long FAST_RETRANSMISSION_MICROS = 20_000;
    private static final long DEFAULT_OOO_MICROS = 3_000;
    /** The farthest an IPv4 identification moves between two segments of one sender for it to count as its next. */
    private static final int MAX_ID_STEP = 1024;

    private TcpAnalysis() {
    }

    /** The names of the flags set in {@code mask}, comma-separated, in a fixed order; "" for none. */
    public static String names(int mask) {
        int m = mask & (TEXT.length - 1);
        String s = TEXT[m];
        if (s == null) {
            s = text(m);
            TEXT[m] = s; // a benign race: Strings are immutable and safely published
        }
        return s;
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

    /** The flag of a name as {@link #names} prints it, or 0. */
    public static int flag(String name) {
        for (int k = 0; k < NAMES.length; k++) {
            if (NAMES[k].equals(name)) {
                return 1 << k;
            }
        }
        return 0;
    }

    /** One direction of a TCP conversation, as Wireshark keeps it, plus what the mirror rules need. */
    static final class Direction {
        long nextSeq = -1;
        long nextSeqTime;
        long maxSeqToBeAcked = -1;
        long lastAck = -1;
        long lastAckTime;
        /** The last window, scaled when the scale is known (Wireshark's tcpd->fwd->window). */
        int window = -1;
        int lastFlags;
        int dupAcks;
        /** -1 unknown (no SYN seen), -2 no scaling, else the shift. */
        int winScale = -1;
        long baseSeq = -1;
        /** When the current gap (data past a missing segment) opened, or -1. */
        long holeSince = -1;
        int lastIpId = -1;
        int maxIpId = -1;
        int idSteps;
        int idJumps;
        long maxWindow;

        /** The sender numbers its IPv4 datagrams one by one (as Linux, Windows and BSD do per flow). */
        boolean idsCount() {
            return idSteps >= 3 && idJumps * 4 <= idSteps;
        }
    }

    private static boolean after(long a, long b) {
        return (int) (a - b) > 0;
    }

    private static boolean before(long a, long b) {
        return (int) (a - b) < 0;
    }

    /**
     * The window scale a SYN announces, then Wireshark's check that both ends offered it (a SYN
     * without the option means neither scales).
     */
    static void scaling(Direction me, Direction peer, boolean synAck, int shift) {
        if (shift >= 0) {
            me.winScale = Math.min(shift, 14);
        }
        if (me.winScale == -1) {
            me.winScale = -2;
            peer.winScale = -2;
        } else if (synAck && peer.winScale == -2) {
            me.winScale = -2;
        }
    }

    /**
     * The flags of one segment from {@code me} to {@code peer}, in Wireshark's order, then the
     * direction's state updated.
     *
     * @param rawWindow the window field as sent
     * @param now       the packet's time in µs
     * @param ipId      the IPv4 identification, or -1 (IPv6)
     * @param rtt       the handshake round-trip time in µs, or 0 when not seen
     */
    static int analyze(Direction me, Direction peer, long seq, long ack, int tcpFlags, int rawWindow, int payload,
            long now, int ipId, long rtt, Rules rules) {
        boolean syn = (tcpFlags & 0x02) != 0;
        boolean fin = (tcpFlags & 0x01) != 0;
        boolean rst = (tcpFlags & 0x04) != 0;
        boolean hasAck = (tcpFlags & 0x10) != 0;
        boolean sfr = syn || fin || rst;
        int window = !syn && me.winScale >= 0 ? rawWindow << me.winScale : rawWindow;
        if (me.baseSeq < 0) {
            me.baseSeq = syn ? seq : (seq - 1) & 0xFFFFFFFFL;
        }
        int flags = 0;
        boolean known = me.nextSeq >= 0;
        check: {
            if (known && payload == 1 && seq == me.nextSeq && peer.window == 0) {
                flags |= ZERO_WINDOW_PROBE;
                break check;
            }
            if (window == 0 && !sfr) {
                flags |= ZERO_WINDOW;
            }
            if (known && after(seq, me.nextSeq) && !rst) {
                flags |= LOST_SEGMENT;
            }
            if (known && payload <= 1 && !sfr && seq == ((me.nextSeq - 1) & 0xFFFFFFFFL)) {
                flags |= KEEP_ALIVE;
            }
            boolean sameAck = known && payload == 0 && !sfr && seq == me.nextSeq && ack == me.lastAck;
            if (sameAck && window != 0 && window != me.window) {
                flags |= WINDOW_UPDATE;
            }
            if (payload > 0 && !sfr && peer.winScale != -1 && peer.lastAck >= 0 && peer.window >= 0
                    && ((seq + payload) & 0xFFFFFFFFL) == ((peer.lastAck + peer.window) & 0xFFFFFFFFL)) {
                flags |= WINDOW_FULL;
            }
            if (sameAck && window != 0 && window == me.window && (peer.lastFlags & KEEP_ALIVE) != 0) {
                flags |= KEEP_ALIVE_ACK;
                break check;
            }
            if (sameAck && window == 0 && window == me.window && (peer.lastFlags & ZERO_WINDOW_PROBE) != 0) {
                flags |= ZERO_WINDOW_PROBE_ACK;
                break check;
            }
            if (sameAck && window != 0 && window == me.window) {
                me.dupAcks++;
                flags |= DUPLICATE_ACK;
            }
        }
        if (ack != me.lastAck) {
            me.dupAcks = 0;
        }
        if (hasAck && peer.maxSeqToBeAcked >= 0 && after(ack, peer.maxSeqToBeAcked)) {
            flags |= ACK_LOST_SEGMENT;
            peer.maxSeqToBeAcked = peer.nextSeq;
            peer.holeSince = -1;
        }
        int len = payload + (syn ? 1 : 0) + (fin ? 1 : 0);
        if (len > 0 && (flags & KEEP_ALIVE) == 0) {
            flags |= resent(me, peer, seq, payload, len, now, ipId, rtt, rules);
        }
        long end = (seq + len) & 0xFFFFFFFFL;
        if ((!known || after(end, me.nextSeq)) && (flags & ZERO_WINDOW_PROBE) == 0) {
            me.nextSeq = end;
            me.nextSeqTime = now;
        }
        if ((me.maxSeqToBeAcked < 0 || seq == me.maxSeqToBeAcked) && (flags & ZERO_WINDOW_PROBE) == 0) {
            me.maxSeqToBeAcked = me.nextSeq;
        }
        if (me.maxSeqToBeAcked == me.nextSeq) {
            me.holeSince = -1;
        } else if (me.holeSince < 0) {
            me.holeSince = now;
        }
        me.window = window;
        me.maxWindow = Math.max(me.maxWindow, window);
        if (hasAck) {
            me.lastAck = ack;
            me.lastAckTime = now;
        }
        me.lastFlags = flags;
        if (ipId >= 0) {
            if (me.lastIpId >= 0) {
                int step = (ipId - me.lastIpId) & 0xFFFF;
                if (step >= 1 && step <= MAX_ID_STEP) {
                    me.idSteps++;
                } else {
                    me.idJumps++;
                }
            }
            me.lastIpId = ipId;
            int d = me.maxIpId < 0 ? 1 : (short) (ipId - me.maxIpId);
            if (d > 0 || d < -MAX_ID_STEP) {
                me.maxIpId = ipId; // the next in the run, or a new run (a SYN-ACK's, a new sender)
            }
        }
        return flags;
    }

    /**
     * Retransmission, fast or spurious retransmission, out of order, or none, for a segment with
     * data (or SYN/FIN) that is no keep-alive.
     */
    private static int resent(Direction me, Direction peer, long seq, int payload, int len, long now, int ipId, long rtt,
            Rules rules) {
        boolean notAdvanced = me.nextSeq >= 0 && before(seq, me.nextSeq);
        if (payload > 1 && seq == ((me.nextSeq - 1) & 0xFFFFFFFFL)) {
            notAdvanced = false; // after a possible zero-window probe: it adds data
        }
        boolean spurious = payload > 0 && peer.lastAck >= 0 && !after((seq + payload) & 0xFFFFFFFFL, peer.lastAck);
        boolean fast = notAdvanced && peer.dupAcks >= 2 && peer.lastAck == seq
                && now - peer.lastAckTime < FAST_RETRANSMISSION_MICROS;
        if (rules == Rules.MIRROR && notAdvanced) {
            int d = ipId >= 0 && me.maxIpId >= 0 && me.idsCount() ? (short) (ipId - me.maxIpId) : 0;
            if (d < 0 && d >= -MAX_ID_STEP) {
                return OUT_OF_ORDER; // numbered before the highest segment seen: sent before it, held back on the way
            }
            if (d > 0 && d <= MAX_ID_STEP) {
                return fast ? FAST_RETRANSMISSION | RETRANSMISSION : spurious ? SPURIOUS_RETRANSMISSION | RETRANSMISSION : RETRANSMISSION;
            }
            if (rtt > 0) {
                // A resend answers a loss the sender learnt of at least a round trip after the gap opened.
                if (me.holeSince >= 0 && now - me.holeSince < rtt) {
                    return OUT_OF_ORDER;
                }
                return fast ? FAST_RETRANSMISSION | RETRANSMISSION : spurious ? SPURIOUS_RETRANSMISSION | RETRANSMISSION : RETRANSMISSION;
            }
        }
        if (fast) {
            return FAST_RETRANSMISSION | RETRANSMISSION;
        }
        if (spurious) {
            return SPURIOUS_RETRANSMISSION | RETRANSMISSION;
        }
        long threshold = rtt > 0 ? rtt : DEFAULT_OOO_MICROS;
        if (notAdvanced && now - me.nextSeqTime < threshold && me.nextSeq != ((seq + len) & 0xFFFFFFFFL)) {
            return OUT_OF_ORDER;
        }
        return notAdvanced ? RETRANSMISSION : 0;
    }
}
