package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Community ID v1 (the corelight community-id-spec, as Zeek, Suricata, Arkime and Wireshark
 * compute it): {@code "1:" + base64(sha1(seed . addr_a . addr_b . proto . 0 . port_a . port_b))},
 * the endpoints ordered so the smaller address (then port) comes first, all in network byte order.
 * TCP, UDP and SCTP use their ports; ICMP and ICMPv6 map type and code to ports as Zeek does
 * (a request and its reply share an ID; a message without a counterpart is one-way: type and code,
 * never reordered); every other protocol hashes the addresses and protocol only, and so does a TCP,
 * UDP or SCTP packet whose ports are not there (a later fragment), as Wireshark does.
 */
public final class CommunityId {
    private static final int TCP = IpDecoder.PROTO_TCP;
    private static final int UDP = IpDecoder.PROTO_UDP;
    private static final int SCTP = IpDecoder.PROTO_SCTP;
    private static final int ICMP = IpDecoder.PROTO_ICMP;
    private static final int ICMPV6 = IpDecoder.PROTO_ICMPV6;

    /** ICMPv4 request/reply pairs (Zeek's ICMP analyzer): echo, timestamp, information, address mask, router. */
    private static final int[][] ICMP4_PAIRS = {{8, 0}, {13, 14}, {15, 16}, {17, 18}, {10, 9}};
    /** ICMPv6 pairs: echo, MLD query/report, router and neighbour discovery, node information, home agent discovery. */
    private static final int[][] ICMP6_PAIRS = {{128, 129}, {130, 131}, {133, 134}, {135, 136}, {139, 140}, {144, 145}};

    private CommunityId() {
    }

    /**
     * The ID of the flow of {@code v}: the innermost flow of a tunnel (IP in IP, IPv6 in IP, GRE
     * with IPv4, IPv6 or Ethernet inside), as Zeek, which decapsulates, and Wireshark compute it; null
     * when there is no IP header or it is malformed.
     */
    public static String of(PacketView v, int seed) {
        return of(v, seed, 0);
    }

    private static String of(PacketView v, int seed, int depth) {
        if (!v.hasIpHeader() || brokenIpHeader(v.malformation())) {
            return null;
        }
        if (depth < Tunnels.MAX_DEPTH) {
            PacketView inner = new PacketView();
            if (Tunnels.decodeInner(v, inner) && inner.hasIpHeader() && !brokenIpHeader(inner.malformation())) {
                return of(inner, seed, depth + 1);
            }
        }
        int alen = v.ipVersion() == 6 ? 16 : 4;
        byte[] src = new byte[alen];
        byte[] dst = new byte[alen];
        ByteBuf b = v.buffer();
        b.getBytes(v.sourceAddressOffset(), src);
        b.getBytes(v.destinationAddressOffset(), dst);
        int proto = v.ipProtocol();
        switch (proto) {
            case TCP:
            case UDP:
                return of(seed, src, dst, proto, v.hasPorts() ? v.sourcePort() : -1, v.hasPorts() ? v.destinationPort() : -1, false);
            case SCTP: {
                int t = v.transportOffset();
                boolean ports = t >= 0 && t + 4 <= v.frameOffset() + v.capturedLength();
                return of(seed, src, dst, proto, ports ? b.getUnsignedShort(t) : -1, ports ? b.getUnsignedShort(t + 2) : -1, false);
            }
            case ICMP:
            case ICMPV6:
                if (v.icmpType() < 0) {
                    return of(seed, src, dst, proto, -1, -1, false);
                }
                return icmp(seed, src, dst, proto, v.icmpType(), v.icmpCode());
            default:
                return of(seed, src, dst, proto, -1, -1, false);
        }
    }

    /**
     * An IP header that contradicts itself gives no flow (as in Wireshark); a packet whose trouble
     * lies past the addresses and ports (a length beyond the capture, a short TCP header) still
     * belongs to its flow.
     */
    private static boolean brokenIpHeader(Malformation m) {
        return m == Malformation.IP_VERSION_MISMATCH || m == Malformation.RAW_IP_VERSION || m == Malformation.IPV4_IHL
                || m == Malformation.IPV4_HEADER_LENGTH || m == Malformation.IPV4_TOTAL_LENGTH_SHORT;
    }

    /** The ID of an ICMP ({@code proto} 1) or ICMPv6 (58) message of {@code type} and {@code code}. */
    public static String icmp(int seed, byte[] src, byte[] dst, int proto, int type, int code) {
        for (int[] pair : proto == ICMPV6 ? ICMP6_PAIRS : ICMP4_PAIRS) {
            if (pair[0] == type) {
                return of(seed, src, dst, proto, type, pair[1], false);
            }
            if (pair[1] == type) {
                return of(seed, src, dst, proto, type, pair[0], false);
            }
        }
        return of(seed, src, dst, proto, type, code, true);
    }

    /**
     * The ID of a flow from {@code src}:{@code sport} to {@code dst}:{@code dport} (4- or 16-byte
     * addresses); ports -1 for a protocol without ports. {@code oneWay} keeps the given order.
     */
    public static String of(int seed, byte[] src, byte[] dst, int proto, int sport, int dport, boolean oneWay) {
        boolean ports = sport >= 0 && dport >= 0;
        int cmp = Arrays.compareUnsigned(src, dst);
        boolean swap = !oneWay && (cmp > 0 || cmp == 0 && ports && sport > dport);
        byte[] a = swap ? dst : src;
        byte[] z = swap ? src : dst;
        int pa = swap ? dport : sport;
        int pz = swap ? sport : dport;
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
        sha1.update((byte) (seed >>> 8));
        sha1.update((byte) seed);
        sha1.update(a);
        sha1.update(z);
        sha1.update((byte) proto);
        sha1.update((byte) 0);
        if (ports) {
            sha1.update(new byte[] {(byte) (pa >>> 8), (byte) pa, (byte) (pz >>> 8), (byte) pz});
        }
        return "1:" + Base64.getEncoder().encodeToString(sha1.digest());
    }
}
