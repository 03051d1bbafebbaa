package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The encapsulations cloud and switch mirrors send, parsed in place: VXLAN (RFC 7348; AWS Traffic
 * Mirroring, Azure vTAP), GENEVE (RFC 8926; AWS Gateway Load Balancer) and TZSP (TaZmen Sniffer
 * Protocol; MikroTik, Ubiquiti). {@link #parse} finds the inner frame of one UDP payload, its
 * medium and the session's identifier (VNI), or says what is wrong with it; it never throws.
 * Plain code over a {@code ByteBuf}, as the other decoders; one {@link Result} reused per caller.
 */
public final class Decapsulation {
    /** What the payload is and where its frame lies. */
    public enum Kind {
        VXLAN("vxlan"), GENEVE("geneve"), TZSP("tzsp");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** GENEVE protocol type of an Ethernet frame (Transparent Ethernet Bridging). */
    static final int ETHER_BRIDGING = 0x6558;
    private static final int TZSP_ENCAP_ETHERNET = 1;
    private static final int TZSP_ENCAP_TOKEN_RING = 2;
    private static final int TZSP_ENCAP_80211 = 18;

    /** The outcome of {@link #parse}; reused. */
    public static final class Result {
        /** Where the inner frame starts, and its length. */
        public int offset;
        public int length;
        /** Its medium ({@link Medium}). */
        public int medium;
        /** The VNI (VXLAN, GENEVE), or -1 (TZSP). */
        public long vni;
        /**
         * GENEVE may carry a bare IP packet (AWS Gateway Load Balancer): its EtherType (0x0800 or
         * 0x86DD), for the caller to put an Ethernet header in front; 0 when the frame is whole.
         */
        public int bareIpEtherType;
        /** Null when the payload parsed, else what is wrong, e.g. "vxlan: I flag not set". */
        public String malformed;
    }

    private Decapsulation() {
    }

    /** Parses the UDP payload at {@code [offset, offset + length)} of {@code b}; true when {@code r} holds a frame. */
    public static boolean parse(Kind kind, ByteBuf b, int offset, int length, Result r) {
        r.offset = 0;
        r.length = 0;
        r.medium = Medium.ETHERNET;
        r.vni = -1;
        r.bareIpEtherType = 0;
        r.malformed = null;
        switch (kind) {
            case VXLAN:
                return vxlan(b, offset, length, r);
            case GENEVE:
                return geneve(b, offset, length, r);
            default:
                return tzsp(b, offset, length, r);
        }
    }

    private static boolean bad(Result r, String why) {
        r.malformed = why;
        return false;
    }

    /** RFC 7348: flags (I = 0x08 must be set), 24 reserved bits, VNI (24 bits), 8 reserved bits, then Ethernet. */
    private static boolean vxlan(ByteBuf b, int off, int len, Result r) {
        if (len < 8) {
            return bad(r, "vxlan: " + len + " bytes, shorter than its 8-byte header");
        }
        if ((b.getUnsignedByte(off) & 0x08) == 0) {
            return bad(r, "vxlan: I flag not set (no valid VNI)");
        }
        r.vni = b.getUnsignedMedium(off + 4);
        return frame(b, off + 8, len - 8, "vxlan", r);
    }

    /**
     * RFC 8926: version (2 bits, 0) and options length (6 bits, in 4-byte words), flags, protocol
     * type, VNI (24 bits), reserved; the options; then the payload of that protocol type.
     */
    private static boolean geneve(ByteBuf b, int off, int len, Result r) {
        if (len < 8) {
            return bad(r, "geneve: " + len + " bytes, shorter than its 8-byte header");
        }
        int first = b.getUnsignedByte(off);
        if (first >> 6 != 0) {
            return bad(r, "geneve: version " + (first >> 6) + " (only 0 is defined)");
        }
        int header = 8 + (first & 0x3F) * 4;
        if (header > len) {
            return bad(r, "geneve: options of " + (header - 8) + " bytes run past the " + len + "-byte payload");
        }
        r.vni = b.getUnsignedMedium(off + 4);
        int type = b.getUnsignedShort(off + 2);
        if (type == ETHER_BRIDGING) {
            return frame(b, off + header, len - header, "geneve", r);
        }
        if (type == 0x0800 || type == 0x86DD) {
            if (len - header < 1) {
                return bad(r, "geneve: empty IP payload");
            }
            r.offset = off + header;
            r.length = len - header;
            r.bareIpEtherType = type;
            return true;
        }
        return bad(r, String.format("geneve: protocol type 0x%04x is neither Ethernet nor IP", type));
    }

    /**
     * TZSP: version 1, type (0: a received packet), encapsulation (1 Ethernet, 2 Token Ring, 18
     * 802.11), then tagged fields (0 padding and 1 end have no length; the others a length byte)
     * up to the end tag, then the frame.
     */
    private static boolean tzsp(ByteBuf b, int off, int len, Result r) {
        if (len < 5) {
            return bad(r, "tzsp: " + len + " bytes, shorter than its header and end tag");
        }
        if (b.getUnsignedByte(off) != 1) {
            return bad(r, "tzsp: version " + b.getUnsignedByte(off) + " (only 1 is defined)");
        }
        int type = b.getUnsignedByte(off + 1);
        if (type != 0) {
            return bad(r, "tzsp: type " + type + " is not a received packet (0)");
        }
        int encap = b.getUnsignedShort(off + 2);
        switch (encap) {
            case TZSP_ENCAP_ETHERNET:
                r.medium = Medium.ETHERNET;
                break;
            case TZSP_ENCAP_TOKEN_RING:
                r.medium = Medium.TOKEN_RING;
                break;
            case TZSP_ENCAP_80211:
                r.medium = Medium.WIFI;
                break;
            default:
                return bad(r, "tzsp: encapsulation " + encap + " is not Ethernet (1), Token Ring (2) or 802.11 (18)");
        }
        int i = off + 4;
        int end = off + len;
        while (true) {
            if (i >= end) {
                return bad(r, "tzsp: tagged fields run past the payload without an end tag");
            }
            int tag = b.getUnsignedByte(i);
            if (tag == 1) {
                i++;
                break;
            }
            if (tag == 0) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return bad(r, "tzsp: tag " + tag + " has no length byte");
            }
            i += 2 + b.getUnsignedByte(i + 1);
        }
        if (i > end) {
            return bad(r, "tzsp: a tagged field runs past the payload");
        }
        r.offset = i;
        r.length = end - i;
        if (r.length == 0) {
            return bad(r, "tzsp: no frame after the tagged fields");
        }
        return true;
    }

    private static boolean frame(ByteBuf b, int off, int len, String what, Result r) {
        if (len < 14) {
            return bad(r, what + ": inner frame of " + len + " bytes, shorter than an Ethernet header");
        }
        r.offset = off;
        r.length = len;
        return true;
    }
}
