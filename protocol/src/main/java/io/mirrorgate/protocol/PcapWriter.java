package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.WritableByteChannel;

/**
 * Writes a classic pcap stream (magic 0xa1b2c3d4 little-endian, version 2.4, microsecond
 * timestamps, seconds unsigned 32-bit: valid to 2106-02-07) to a file channel or any
 * {@link OutputStream} (stdout for {@code -w -}). One link type per file; whole records only reach
 * the channel ({@link CaptureWriter}).
 */
public final class PcapWriter extends CaptureWriter {
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;
    /** Room for the largest record a writer is given (the snapshot length) plus its header. */
    private static final int BUFFER = SNAPLEN + RECORD_HEADER;
    /** Largest pcap seconds field: 2106-02-07T06:28:15Z. */
    private static final long MAX_SECONDS = 0xFFFF_FFFFL;

    private final int linkType;

    public PcapWriter(OutputStream out, int linkType) throws IOException {
        this(null, out, linkType);
    }

    /**
     * A writer on a file (or any channel): the 24-byte file header is written at once, so that a
     * file never exists without it, even if the process is killed before its first record.
     */
    public PcapWriter(WritableByteChannel out, int linkType) throws IOException {
        this(out, null, linkType);
        drain();
    }

    private PcapWriter(WritableByteChannel out, OutputStream stream, int linkType) {
        super(out, stream, BUFFER);
        this.linkType = LinkType.forFile(linkType);
        buf.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(this.linkType);
        endBlock(false);
    }

    public int linkType() {
        return linkType;
    }

    /** Bytes of the file header. */
    public static int headerSize() {
        return FILE_HEADER;
    }

    /** Bytes a record of {@code length} captured bytes takes in the file. */
    public static int recordSize(int length) {
        return RECORD_HEADER + Math.min(length, SNAPLEN);
    }

    /**
     * Buffers one record with the frame of {@code length} bytes at {@code offset} of {@code b}
     * (cut at {@link #SNAPLEN}); hands whole records to the channel when the buffer is full.
     */
    public void write(long timestampMicros, ByteBuf b, int offset, int length, int originalLength) throws IOException {
        int caplen = Math.min(length, SNAPLEN);
        room(RECORD_HEADER + caplen);
        long seconds = Math.floorDiv(timestampMicros, 1_000_000L);
        buf.putInt((int) Math.max(0, Math.min(MAX_SECONDS, seconds)));
        buf.putInt((int) Math.floorMod(timestampMicros, 1_000_000L));
        buf.putInt(caplen);
        buf.putInt(Math.max(length, originalLength));
        putFrame(b, offset, caplen);
        endBlock(true);
    }
}
