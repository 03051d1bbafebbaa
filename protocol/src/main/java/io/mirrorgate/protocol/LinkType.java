package io.mirrorgate.protocol;

/**
 * pcap link-layer header types (tcpdump.org linktypes) the decoder understands. Values are the
 * LINKTYPE_ numbers written in files; {@link #RAW_DLT} and {@link #RAW_DLT_OPENBSD} are the DLT_RAW
 * values libpcap may hand back for LINKTYPE_RAW.
 */
public final class LinkType {
    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    public static final int TOKEN_RING = 6;
    public static final int RAW_DLT = 12;
    public static final int RAW_DLT_OPENBSD = 14;
    public static final int RAW = 101;
    public static final int IEEE802_11 = 105;
    public static final int LOOP = 108;
    public static final int LINUX_SLL = 113;
    public static final int IEEE802_11_RADIOTAP = 127;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    public static boolean isKnown(int linkType) {
        switch (linkType) {
            case NULL: case ETHERNET: case TOKEN_RING: case RAW_DLT: case RAW_DLT_OPENBSD: case RAW:
            case IEEE802_11: case LOOP: case LINUX_SLL: case IEEE802_11_RADIOTAP: case IPV4: case IPV6:
            case LINUX_SLL2:
                return true;
            default:
                return false;
        }
    }

    /** A name for people: Ethernet, 802.11, Token Ring, or the number. */
    public static String describe(int linkType) {
        switch (linkType) {
            case ETHERNET: return "Ethernet";
            case IEEE802_11: return "802.11";
            case TOKEN_RING: return "Token Ring";
            default: return "link type " + linkType;
        }
    }

    /** The value to write in a pcap file header for frames of this link type. */
    public static int forFile(int linkType) {
        return linkType == RAW_DLT || linkType == RAW_DLT_OPENBSD ? RAW : linkType;
    }
}
