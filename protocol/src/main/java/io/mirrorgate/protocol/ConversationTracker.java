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
 * bytes are counted apart), first and last seen, and for TCP Zeek's state and history. A TCP SYN
 * without ACK on a conversation that has seen FIN or RST starts a new conversation, as tshark's
 * stream index does. Memory is bounded: a conversation idle for its protocol's timeout (packet
 * time) expires, and past {@code max} conversations the least recently seen is evicted; both are
 * counted. An existing conversation costs no allocation per packet. Not thread-safe: one per
 * source.
 */
public final class ConversationTracker {
    /** Zeek's inactivity timeouts: TCP 5 min, UDP and ICMP 1 min, in µs. */
    public static final long TCP_TIMEOUT_MICROS = 300_000_000L;
    public static final long OTHER_TIMEOUT_MICROS = 60_000_000L;

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
            return finA || finB || rstA || rstB;
        }

        /** Segments flagged retransmission (docs/ANALYSIS.md). */
        public long retransmissions;
        private final TcpAnalysis.Direction dirA = new TcpAnalysis.Direction();
        private final TcpAnalysis.Direction dirB = new TcpAnalysis.Direction();

        int analyze(boolean fromA, long seq, long ack, int tcpFlags, int window, int payload) {
            int flags = fromA ? TcpAnalysis.analyze(dirA, dirB, seq, ack, tcpFlags, window, payload)
                    : TcpAnalysis.analyze(dirB, dirA, seq, ack, tcpFlags, window, payload);
            if ((flags & TcpAnalysis.RETRANSMISSION) != 0) {
                retransmissions++;
            }
            return flags;
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

    /** @param max conversations kept live at most; the least recently seen beyond it is evicted */
    public ConversationTracker(int max) {
        this.max = max;
        this.live = new LinkedHashMap<>(Math.min(max, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Conversation> eldest) {
                if (size() > ConversationTracker.this.max) {
                    evicted++;
                    ended.add(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    private int lastAnalysis;

    /** The {@link TcpAnalysis} flags of the packet {@link #add} counted last (0 but for TCP). */
    public int lastAnalysis() {
        return lastAnalysis;
    }

    /** Reused for the packet a tunnel carries: flows are the innermost, as in Zeek and tshark. */
    private final PacketView inner = new PacketView();

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
        if (c != null && proto == 6 && f.hasTcp() && (f.tcpFlags() & 0x12) == 0x02 && c.closed()) {
            live.remove(probe); // a new SYN after FIN or RST: a new conversation on reused ports
            ended.add(c);
            c = null;
        }
        if (c == null) {
            byte[] src = new byte[alen];
            byte[] dst = new byte[alen];
            f.buffer().getBytes(f.sourceAddressOffset(), src);
            f.buffer().getBytes(f.destinationAddressOffset(), dst);
            c = new Conversation(proto, src, sport, dst, dport, now);
            c.communityId = CommunityId.of(v, 0);
            live.put(probe.copy(), c);
        }
        boolean fromA = Arrays.equals(c.addrA, 0, alen, addr(f), 0, alen) && c.portA == sport
                || c.portA == c.portB && Arrays.equals(c.addrA, c.addrB); // both ends alike: all from A
        int ipBytes = Math.max(0, v.capturedLength() - (v.ipOffset() - v.frameOffset()));
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
        lastAnalysis = 0;
        if (proto == 6 && f.hasTcp()) {
            c.tcp(fromA, f.tcpFlags(), payload);
            lastAnalysis = c.analyze(fromA, f.seq(), f.ack(), f.tcpFlags(), f.window(), payload);
        }
        return c;
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
            long timeout = c.proto == 6 ? TCP_TIMEOUT_MICROS : OTHER_TIMEOUT_MICROS;
            if (now - c.last <= timeout) {
                break; // access order: the rest were seen more recently
            }
            it.remove();
            ended.add(c);
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

    /** Conversations live now. */
    public int size() {
        return live.size();
    }
}
