package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The one IP decoder (SPEC section 3) that serves the stream, capture files and live capture. It
 * reads the link layer named by the pcap link type, then the outermost IPv4/IPv6 header and the
 * transport header, filling a {@link PacketView} with indexes into the buffer. It never throws on
 * packet bytes and never reads outside [offset, offset + length): a packet that contradicts itself
 * gets a {@link Malformation}; one the capture cut short is marked truncated.
 *
 * <p>Stateless; every method is static and allocation-free.
 */
public final class IpDecoder {
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_QINQ = 0x88A8;
    public static final int ETHERTYPE_QINQ_OLD1 = 0x9100;
    public static final int ETHERTYPE_QINQ_OLD2 = 0x9200;
    /** 802.2 LLC carried under an EtherType (jumbo frames, and how some stacks send SNAP). */
    public static final int ETHERTYPE_JUMBO_LLC = 0x8870;
    /** Most VLAN tags we walk before calling the frame non-IP (real stacks are 1 or 2 deep). */
    public static final int MAX_VLAN_TAGS = 8;
    /** Most IPv6 extension headers we walk (bounds the loop on hostile input). */
    public static final int MAX_IPV6_EXTENSIONS = 16;
    /** Largest EtherType/length value that is an 802.3 length. */
    private static final int MAX_8023_LENGTH = 1500;
    /** Largest IPv6 Payload Length field (RFC 8200 section 3); beyond it only a jumbogram or BIG TCP. */
    private static final int MAX_IPV6_PAYLOAD = 65_535;
    /** Hop-by-Hop option type of the Jumbo Payload option (RFC 2675 section 2). */
    private static final int IPV6_OPTION_JUMBO = 0xC2;
    private static final int MIN_ETHERTYPE = 0x0600;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_IGMP = 2;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_HOPOPTS = 0;
    public static final int PROTO_ROUTING = 43;
    public static final int PROTO_FRAGMENT = 44;
    public static final int PROTO_ICMPV6 = 58;
    public static final int PROTO_SCTP = 132;
    public static final int PROTO_DSTOPTS = 60;

    private IpDecoder() {
    }

    /**
     * Decodes the frame of {@code length} bytes at absolute index {@code offset} of {@code b}. The
     * record fields of {@code v} (lengths, medium, Wi-Fi flags) must already be set by the source;
     * the decode fields are overwritten.
     */
    public static void decode(ByteBuf b, int offset, int length, int linkType, PacketView v) {
        v.clearDecode();
        v.buf = b;
        v.frameOffset = offset;
        v.linkType = linkType;
        if (v.frameOnly) {
            return; // the consumer wants the frame alone (PacketView.setFrameOnly)
        }
        int end = offset + length;
        switch (linkType) {
            case LinkType.ETHERNET:
                ethernet(b, offset, end, v);
                break;
            case LinkType.IEEE802_11:
                ieee80211(b, offset, end, v);
                break;
            case LinkType.IEEE802_11_RADIOTAP:
                if (end - offset >= 4) {
                    int rtLen = b.getUnsignedShortLE(offset + 2);
                    if (rtLen >= 8 && rtLen <= end - offset) {
                        ieee80211(b, offset + rtLen, end, v);
                        break;
                    }
                }
                cut(v);
                break;
            case LinkType.TOKEN_RING:
                tokenRing(b, offset, end, v);
                break;
            case LinkType.RAW:
            case LinkType.RAW_DLT:
            case LinkType.RAW_DLT_OPENBSD:
                rawIp(b, offset, end, v);
                break;
            case LinkType.IPV4:
                ipv4(b, offset, end, v);
                break;
            case LinkType.IPV6:
                ipv6(b, offset, end, v);
                break;
            case LinkType.LINUX_SLL:
                if (end - offset < 16) {
                    cut(v);
                } else {
                    etherType(b, offset + 16, end, b.getUnsignedShort(offset + 14), v);
                }
                break;
            case LinkType.LINUX_SLL2:
                if (end - offset < 20) {
                    cut(v);
                } else {
                    etherType(b, offset + 20, end, b.getUnsignedShort(offset), v);
                }
                break;
            case LinkType.NULL:
                if (end - offset < 4) {
                    cut(v);
                } else {
                    long af = b.getUnsignedIntLE(offset);
                    if ((af & 0xFFFF0000L) != 0) {
                        af = Long.reverseBytes(af) >>> 32;
                    }
                    addressFamily(b, offset + 4, end, (int) af, v);
                }
                break;
            case LinkType.LOOP:
                if (end - offset < 4) {
                    cut(v);
                } else {
                    addressFamily(b, offset + 4, end, (int) b.getUnsignedInt(offset), v);
                }
                break;
            default:
                break;
        }
    }

    /** A link-layer header the capture cut short: non-IP, and truncated if the snaplen did it. */
    private static void cut(PacketView v) {
        v.truncated = v.originalLength > v.capturedLength;
    }

    private static void addressFamily(ByteBuf b, int p, int end, int af, PacketView v) {
        switch (af) {
            case 2:
                ipv4(b, p, end, v);
                break;
            case 10: case 24: case 28: case 30:
                ipv6(b, p, end, v);
                break;
            default:
                break;
        }
    }

    private static void ethernet(ByteBuf b, int off, int end, PacketView v) {
        if (end - off < 14) {
            cut(v);
            return;
        }
        int type = b.getUnsignedShort(off + 12);
        if (type <= MAX_8023_LENGTH) {
            // the 802.3 length field counts the LLC data; what follows it is padding
            llc(b, off + 14, Math.min(end, off + 14 + type), v);
        } else if (type >= MIN_ETHERTYPE) {
            etherType(b, off + 14, end, type, v);
        }
    }

    /** 802.2 LLC; only SNAP with an EtherType carries IP for us. */
    private static void llc(ByteBuf b, int p, int end, PacketView v) {
        if (end - p < 3) {
            cut(v);
            return;
        }
        if (b.getUnsignedByte(p) == 0xAA && b.getUnsignedByte(p + 1) == 0xAA && b.getUnsignedByte(p + 2) == 0x03) {
            if (end - p < 8) {
                cut(v);
                return;
            }
            etherType(b, p + 8, end, b.getUnsignedShort(p + 6), v);
        }
    }

    private static void etherType(ByteBuf b, int p, int end, int type, PacketView v) {
        int tags = 0;
        while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD1
                || type == ETHERTYPE_QINQ_OLD2) {
            if (tags == MAX_VLAN_TAGS) {
                v.etherType = type;
                return;
            }
            if (end - p < 4) {
                v.etherType = type;
                cut(v);
                return;
            }
            if (tags++ == 0) {
                v.vlanId = b.getUnsignedShort(p) & 0x0FFF;
            }
            type = b.getUnsignedShort(p + 2);
            p += 4;
        }
        v.etherType = type;
        if (type == ETHERTYPE_IPV4) {
            ipv4(b, p, end, v);
        } else if (type == ETHERTYPE_IPV6) {
            ipv6(b, p, end, v);
        } else if (type <= MAX_8023_LENGTH || type == ETHERTYPE_JUMBO_LLC) {
            llc(b, p, end, v);
        }
    }

    private static void ieee80211(ByteBuf b, int off, int end, PacketView v) {
        if (end - off < 24) {
            cut(v);
            return;
        }
        int fc0 = b.getUnsignedByte(off);
        int fc1 = b.getUnsignedByte(off + 1);
        int type = (fc0 >> 2) & 0x3;
        int subtype = fc0 >> 4;
        if (type != 2 || (subtype & 0x4) != 0) {
            return; // management, control, or a data frame with no body (null function)
        }
        if ((fc1 & 0x40) != 0 && !v.wifiDecrypted) {
            return; // protected and not decrypted by the agent
        }
        int hdr = 24;
        if ((fc1 & 0x03) == 0x03) {
            hdr += 6; // four-address (WDS)
        }
        boolean qos = (subtype & 0x8) != 0;
        if (qos) {
            if (end - off < hdr + 2) {
                cut(v);
                return;
            }
            if ((b.getUnsignedByte(off + hdr) & 0x80) != 0) {
                return; // A-MSDU aggregate: several subframes, not one IP packet
            }
            hdr += 2;
            if ((fc1 & 0x80) != 0) {
                hdr += 4; // HT control
            }
        }
        if (end - off < hdr) {
            cut(v);
            return;
        }
        llc(b, off + hdr, end, v);
    }

    private static void tokenRing(ByteBuf b, int off, int end, PacketView v) {
        if (end - off < 14) {
            cut(v);
            return;
        }
        if ((b.getUnsignedByte(off + 1) >> 6) != 1) {
            return; // MAC frame, not LLC
        }
        int p = off + 14;
        if ((b.getUnsignedByte(off + 8) & 0x80) != 0) { // source-routed: routing information field
            if (end - p < 2) {
                cut(v);
                return;
            }
            int rif = b.getUnsignedByte(p) & 0x1F;
            if (rif < 2 || end - p < rif) {
                cut(v);
                return;
            }
            p += rif;
        }
        llc(b, p, end, v);
    }

    private static void rawIp(ByteBuf b, int p, int end, PacketView v) {
        if (end - p < 1) {
            cut(v);
            return;
        }
        int nibble = b.getUnsignedByte(p) >> 4;
        if (nibble == 4) {
            ipv4(b, p, end, v);
        } else if (nibble == 6) {
            ipv6(b, p, end, v);
        } else {
            v.malformed(Malformation.RAW_IP_VERSION, nibble, 0);
        }
    }

    private static void ipv4(ByteBuf b, int p, int end, PacketView v) {
        v.ipVersion = 4;
        v.ipOffset = p;
        int avail = end - p;
        boolean snapped = v.originalLength > v.capturedLength;
        if (avail < 1) {
            shortOf(v, snapped, Malformation.IPV4_HEADER_CUT, avail, 0);
            return;
        }
        int b0 = b.getUnsignedByte(p);
        if ((b0 >> 4) != 4) {
            v.malformed(Malformation.IP_VERSION_MISMATCH, b0 >> 4, 4);
            return;
        }
        if (avail < 20) {
            shortOf(v, snapped, Malformation.IPV4_HEADER_CUT, avail, 0);
            return;
        }
        int ihl = b0 & 0xF;
        int totalLength = b.getUnsignedShort(p + 2);
        int fo = b.getUnsignedShort(p + 6);
        v.hasIpHeader = true;
        v.tos = b.getUnsignedByte(p + 1);
        v.id = b.getUnsignedShort(p + 4);
        v.ipFlags = fo >>> 13;
        v.fragmentOffset = fo & 0x1FFF;
        v.ttl = b.getUnsignedByte(p + 8);
        v.ipProtocol = b.getUnsignedByte(p + 9);
        v.checksum = b.getUnsignedShort(p + 10);
        v.srcOffset = p + 12;
        v.dstOffset = p + 16;
        int hlen = ihl * 4;
        if (ihl < 5) {
            v.malformed(Malformation.IPV4_IHL, ihl, 0);
            v.payloadLength = Math.max(0, totalLength - hlen);
            return;
        }
        if (hlen > avail) {
            shortOf(v, snapped, Malformation.IPV4_HEADER_LENGTH, hlen, avail);
            v.payloadLength = Math.max(0, totalLength - hlen);
            v.payloadOffset = end;
            return;
        }
        v.checksumValid = ipv4ChecksumOk(b, p, hlen);
        int ipEnd;
        int declaredEnd;
        if (totalLength == 0) { // segmentation offload: the length is whatever was captured
            ipEnd = end;
            declaredEnd = end;
            v.payloadLength = avail - hlen;
        } else if (totalLength < hlen) {
            v.malformed(Malformation.IPV4_TOTAL_LENGTH_SHORT, totalLength, hlen);
            v.payloadOffset = p + hlen;
            v.payloadLength = 0;
            return;
        } else {
            declaredEnd = p + totalLength;
            v.payloadLength = totalLength - hlen;
            if (totalLength > avail) {
                shortOf(v, snapped, Malformation.TOTAL_LENGTH, totalLength, avail);
                ipEnd = end;
            } else {
                ipEnd = declaredEnd;
            }
        }
        v.payloadOffset = p + hlen;
        v.payloadCaptured = ipEnd - v.payloadOffset;
        transport(b, v.payloadOffset, ipEnd, declaredEnd, v.ipProtocol, v.fragmentOffset == 0, v);
    }

    static boolean ipv4ChecksumOk(ByteBuf b, int p, int hlen) {
        long sum = 0;
        for (int k = 0; k < hlen; k += 2) {
            sum += b.getUnsignedShort(p + k);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum == 0xFFFF;
    }

    private static void ipv6(ByteBuf b, int p, int end, PacketView v) {
        v.ipVersion = 6;
        v.ipOffset = p;
        int avail = end - p;
        boolean snapped = v.originalLength > v.capturedLength;
        if (avail < 1) {
            shortOf(v, snapped, Malformation.IPV6_HEADER_CUT, avail, 0);
            return;
        }
        int b0 = b.getUnsignedByte(p);
        if ((b0 >> 4) != 6) {
            v.malformed(Malformation.IP_VERSION_MISMATCH, b0 >> 4, 6);
            return;
        }
        if (avail < 40) {
            shortOf(v, snapped, Malformation.IPV6_HEADER_CUT, avail, 0);
            return;
        }
        v.hasIpHeader = true;
        v.tos = (b.getInt(p) >>> 20) & 0xFF;
        int plen = b.getUnsignedShort(p + 4);
        int next = b.getUnsignedByte(p + 6);
        v.ttl = b.getUnsignedByte(p + 7);
        v.srcOffset = p + 8;
        v.dstOffset = p + 24;
        v.payloadOffset = p + 40;
        int ipEnd;
        int declaredEnd;
        long jumbo = plen == 0 && next == PROTO_HOPOPTS ? jumboPayloadLength(b, p + 40, end) : -1;
        if (plen == 0 && jumbo < 0 && avail <= 40 + MAX_IPV6_PAYLOAD) {
            // RFC 8200: 0 is 0 (Next Header 59, or an empty packet); what follows is link padding
            ipEnd = p + 40;
            declaredEnd = ipEnd;
            v.payloadLength = 0;
        } else if (plen == 0) {
            // RFC 2675 jumbogram (its Hop-by-Hop option gives the length), or Linux BIG TCP, whose
            // payload length is 0 with the option removed: the packet is what was captured
            declaredEnd = jumbo >= 0 ? (int) Math.min(Integer.MAX_VALUE, p + 40 + jumbo) : end;
            ipEnd = Math.min(end, declaredEnd);
            v.payloadLength = jumbo >= 0 ? (int) Math.min(Integer.MAX_VALUE, jumbo) : avail - 40;
            if (declaredEnd > end) {
                shortOf(v, snapped, Malformation.IPV6_PAYLOAD_LENGTH, jumbo, avail - 40);
            }
        } else {
            declaredEnd = p + 40 + plen;
            v.payloadLength = plen;
            if (40 + plen > avail) {
                shortOf(v, snapped, Malformation.IPV6_PAYLOAD_LENGTH, plen, avail - 40);
                ipEnd = end;
            } else {
                ipEnd = declaredEnd;
            }
        }
        v.payloadCaptured = ipEnd - v.payloadOffset;
        int q = p + 40;
        boolean first = true;
        int walked = 0;
        while (next == PROTO_HOPOPTS || next == PROTO_ROUTING || next == PROTO_FRAGMENT || next == PROTO_DSTOPTS) {
            if (walked++ == MAX_IPV6_EXTENSIONS) {
                v.malformed(Malformation.IPV6_TOO_MANY_EXTENSIONS, MAX_IPV6_EXTENSIONS, 0);
                v.ipProtocol = next;
                return;
            }
            int need = next == PROTO_FRAGMENT ? 8 : 2;
            if (ipEnd - q < need) {
                extensionCut(v, next, need - (ipEnd - q), snapped);
                v.ipProtocol = ipEnd - q >= 1 ? b.getUnsignedByte(q) : next;
                return;
            }
            int following = b.getUnsignedByte(q);
            int len;
            if (next == PROTO_FRAGMENT) {
                len = 8;
                if (v.id < 0) {
                    int fo = b.getUnsignedShort(q + 2);
                    v.fragmentOffset = fo >>> 3;
                    v.ipFlags = fo & 0x1;
                    v.id = b.getUnsignedInt(q + 4);
                }
                if (v.fragmentOffset != 0) {
                    first = false;
                }
            } else {
                len = (b.getUnsignedByte(q + 1) + 1) * 8;
                if (ipEnd - q < len) {
                    extensionCut(v, next, len - (ipEnd - q), snapped);
                    v.ipProtocol = following;
                    return;
                }
            }
            q += len;
            next = following;
            if (!first) {
                break; // a non-first fragment: what follows is the middle of the original payload
            }
        }
        v.ipProtocol = next;
        transport(b, q, ipEnd, declaredEnd, next, first, v);
    }

    /**
     * The Jumbo Payload option (type 0xC2, RFC 2675 section 2) of the Hop-by-Hop header at
     * {@code q}, or -1 when the header is cut or holds none.
     */
    private static long jumboPayloadLength(ByteBuf b, int q, int end) {
        if (end - q < 2) {
            return -1;
        }
        int hend = Math.min(end, q + (b.getUnsignedByte(q + 1) + 1) * 8);
        int o = q + 2;
        while (o < hend) {
            int type = b.getUnsignedByte(o);
            if (type == 0) { // Pad1
                o++;
                continue;
            }
            if (o + 2 > hend) {
                return -1;
            }
            int len = b.getUnsignedByte(o + 1);
            if (type == IPV6_OPTION_JUMBO && len == 4 && o + 6 <= hend) {
                return b.getUnsignedInt(o + 2);
            }
            o += 2 + len;
        }
        return -1;
    }

    private static void extensionCut(PacketView v, int header, int missing, boolean snapped) {
        shortOf(v, snapped, Malformation.IPV6_EXTENSION_CUT, header, missing);
    }

    /**
     * A header or length that runs past the captured bytes: truncated when the capture's snapshot
     * length cut the frame (original length > captured), else the packet contradicts itself.
     */
    private static void shortOf(PacketView v, boolean snapped, Malformation m, long a, long b) {
        if (snapped) {
            v.truncated = true;
        } else {
            v.malformed(m, a, b);
        }
    }

    private static void transport(ByteBuf b, int q, int ipEnd, int declaredEnd, int proto, boolean firstFragment,
                                  PacketView v) {
        if (!firstFragment) {
            return;
        }
        v.transportOffset = q;
        int avail = ipEnd - q;
        boolean snapped = v.originalLength > v.capturedLength;
        switch (proto) {
            case PROTO_TCP:
                if (avail >= 4) {
                    v.hasPorts = true;
                    v.sourcePort = b.getUnsignedShort(q);
                    v.destinationPort = b.getUnsignedShort(q + 2);
                }
                if (avail < 20) {
                    shortOf(v, snapped, Malformation.TCP_HEADER_CUT, Math.max(avail, 0), 20);
                    return;
                }
                v.hasTcp = true;
                v.seq = b.getUnsignedInt(q + 4);
                v.ack = b.getUnsignedInt(q + 8);
                int doff = b.getUnsignedByte(q + 12) >> 4;
                v.tcpFlags = ((b.getUnsignedByte(q + 12) & 0x1) << 8) | b.getUnsignedByte(q + 13);
                v.window = b.getUnsignedShort(q + 14);
                if (doff < 5) {
                    v.malformed(Malformation.TCP_DATA_OFFSET, doff, 0);
                    return;
                }
                v.l4PayloadLength = Math.max(0, declaredEnd - q - doff * 4);
                return;
            case PROTO_UDP:
                if (avail >= 4) {
                    v.hasPorts = true;
                    v.sourcePort = b.getUnsignedShort(q);
                    v.destinationPort = b.getUnsignedShort(q + 2);
                }
                if (avail < 8) {
                    shortOf(v, snapped, Malformation.UDP_HEADER_CUT, Math.max(avail, 0), 8);
                    return;
                }
                int ulen = b.getUnsignedShort(q + 4);
                if (ulen != 0 && ulen < 8) {
                    v.malformed(Malformation.UDP_LENGTH, ulen, 0);
                }
                v.l4PayloadLength = Math.max(0, declaredEnd - q - 8);
                return;
            case PROTO_ICMP:
            case PROTO_ICMPV6:
            case PROTO_IGMP:
                if (avail >= 2) {
                    v.icmpType = b.getUnsignedByte(q);
                    v.icmpCode = b.getUnsignedByte(q + 1);
                }
                v.l4PayloadLength = Math.max(0, declaredEnd - q);
                return;
            default:
                v.l4PayloadLength = Math.max(0, declaredEnd - q);
        }
    }
}
