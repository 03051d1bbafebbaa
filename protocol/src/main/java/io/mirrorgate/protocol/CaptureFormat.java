package io.mirrorgate.protocol;

import io.netty.buffer.Unpooled;

/** Capture file formats {@code read} accepts, recognised by content, never by file name. */
public enum CaptureFormat {
    NCF, NCFX, PCAP, PCAPNG;

    /** Bytes of a file's head that {@link #detect} needs. */
    public static final int DETECT_LENGTH = 24;

    /**
     * The format of a file whose first {@code n} bytes are in {@code head}, or null if it is none of
     * them. An empty file is NCF (which has no file header) with no records.
     */
    public static CaptureFormat detect(byte[] head, int n) {
        if (n == 0) {
            return NCF;
        }
        if (n >= 4) {
            int m = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            switch (m) {
                case 0xA1B2C3D4: case 0xD4C3B2A1: case 0xA1B23C4D: case 0x4D3CB2A1:
                    return PCAP;
                case 0x0A0D0D0A:
                    return PCAPNG;
                default:
                    break;
            }
        }
        Dialect d = Dialect.detect(Unpooled.wrappedBuffer(head, 0, n), 0, n);
        return d == null ? null : d == Dialect.NCF ? NCF : NCFX;
    }
}
