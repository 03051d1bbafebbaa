package io.mirrorgate.protocol.inject;

import java.util.Locale;

/** How injection frames reach the adapter ({@code --inject-method}). */
public enum InjectMethod {
    /** AF_PACKET with sendmmsg where the platform has it, else libpcap. */
    AUTO,
    /** A Linux AF_PACKET socket, one sendmmsg per batch; fails where there is none. */
    AF_PACKET,
    /** libpcap's pcap_sendpacket, one frame per call (CommView's Packet Generator's way). */
    PCAP;

    /** The option's spelling: auto, af-packet, pcap. */
    public String cli() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses the option's spelling; null when it is none of them. */
    public static InjectMethod parse(String s) {
        for (InjectMethod m : values()) {
            if (m.cli().equalsIgnoreCase(s)) {
                return m;
            }
        }
        return null;
    }
}
