package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a classic pcap stream (magic 0xa1b2c3d4 little-endian, version 2.4, microsecond
 * timestamps) to any {@link OutputStream}: a file or stdout for {@code -w -}. One link type per
 * file. Buffered: call {@link #flush()} or {@link #close()}.
 */
public final class PcapWriter implements java.io.Closeable {
    public static final int SNAPLEN = 262_144;
    private static final int BUFFER = 1 << 16;

    private final OutputStream out;
    private final int linkType;
    private final byte[] buf = new byte[BUFFER];
    private int n;
    private long packets;

    public PcapWriter(OutputStream out, int linkType) throws IOException {
        this.out = out;
        this.linkType = LinkType.forFile(linkType);
        putInt(0xA1B2C3D4);
        putShort(2);
        putShort(4);
        putInt(0);
        putInt(0);
        putInt(SNAPLEN);
        putInt(this.linkType);
    }

    public int linkType() {
        return linkType;
    }

    public long packets() {
        return packets;
    }

    /** Writes one record with the frame of {@code length} bytes at {@code offset} of {@code b}. */
    public void write(long timestampMicros, ByteBuf b, int offset, int length, int originalLength) throws IOException {
        if (n + 16 > buf.length) {
            drain();
        }
        putInt((int) Math.floorDiv(timestampMicros, 1_000_000L));
        putInt((int) Math.floorMod(timestampMicros, 1_000_000L));
        putInt(length);
        putInt(Math.max(length, originalLength));
        if (length > buf.length - n) {
            drain();
            if (length > buf.length) {
                b.getBytes(offset, out, length);
                packets++;
                return;
            }
        }
        b.getBytes(offset, buf, n, length);
        n += length;
        packets++;
    }

    private void putInt(int v) {
        buf[n++] = (byte) v;
        buf[n++] = (byte) (v >>> 8);
        buf[n++] = (byte) (v >>> 16);
        buf[n++] = (byte) (v >>> 24);
    }

    private void putShort(int v) {
        buf[n++] = (byte) v;
        buf[n++] = (byte) (v >>> 8);
    }

    private void drain() throws IOException {
        out.write(buf, 0, n);
        n = 0;
    }

    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            out.close();
        }
    }
}
