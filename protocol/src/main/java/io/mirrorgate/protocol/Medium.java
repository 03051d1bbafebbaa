package io.mirrorgate.protocol;

/** The NCF/NCFX medium values (low four bits of the NCF flags byte; the NCFX medium byte). */
public final class Medium {
    public static final int ETHERNET = 0;
    public static final int WIFI = 1;
    public static final int TOKEN_RING = 2;

    private Medium() {
    }

    /** The pcap link type that carries frames of this medium, or -1 for an unknown medium. */
    public static int linkType(int medium) {
        switch (medium) {
            case ETHERNET: return LinkType.ETHERNET;
            case WIFI: return LinkType.IEEE802_11;
            case TOKEN_RING: return LinkType.TOKEN_RING;
            default: return -1;
        }
    }

    /** The medium whose frames a pcap link type carries, or -1 when NCF has no medium for it. */
    public static int ofLinkType(int linkType) {
        switch (linkType) {
            case LinkType.ETHERNET: return ETHERNET;
            case LinkType.IEEE802_11: return WIFI;
            case LinkType.TOKEN_RING: return TOKEN_RING;
            default: return -1;
        }
    }

    public static String name(int medium) {
        switch (medium) {
            case ETHERNET: return "ethernet";
            case WIFI: return "wifi";
            case TOKEN_RING: return "token-ring";
            default: return "medium-" + medium;
        }
    }
}
