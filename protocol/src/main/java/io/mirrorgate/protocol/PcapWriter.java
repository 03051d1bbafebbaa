package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Writes a classic pcap stream (magic 0xa1b2c3d4 little-endian, version 2.4, microsecond
 * timestamps, seconds unsigned 32-bit: valid to 2106-02-07) to a file channel or any
 * {@link OutputStream} (stdout for {@code -w -}). One link type per file.
 *
 * <p>Records are buffered whole and reach the channel only as whole records, so a process killed
 * at any moment leaves a file that reads to its last whole packet. {@link #packets()} counts the
 * records the channel took; when a write fails (a full disk) the records it did not take are
 * reported by {@link WriteFailedException} and never counted as written, and on a
 * {@link FileChannel} a record the failed write cut in half is trimmed off the file.
 */
public final class PcapWriter implements java.io.Closeable {
    public static final int SNAPLEN = 262_144;
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;
    /** Room for the largest record a writer is given (the snapshot length) plus its header. */
    private static final int BUFFER = SNAPLEN + RECORD_HEADER;
    /** Largest pcap seconds field: 2106-02-07T06:28:15Z. */
    private static final long MAX_SECONDS = 0xFFFF_FFFFL;

    /** A write failed: {@link #lost} records (since the last successful write) did not reach the file. */
    public static final class WriteFailedException extends IOException {
        private final long lost;

        WriteFailedException(IOException cause, long lost) {
            super(cause.getMessage(), cause);
            this.lost = lost;
        }

        public long lost() {
            return lost;
        }
    }

    private final WritableByteChannel out;
    private final OutputStream stream;
    private final int linkType;
    /** Direct for a channel (the write takes it as it is), on the heap for a stream (which takes an array). */
    private final ByteBuffer buf;
    /** Offsets in {@link #buf} where each buffered record ends (the file header is not a record). */
    private int[] ends = new int[1024];
    private int buffered;
    private long packets;
    private long fileBytes;
    private boolean failed;

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
        this.out = out;
        this.stream = stream;
        this.linkType = LinkType.forFile(linkType);
        this.buf = out != null ? ByteBuffer.allocateDirect(BUFFER) : ByteBuffer.allocate(BUFFER);
        buf.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(this.linkType);
    }

    public int linkType() {
        return linkType;
    }

    /** Records the channel has taken. */
    public long packets() {
        return packets;
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
        if (buf.remaining() < RECORD_HEADER + caplen) {
            drain();
        }
        long seconds = Math.floorDiv(timestampMicros, 1_000_000L);
        buf.putInt((int) Math.max(0, Math.min(MAX_SECONDS, seconds)));
        buf.putInt((int) Math.floorMod(timestampMicros, 1_000_000L));
        buf.putInt(caplen);
        buf.putInt(Math.max(length, originalLength));
        if (buf.hasArray()) {
            b.getBytes(offset, buf.array(), buf.position(), caplen);
            buf.position(buf.position() + caplen);
        } else {
            buf.limit(buf.position() + caplen); // one copy into the direct buffer, no object per record
            b.getBytes(offset, buf);
            buf.limit(buf.capacity());
        }
        if (buffered == ends.length) {
            ends = java.util.Arrays.copyOf(ends, buffered * 2);
        }
        ends[buffered++] = buf.position();
    }

    /**
     * Hands every buffered record to the channel. On failure the records the channel did not take
     * whole are dropped from the buffer and reported; a half-written record is trimmed off a file.
     */
    public void drain() throws IOException {
        if (failed) {
            long lost = buffered;
            reset();
            throw new WriteFailedException(new IOException("an earlier write failed"), lost);
        }
        buf.flip();
        int total = buf.limit();
        try {
            if (stream != null) {
                stream.write(buf.array(), 0, total); // whole or not at all, as far as we can tell
                buf.position(total);
            }
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        } catch (IOException e) {
            failed = true;
            int took = buf.position();
            int whole = 0;
            int boundary = fileBytes == 0 && took >= FILE_HEADER ? FILE_HEADER : 0;
            for (int k = 0; k < buffered && ends[k] <= took; k++) {
                whole++;
                boundary = ends[k];
            }
            trim(fileBytes + boundary);
            fileBytes += boundary;
            packets += whole;
            long lost = buffered - whole;
            reset();
            throw new WriteFailedException(e, lost);
        }
        fileBytes += total;
        packets += buffered;
        reset();
    }

    private void reset() {
        buf.clear();
        buffered = 0;
    }

    /** Cuts a file back to {@code size} bytes (a record a failed write left half-written). */
    private void trim(long size) {
        if (out instanceof FileChannel) {
            try {
                FileChannel f = (FileChannel) out;
                if (f.size() > size) {
                    f.truncate(size);
                }
            } catch (IOException ignored) {
                // the disk refused even that: the file ends with a cut record, which readers report
            }
        }
    }

    /** Hands the buffered records to the channel and flushes an underlying stream. */
    public void flush() throws IOException {
        drain();
        if (stream != null) {
            stream.flush();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            if (stream != null) {
                stream.close();
            } else {
                out.close();
            }
        }
    }
}
