package io.mirrorgate.protocol;

/**
 * Why a packet is malformed: its fields contradict each other or the bytes that are there. The
 * reason text is formatted only when asked for, so the decoder's hot path allocates nothing.
 * (A packet cut short by the capture's snapshot length is <em>truncated</em>, not malformed.)
 */
public enum Malformation {
    IP_VERSION_MISMATCH("ip version nibble %d, link layer says %d"),
    RAW_IP_VERSION("raw ip version nibble %d"),
    IPV4_HEADER_CUT("ipv4 header %d bytes captured < 20"),
    IPV4_IHL("ipv4 ihl %d < 5"),
    IPV4_HEADER_LENGTH("ipv4 header length %d > captured %d"),
    IPV4_TOTAL_LENGTH_SHORT("ipv4 total length %d < header length %d"),
    TOTAL_LENGTH("total length %d > captured %d"),
    IPV6_HEADER_CUT("ipv6 header %d bytes captured < 40"),
    IPV6_PAYLOAD_LENGTH("ipv6 payload length %d > captured %d"),
    IPV6_EXTENSION_CUT("ipv6 extension header %d overruns the packet by %d bytes"),
    IPV6_TOO_MANY_EXTENSIONS("ipv6 more than %d extension headers"),
    TCP_DATA_OFFSET("tcp data offset %d < 5"),
    TCP_HEADER_CUT("tcp header %d bytes < %d"),
    UDP_HEADER_CUT("udp header %d bytes < %d"),
    UDP_LENGTH("udp length %d < 8");

    private final String format;

    Malformation(String format) {
        this.format = format;
    }

    public String describe(long a, long b) {
        return String.format(format, a, b);
    }
}
