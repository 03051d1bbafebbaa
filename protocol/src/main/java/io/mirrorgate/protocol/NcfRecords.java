package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Turns one complete, checked record (as framed by the stream decoders or read from a file) into
 * a decoded {@link PacketView}: the single path from record bytes to event for every source.
 */
public final class NcfRecords {
    private NcfRecords() {
    }

    /** Decodes the NCF record at {@code i}. A compressed record is passed on undecoded. */
    public static void decode(ByteBuf b, int i, WallClock clock, PacketView v) {
        NcfHeader.fill(b, i, clock, v);
        int linkType = Medium.linkType(v.medium);
        if (v.compressed) {
            v.buf = b;
            v.frameOffset = i + NcfHeader.LENGTH;
            v.linkType = linkType;
            return;
        }
        IpDecoder.decode(b, i + NcfHeader.LENGTH, v.capturedLength, linkType, v);
    }

    /** Decodes the NCFX record at {@code i} (checked, radio header included). */
    public static void decodeNcfx(ByteBuf b, int i, long offset, WallClock clock, PacketView v) {
        int radio = NcfxHeader.checkRadio(b, i, offset);
        int frame = NcfxHeader.fill(b, i, radio, clock, v);
        IpDecoder.decode(b, frame, v.capturedLength, Medium.linkType(v.medium), v);
    }
}
