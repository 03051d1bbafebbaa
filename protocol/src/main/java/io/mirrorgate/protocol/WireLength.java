package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The length a frame had on the wire when a mirror cut it short (AWS Traffic Mirroring's
 * PacketLength, a TZSP or GENEVE sensor's snap length): the link header plus the inner IP
 * header's total length (IPv4) or 40 plus its payload length (IPv6). Ethernet with up to two
 * VLAN tags; for anything else, or an IP header that does not say more, the captured length.
 */
public final class WireLength {
    private WireLength() {
    }

    /** The frame's length on the wire: at least {@code caplen}, more when its IP header says so. */
    public static int of(ByteBuf b, int offset, int caplen, int linkType) {
        if (linkType != LinkType.ETHERNET || caplen < 14) {
            return caplen;
        }
        int l2 = 12;
        int type = b.getUnsignedShort(offset + l2);
        for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88A8 || type == 0x9100) && l2 + 6 <= caplen; tags++) {
            l2 += 4;
            type = b.getUnsignedShort(offset + l2);
        }
        l2 += 2;
        if (type == 0x0800 && l2 + 4 <= caplen && (b.getUnsignedByte(offset + l2) >> 4) == 4) {
            return Math.max(caplen, l2 + b.getUnsignedShort(offset + l2 + 2));
        }
        if (type == 0x86DD && l2 + 6 <= caplen && (b.getUnsignedByte(offset + l2) >> 4) == 6) {
            int payload = b.getUnsignedShort(offset + l2 + 4);
            return payload == 0 ? caplen : Math.max(caplen, l2 + 40 + payload); // 0: a jumbogram, length unknown here
        }
        return caplen;
    }
}
