package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The packet a tunnel carries: IP in IP (4), IPv6 in IP (41) and GRE (47) with IPv4, IPv6 or
 * Ethernet inside. Events describe the outermost header (SPEC section 3); flows, as Zeek
 * (which decapsulates) and Wireshark see them, are the innermost (Community ID, conversations).
 */
public final class Tunnels {
    /** How deep tunnels are followed. */
    public static final int MAX_DEPTH = 4;

    private Tunnels() {
    }

    /**
     * Decodes into {@code into} the innermost packet {@code outer} carries (up to
     * {@link #MAX_DEPTH} tunnels); returns false, leaving {@code into} as it was, when
     * {@code outer} is no tunnel. Lengths and time are the outer record's.
     */
    public static boolean innermost(PacketView outer, PacketView into) {
        if (!decodeInner(outer, into)) {
            return false;
        }
        for (int depth = 1; depth < MAX_DEPTH; depth++) {
            int proto = into.ipProtocol();
            if (proto != 4 && proto != 41 && proto != 47) {
                break;
            }
            PacketView next = new PacketView();
            if (!decodeInner(into, next)) {
                break;
            }
            copy(next, into);
        }
        return into.hasIpHeader();
    }

    /** The next packet inside, decoded into {@code into}; false for no tunnel. */
    static boolean decodeInner(PacketView v, PacketView into) {
        if (!v.hasIpHeader()) {
            return false;
        }
        int t = v.transportOffset();
        int end = v.frameOffset() + v.capturedLength();
        if (t < 0 || t >= end) {
            return false;
        }
        ByteBuf b = v.buffer();
        int at;
        int linkType;
        switch (v.ipProtocol()) {
            case 4:
            case 41:
                at = t;
                linkType = LinkType.RAW;
                break;
            case 47: {
                if (t + 4 > end) {
                    return false;
                }
                int flags = b.getUnsignedShort(t);
                int type = b.getUnsignedShort(t + 2);
                at = t + 4 + ((flags & 0x8000) != 0 ? 4 : 0) + ((flags & 0x2000) != 0 ? 4 : 0) + ((flags & 0x1000) != 0 ? 4 : 0);
                if (type == 0x0800 || type == 0x86DD) {
                    linkType = LinkType.RAW;
                } else if (type == 0x6558) {
                    linkType = LinkType.ETHERNET;
                } else {
                    return false;
                }
                break;
            }
            default:
                return false;
        }
        if (at >= end) {
            return false;
        }
        into.startRecord(v.timestampMicros(), end - at, end - at, Medium.ETHERNET);
        IpDecoder.decode(b, at, end - at, linkType, into);
        return true;
    }

    private static void copy(PacketView from, PacketView to) {
        to.startRecord(from.timestampMicros(), from.capturedLength(), from.originalLength(), from.medium());
        IpDecoder.decode(from.buffer(), from.frameOffset(), from.capturedLength(), from.linkType(), to);
    }
}
