package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * IP addresses as text, written straight into a byte array (no allocation) or as a String:
 * IPv4 dotted quad; IPv6 per RFC 5952 (lowercase, no leading zeros, the longest run of two or more
 * zero groups as {@code ::}, the first such run on a tie, {@code ::ffff:a.b.c.d} for v4-mapped).
 */
public final class AddressText {
    /** Longest text either form can take ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" is 45). */
    public static final int MAX_LENGTH = 46;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private AddressText() {
    }

    /** Writes the IPv4 address at {@code off} into {@code dst} at {@code pos}; returns the new pos. */
    public static int writeIpv4(ByteBuf b, int off, byte[] dst, int pos) {
        for (int k = 0; k < 4; k++) {
            if (k > 0) {
                dst[pos++] = '.';
            }
            pos = writeByteDecimal(b.getUnsignedByte(off + k), dst, pos);
        }
        return pos;
    }

    private static int writeByteDecimal(int v, byte[] dst, int pos) {
        if (v >= 100) {
            dst[pos++] = (byte) ('0' + v / 100);
            dst[pos++] = (byte) ('0' + v / 10 % 10);
        } else if (v >= 10) {
            dst[pos++] = (byte) ('0' + v / 10);
        }
        dst[pos++] = (byte) ('0' + v % 10);
        return pos;
    }

    /** Writes the IPv6 address at {@code off} into {@code dst} at {@code pos}; returns the new pos. */
    public static int writeIpv6(ByteBuf b, int off, byte[] dst, int pos) {
        int bestStart = -1;
        int bestLen = 0;
        int runStart = -1;
        for (int g = 0; g < 8; g++) {
            if (b.getUnsignedShort(off + 2 * g) == 0) {
                if (runStart < 0) {
                    runStart = g;
                }
                int len = g - runStart + 1;
                if (len > bestLen) {
                    bestLen = len;
                    bestStart = runStart;
                }
            } else {
                runStart = -1;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        boolean mapped = bestStart == 0 && bestLen == 5 && b.getUnsignedShort(off + 10) == 0xFFFF;
        int groups = mapped ? 6 : 8;
        for (int g = 0; g < groups; g++) {
            if (g == bestStart) {
                dst[pos++] = ':';
                dst[pos++] = ':';
                g += bestLen - 1;
                continue;
            }
            if (g > 0 && g != bestStart + bestLen) {
                dst[pos++] = ':';
            }
            pos = writeHexGroup(b.getUnsignedShort(off + 2 * g), dst, pos);
        }
        if (mapped) {
            dst[pos++] = ':';
            pos = writeIpv4(b, off + 12, dst, pos);
        }
        return pos;
    }

    private static int writeHexGroup(int v, byte[] dst, int pos) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int nib = (v >>> shift) & 0xF;
            if (nib != 0 || started || shift == 0) {
                dst[pos++] = HEX[nib];
                started = true;
            }
        }
        return pos;
    }

    public static String ipv4(ByteBuf b, int off) {
        byte[] tmp = new byte[MAX_LENGTH];
        return new String(tmp, 0, writeIpv4(b, off, tmp, 0), java.nio.charset.StandardCharsets.US_ASCII);
    }

    public static String ipv6(ByteBuf b, int off) {
        byte[] tmp = new byte[MAX_LENGTH];
        return new String(tmp, 0, writeIpv6(b, off, tmp, 0), java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Text of a 4- or 16-byte address. */
    public static String of(byte[] address) {
        ByteBuf b = io.netty.buffer.Unpooled.wrappedBuffer(address);
        return address.length == 4 ? ipv4(b, 0) : ipv6(b, 0);
    }
}
