package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversations from decoded packets (docs/ANALYSIS.md): keyed by the unordered 5-tuple for TCP,
 * UDP and SCTP, by addresses and the ICMP identifier for ICMP echo, by the address pair and
 * protocol for everything else; endpoint A is the one that sent the first packet seen. Frames and
 * bytes each way (bytes are frame lengths on the wire, as tshark counts them; IP bytes and payload
 * bytes are counted apart), first and last seen, and for TCP Zeek's state and history, the
 * handshake round-trip time, and the {@link TcpAnalysis} flags of every segment counted by kind. A
 * TCP SYN without ACK whose sequence number differs from the first one of its direction starts a
 * new conversation (flagged {@code reused_ports}), as Wireshark's does. Under {@link
 * TcpAnalysis.Rules#MIRROR} copies of one packet ({@link MirrorDuplicates}) are flagged
 * {@code mirror_duplicate}, counted in frames and bytes as every capture tool counts them, and kept
 * out of the analysis.
 *
 * <p>Memory is bounded: a conversation idle for its protocol's timeout (packet time; 5 s once a TCP
 * conversation has closed) expires, and past {@code max} conversations the least recently seen is
 * evicted; both are counted. Ended conversations go to the {@link Listener}, or, without one, to a
 * list {@link #drain} empties, itself bounded (by {@code max}, at least 2^20; what does not fit is counted
 * {@link #unreported}). An existing conversation costs no allocation per packet. Not thread-safe:
 * one per source.
 */
public final class ConversationTracker {
    /** Zeek's inactivity timeouts: TCP 5 min, UDP and ICMP 1 min, in µs. */
    public static final long TCP_TIMEOUT_MICROS = 300_000_000L;
    public static final long OTHER_TIMEOUT_MICROS = 60_000_000L;
    /** Zeek's tcp_close_delay: a TCP conversation that saw RST or both FINs ends 5 s after its last packet. */
    public static final long CLOSED_TIMEOUT_MICROS = 5_000_000L;

    /**
     * What happens to conversations, called on the thread that calls {@link #add}. The per-packet
     * calls come after the packet is counted; a listener must not keep the {@link PacketView}.
     */
    public interface Listener {
        /** A conversation's first packet. */
        default void opened(Conversation c) {
        }

        /** A conversation left the tracker: expired, evicted, replaced on reused ports, or {@link #close}d. */
        default void closed(Conversation c) {
        }

        /** A segment flagged retransmission, fast_retransmission or spurious_retransmission. */
        default void retransmission(Conversation c, PacketView v, int flags) {
        }

        /** A segment with RST. */
        default void reset(Conversation c, PacketView v) {
        }

        /** A segment flagged zero_window. */
        default void zeroWindow(Conversation c, PacketView v) {
        }
    }

    private final TcpAnalysis.Rules rules;
    private long tcpTimeout = TCP_TIMEOUT_MICROS;
    private long udpTimeout = OTHER_TIMEOUT_MICROS;
    private long otherTimeout = OTHER_TIMEOUT_MICROS;
    private long closedTimeout = CLOSED_TIMEOUT_MICROS;
    private long shortestTimeout = CLOSED_TIMEOUT_MICROS;
    /** Ended conversations kept for {@link #drain} without a listener: {@code max}, at least this many. */
    static final int ENDED_MIN = 1 << 20;
    private final int endedMax;
    private final MirrorDuplicates duplicates;
    private Listener listener;
    private long unreported;
    /** Totals over every conversation, for the collector's metrics. */
    private long retransmissionsTotal;
    private long resetsTotal;
    private long zeroWindowsTotal;
    private long acksTotal;
    private long ackedUnseenTotal;

    private final int max;
    private final List<Conversation> ended = new ArrayList<>();
    private final Key probe = new Key();
    private long expired;
    private long evicted;
    private long lastExpiryCheck;
    private final LinkedHashMap<Key, Conversation> live;

    /** What {@link #add} did not count because it is no IP packet (or its IP header is broken). */
    private long skipped;

    /** One conversation, live or ended. Endpoint A sent the first packet seen. */
    public static final class Conversation {
        public final int proto;
        public final byte[] addrA;
        public final byte[] addrB;
        public final int portA;
        public final int portB;
        public long framesAB;
        public long bytesAB;
        public long framesBA;
        public long bytesBA;
        public long ipBytesAB;
        public long ipBytesBA;
        public long payloadBytesAB;
        public long payloadBytesBA;
        public final long start;
        public long last;
        /** Zeek's history letters seen: upper case from A (the originator), lower case from B. */
        private final StringBuilder history = new StringBuilder(8);
        private boolean synA;
        private boolean synAckB;
        private boolean finA;
        private boolean finB;
        private boolean rstA;
        private boolean rstB;
        private boolean established;
        private String communityId;

        Conversation(int proto, byte[] addrA, int portA, byte[] addrB, int portB, long start) {
            this.proto = proto;
            this.addrA = addrA;
            this.portA = portA;
            this.addrB = addrB;
            this.portB = portB;
            this.start = start;
            this.last = start;
        }

        /** Duration in µs from the first to the last packet. */
        public long durationMicros() {
            return last - start;
        }

        /** Zeek's history string (each letter at its first occurrence). */
        public String history() {
            return history.toString();
        }

        /** Zeek's conn_state: S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH. */
        public String state() {
            if (proto != 6) {
                return framesBA > 0 ? "SF" : "S0";
            }
            if (!synA && !synAckB) {
                return "OTH";
            }
            if (rstA) {
                return established ? "RSTO" : synAckB ? "RSTO" : "RSTOS0";
            }
            if (rstB) {
                if (!synA && synAckB) {
                    return "RSTRH";
                }
                return established || synAckB ? "RSTR" : "REJ";
            }
            if (!synA && synAckB) {
                return finB ? "SHR" : "OTH";
            }
            if (!synAckB) {
                return finA ? "SH" : "S0";
            }
            if (finA && finB) {
                return "SF";
            }
            if (finA) {
                return "S2";
            }
            if (finB) {
                return "S3";
            }
            return "S1";
        }

        /** The Community ID v1 of the flow, seed 0 (computed at the first packet). */
        public String communityId() {
            return communityId;
        }

        /** A protocol name (tcp, udp, icmp, icmpv6, sctp) or the number. */
        public String protoName() {
            switch (proto) {
                case 6: return "tcp";
                case 17: return "udp";
                case 1: return "icmp";
                case 58: return "icmpv6";
                case 132: return "sctp";
                default: return Integer.toString(proto);
            }
        }

        private void letter(char c) {
            for (int k = 0; k < history.length(); k++) {
                if (history.charAt(k) == c) {
                    return;
                }
            }
            history.append(c);
        }

        void tcp(boolean fromA, int flags, int payload) {
            boolean syn = (flags & 0x02) != 0;
            boolean ack = (flags & 0x10) != 0;
            boolean fin = (flags & 0x01) != 0;
            boolean rst = (flags & 0x04) != 0;
            if (syn && !ack) {
                letter(fromA ? 'S' : 's');
                if (fromA) {
                    synA = true;
                }
            } else if (syn) {
                letter(fromA ? 'H' : 'h');
                if (!fromA) {
                    synAckB = true;
                }
            }
            if (ack && !syn && !fin && !rst && payload == 0) {
                letter(fromA ? 'A' : 'a');
            }
            if (ack && synA && synAckB && fromA && !syn) {
                established = true;
            }
            if (payload > 0) {
                letter(fromA ? 'D' : 'd');
            }
            if (fin) {
                letter(fromA ? 'F' : 'f');
                if (fromA) {
                    finA = true;
                } else {
                    finB = true;
                }
            }
            if (rst) {
                letter(fromA ? 'R' : 'r');
                if (fromA) {
                    rstA = true;
                } else {
                    rstB = true;
                }
            }
        }

        boolean closed() {
            return finA && finB || rstA || rstB;
        }

        /** Segments flagged retransmission, fast_retransmission or spurious_retransmission (docs/ANALYSIS.md). */
        public long retransmissions;
        public long outOfOrder;
        public long duplicateAcks;
        public long zeroWindows;
        public long windowFull;
        public long lostSegments;
        /** Segments acknowledging data this capture never saw (capture loss, as Zeek counts it). */
        public long ackedUnseen;
        /** Segments with ACK set. */
        public long acks;
        /** Copies of a packet already seen (counted in the frames and bytes, kept out of the analysis). */
        public long mirrorDuplicates;
        /** The handshake round trip (SYN to the ACK of the SYN-ACK, Wireshark's iRTT) in µs, or -1. */
        public long handshakeRttMicros = -1;
        private long synTime = -1;
        private final TcpAnalysis.Direction dirA = new TcpAnalysis.Direction();
        private final TcpAnalysis.Direction dirB = new TcpAnalysis.Direction();

        /** The largest window A (B) advertised, scaled when the handshake gave the scale. */
        public long maxWindowA() {
            return dirA.maxWindow;
        }

        public long maxWindowB() {
            return dirB.maxWindow;
        }

        int analyze(boolean fromA, PacketView f, int payload, long now, int wscale, TcpAnalysis.Rules rules) {
            int tcpFlags = f.tcpFlags();
            TcpAnalysis.Direction me = fromA ? dirA : dirB;
            TcpAnalysis.Direction peer = fromA ? dirB : dirA;
            boolean syn = (tcpFlags & 0x02) != 0;
            boolean ack = (tcpFlags & 0x10) != 0;
            if (syn) {
                TcpAnalysis.scaling(me, peer, ack, wscale);
                if (!ack && fromA && synTime < 0) {
                    synTime = now;
                }
            } else if (ack && fromA && synTime >= 0 && synAckB && handshakeRttMicros < 0) {
                handshakeRttMicros = now - synTime;
            }
            int ipId = f.ipVersion() == 4 ? (int) f.id() : -1;
            int flags = TcpAnalysis.analyze(me, peer, f.seq(), f.ack(), tcpFlags, f.window(), payload, now, ipId,
                    Math.max(0, handshakeRttMicros), rules);
            if ((flags & TcpAnalysis.ANY_RETRANSMISSION) != 0) {
                retransmissions++;
                letter(fromA ? 'T' : 't');
            }
            if ((flags & TcpAnalysis.ZERO_WINDOW) != 0) {
                letter(fromA ? 'W' : 'w');
            }
            if ((flags & TcpAnalysis.OUT_OF_ORDER) != 0) {
                outOfOrder++;
            }
            if ((flags & TcpAnalysis.DUPLICATE_ACK) != 0) {
                duplicateAcks++;
            }
            if ((flags & TcpAnalysis.ZERO_WINDOW) != 0) {
                zeroWindows++;
            }
            if ((flags & TcpAnalysis.WINDOW_FULL) != 0) {
                windowFull++;
            }
            if ((flags & TcpAnalysis.LOST_SEGMENT) != 0) {
                lostSegments++;
            }
            if ((flags & TcpAnalysis.ACK_LOST_SEGMENT) != 0) {
                ackedUnseen++;
            }
            if (ack) {
                acks++;
            }
            return flags;
        }

        /** The first sequence number of the direction (Wireshark's base), or -1. */
        long baseSeq(boolean fromA) {
            return (fromA ? dirA : dirB).baseSeq;
        }
    }

    /** The unordered key; the probe instance is reused for lookups. */
    private static final class Key {
        int proto;
        byte[] lo = new byte[16];
        byte[] hi = new byte[16];
        int alen;
        int loPort;
        int hiPort;
        int hash;

        void set(int proto, ByteBuf b, int src, int dst, int alen, int sport, int dport) {
            this.proto = proto;
            this.alen = alen;
            b.getBytes(src, lo, 0, alen);
            b.getBytes(dst, hi, 0, alen);
            int c = Arrays.compareUnsigned(lo, 0, alen, hi, 0, alen);
            if (c > 0 || c == 0 && sport > dport) {
                byte[] t = lo;
                lo = hi;
                hi = t;
                loPort = dport;
                hiPort = sport;
            } else {
                loPort = sport;
                hiPort = dport;
            }
            int h = proto;
            for (int k = 0; k < alen; k++) {
                h = 31 * h + lo[k];
                h = 31 * h + hi[k];
            }
            hash = 31 * (31 * h + loPort) + hiPort;
        }

        Key copy() {
            Key k = new Key();
            k.proto = proto;
            k.alen = alen;
            k.lo = Arrays.copyOf(lo, alen);
            k.hi = Arrays.copyOf(hi, alen);
            k.loPort = loPort;
            k.hiPort = hiPort;
            k.hash = hash;
            return k;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return hash == k.hash && proto == k.proto && alen == k.alen && loPort == k.loPort && hiPort == k.hiPort
                    && Arrays.equals(lo, 0, alen, k.lo, 0, k.alen) && Arrays.equals(hi, 0, alen, k.hi, 0, k.alen);
        }
    }

    /** A tracker with {@link TcpAnalysis.Rules#MIRROR}. */
    public ConversationTracker(int max) {
        this(max, TcpAnalysis.Rules.MIRROR);
    }

    /**
     * @param max   conversations kept live at most; the least recently seen beyond it is evicted
     * @param rules how a resent segment is told from a late original; MIRROR also recognises mirror copies
     */
    public ConversationTracker(int max, TcpAnalysis.Rules rules) {
        this.max = max;
        this.rules = rules;
        this.endedMax = Math.max(max, ENDED_MIN);
        this.duplicates = rules == TcpAnalysis.Rules.MIRROR ? new MirrorDuplicates() : null;
        this.live = new LinkedHashMap<>(Math.min(max, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Conversation> eldest) {
                // the new conversation takes a slot of the shared budget, or, when none is left, the eldest's
                boolean took = budget == null || budget.take();
                if (size() > ConversationTracker.this.max || !took) {
                    if (took && budget != null) {
                        budget.give(1);
                    }
                    evicted++;
                    end(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    private int lastAnalysis;

    /**
     * A bound on the conversations several trackers (the collector's, one per agent) keep live
     * together: each conversation takes a slot and gives it back when it ends; a tracker that finds
     * none left evicts its own least recently seen (counted in {@link #evicted}). Thread-safe.
     */
    public static final class Budget {
        private final long limit;
        private final java.util.concurrent.atomic.AtomicLong left;

        public Budget(long limit) {
            this.limit = limit;
            this.left = new java.util.concurrent.atomic.AtomicLong(limit);
        }

        boolean take() {
            while (true) {
                long n = left.get();
                if (n <= 0) {
                    return false;
                }
                if (left.compareAndSet(n, n - 1)) {
                    return true;
                }
            }
        }

        void give(int n) {
            left.addAndGet(n);
        }

        /** Slots taken now. */
        public long used() {
            return limit - left.get();
        }
    }

    private Budget budget;

    /** Shares a bound on live conversations with other trackers (set before the first packet). */
    public ConversationTracker budget(Budget b) {
        this.budget = b;
        return this;
    }

    private void giveBack(int n) {
        if (budget != null && n > 0) {
            budget.give(n);
        }
    }

    /** The {@link TcpAnalysis} flags of the packet {@link #add} counted last (0 but for TCP). */
    public int lastAnalysis() {
        return lastAnalysis;
    }

    /** Reused for the packet a tunnel carries: flows are the innermost, as in Zeek and tshark. */
    private final PacketView inner = new PacketView();

    /**
     * The idle timeouts in µs of packet time (Zeek's by default): TCP, TCP after RST or both FINs,
     * UDP, and every other protocol (ICMP included).
     */
    public ConversationTracker timeouts(long tcpMicros, long closedTcpMicros, long udpMicros, long otherMicros) {
        this.tcpTimeout = tcpMicros;
        this.closedTimeout = closedTcpMicros;
        this.udpTimeout = udpMicros;
        this.otherTimeout = otherMicros;
        this.shortestTimeout = Math.min(Math.min(tcpMicros, closedTcpMicros), Math.min(udpMicros, otherMicros));
        return this;
    }

    /** Sets who hears of conversations and flagged segments; ended conversations then go to it alone. */
    public ConversationTracker listener(Listener l) {
        this.listener = l;
        return this;
    }

    /**
     * Counts one decoded packet into its conversation (the innermost flow of a tunnel; the frame's
     * own length is what it adds); returns the conversation, or null for a packet without a
     * usable IP header.
     */
    public Conversation add(PacketView v) {
        lastAnalysis = 0;
        if (!v.hasIpHeader() || v.malformation() == Malformation.IPV4_IHL || v.malformation() == Malformation.IP_VERSION_MISMATCH) {
            skipped++;
            return null;
        }
        boolean copy = duplicates != null && duplicates.isDuplicate(v);
        PacketView f = v;
        int outer = v.ipProtocol();
        if ((outer == 4 || outer == 41 || outer == 47) && Tunnels.innermost(v, inner)) {
            f = inner;
        }
        long now = v.timestampMicros();
        expire(now);
        int proto = f.ipProtocol();
        int sport = -1; // no ports: a later fragment, or a protocol without them
        int dport = -1;
        if ((proto == 6 || proto == 17) && f.hasPorts()) {
            sport = f.sourcePort();
            dport = f.destinationPort();
        } else if ((proto == 1 || proto == 58) && f.transportOffset() >= 0 && f.icmpType() >= 0
                && f.transportOffset() + 6 <= f.frameOffset() + f.capturedLength() && isEcho(proto, f.icmpType())) {
            int id = f.buffer().getUnsignedShort(f.transportOffset() + 4);
            sport = id;
            dport = id; // echo request and reply share the identifier
        }
        int alen = f.ipVersion() == 6 ? 16 : 4;
        probe.set(proto, f.buffer(), f.sourceAddressOffset(), f.destinationAddressOffset(), alen, sport, dport);
        Conversation c = live.get(probe);
        boolean tcp = proto == 6 && f.hasTcp();
        int reused = 0;
        if (c != null && tcp && !copy && (f.tcpFlags() & 0x12) == 0x02) {
            boolean fromA0 = fromA(c, f, alen, sport);
            long base = c.baseSeq(fromA0);
            if (base >= 0 && base != f.seq()) {
                live.remove(probe); // a new SYN on the ports of an earlier conversation: a new one
                giveBack(1);
                end(c);
                c = null;
                reused = TcpAnalysis.REUSED_PORTS;
            }
        }
        if (c == null) {
            byte[] src = new byte[alen];
            byte[] dst = new byte[alen];
            f.buffer().getBytes(f.sourceAddressOffset(), src);
            f.buffer().getBytes(f.destinationAddressOffset(), dst);
            c = new Conversation(proto, src, sport, dst, dport, now);
            c.communityId = CommunityId.of(v, 0);
            live.put(probe.copy(), c);
            if (listener != null) {
                listener.opened(c);
            }
        }
        boolean fromA = fromA(c, f, alen, sport);
        // IP bytes as the IP header gives them (Zeek's orig_ip_bytes), also for a packet cut by the snap length
        int ipBytes = v.payloadOffset() > v.ipOffset() ? v.payloadOffset() - v.ipOffset() + v.payloadLength()
                : Math.max(0, v.capturedLength() - (v.ipOffset() - v.frameOffset()));
        int payload = Math.max(0, f.l4PayloadLength());
        if (fromA) {
            c.framesAB++;
            c.bytesAB += v.originalLength();
            c.ipBytesAB += ipBytes;
            c.payloadBytesAB += payload;
        } else {
            c.framesBA++;
            c.bytesBA += v.originalLength();
            c.ipBytesBA += ipBytes;
            c.payloadBytesBA += payload;
        }
        c.last = Math.max(c.last, now);
        if (copy) {
            c.mirrorDuplicates++;
            lastAnalysis = TcpAnalysis.MIRROR_DUPLICATE;
            return c;
        }
        if (tcp) {
            c.tcp(fromA, f.tcpFlags(), payload);
            int flags = reused | c.analyze(fromA, f, payload, now, (f.tcpFlags() & 0x02) != 0 ? windowShift(f) : -1, rules);
            lastAnalysis = flags;
            if ((flags & TcpAnalysis.ANY_RETRANSMISSION) != 0) {
                retransmissionsTotal++;
                if (listener != null) {
                    listener.retransmission(c, v, flags);
                }
            }
            if ((f.tcpFlags() & 0x10) != 0) {
                acksTotal++;
            }
            if ((flags & TcpAnalysis.ACK_LOST_SEGMENT) != 0) {
                ackedUnseenTotal++;
            }
            if ((f.tcpFlags() & 0x04) != 0) {
                resetsTotal++;
                if (listener != null) {
                    listener.reset(c, v);
                }
            }
            if ((flags & TcpAnalysis.ZERO_WINDOW) != 0) {
                zeroWindowsTotal++;
                if (listener != null) {
                    listener.zeroWindow(c, v);
                }
            }
        }
        return c;
    }

    private boolean fromA(Conversation c, PacketView f, int alen, int sport) {
        return Arrays.equals(c.addrA, 0, alen, addr(f), 0, alen) && c.portA == sport
                || c.portA == c.portB && Arrays.equals(c.addrA, c.addrB); // both ends alike: all from A
    }

    /** The window scale option of a SYN (RFC 7323), or -1 when it has none (or its options are not captured). */
    static int windowShift(PacketView f) {
        ByteBuf b = f.buffer();
        int t = f.transportOffset();
        int end = f.frameOffset() + f.capturedLength();
        if (t < 0 || t + 20 > end) {
            return -1;
        }
        int optEnd = Math.min(end, t + (b.getUnsignedByte(t + 12) >> 4) * 4);
        int k = t + 20;
        while (k < optEnd) {
            int kind = b.getUnsignedByte(k);
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                k++;
                continue;
            }
            if (k + 1 >= optEnd) {
                break;
            }
            int len = b.getUnsignedByte(k + 1);
            if (len < 2) {
                break;
            }
            if (kind == 3 && len == 3 && k + 2 < optEnd) {
                return b.getUnsignedByte(k + 2);
            }
            k += len;
        }
        return -1;
    }

    /** A conversation leaves the table: to the listener, or to the bounded list {@link #drain} empties. */
    private void end(Conversation c) {
        if (listener != null) {
            listener.closed(c);
        } else if (ended.size() < endedMax) {
            ended.add(c);
        } else {
            unreported++;
        }
    }

    /** Ends every live conversation (to the listener, or to {@link #drain}): the end of a file or a source. */
    public void close() {
        for (Conversation c : live.values()) {
            end(c);
        }
        giveBack(live.size());
        live.clear();
    }

    /** Ended conversations that found the list {@link #drain} empties full (no listener set). */
    public long unreported() {
        return unreported;
    }

    /** Segments flagged as resent, over every conversation. */
    public long retransmissions() {
        return retransmissionsTotal;
    }

    /** Segments with RST, over every conversation. */
    public long resets() {
        return resetsTotal;
    }

    /** Segments flagged zero_window, over every conversation. */
    public long zeroWindows() {
        return zeroWindowsTotal;
    }

    /** Copies of packets already seen (MIRROR rules). */
    public long mirrorDuplicates() {
        return duplicates == null ? 0 : duplicates.duplicates();
    }

    /** TCP segments with ACK set, over every conversation. */
    public long acks() {
        return acksTotal;
    }

    /** TCP segments acknowledging data this capture never saw. */
    public long ackedUnseen() {
        return ackedUnseenTotal;
    }

    /**
     * The capture-loss estimate as Zeek's capture-loss script computes it: the share of ACKs that
     * acknowledge data the capture never saw, in percent (0 before any ACK).
     */
    public double captureLossPercent() {
        return acksTotal == 0 ? 0 : 100.0 * ackedUnseenTotal / acksTotal;
    }

    private final byte[] scratch = new byte[16];

    /** The packet's source address, into a reused buffer. */
    private byte[] addr(PacketView v) {
        v.buffer().getBytes(v.sourceAddressOffset(), scratch, 0, v.ipVersion() == 6 ? 16 : 4);
        return scratch;
    }

    private static boolean isEcho(int proto, int type) {
        return proto == 1 ? type == 8 || type == 0 : type == 128 || type == 129;
    }

    /** Expires conversations idle past their timeout, checked at most once per second of packet time. */
    private void expire(long now) {
        if (now - lastExpiryCheck < 1_000_000L) {
            return;
        }
        lastExpiryCheck = now;
        Iterator<Conversation> it = live.values().iterator();
        while (it.hasNext()) {
            Conversation c = it.next();
            if (now - c.last <= shortestTimeout) {
                break; // access order: the rest were seen more recently
            }
            long timeout = c.proto == 6 ? (c.closed() ? closedTimeout : tcpTimeout) : c.proto == 17 ? udpTimeout : otherTimeout;
            if (now - c.last <= timeout) {
                continue;
            }
            it.remove();
            giveBack(1);
            end(c);
            expired++;
        }
    }

    /**
     * Every conversation, ended and live, in the order they started; ended ones are handed over
     * once (the list of ended ones is emptied).
     */
    public List<Conversation> drain() {
        List<Conversation> out = new ArrayList<>(ended);
        ended.clear();
        out.addAll(live.values());
        out.sort((a, b) -> Long.compare(a.start, b.start));
        return out;
    }

    /** Conversations expired for idleness. */
    public long expired() {
        return expired;
    }

    /** Conversations evicted because {@code max} were live. */
    public long evicted() {
        return evicted;
    }

    /** Packets counted in no conversation (no IP header, or a broken one). */
    public long skipped() {
        return skipped;
    }

    /** Hands every live conversation to {@code each}, least recently seen first, changing nothing. */
    public void forEachLive(java.util.function.Consumer<Conversation> each) {
        live.values().forEach(each);
    }

    /** Conversations live now. */
    public int size() {
        return live.size();
    }
}
