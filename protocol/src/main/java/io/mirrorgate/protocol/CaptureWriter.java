package io.mirrorgate.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * What the capture file writers ({@link PcapWriter}, {@link PcapngWriter}) share: blocks are
 * buffered whole and reach the channel only as whole blocks, so a process killed at any moment
 * leaves a file that reads to its last whole packet. {@link #packets()} counts the packets the
 * channel took; when a write fails (a full disk) the packets it did not take are reported by
 * {@link WriteFailedException} and never counted as written, and on a {@link FileChannel} a block
 * the failed write cut in half is trimmed off the file.
 */
public abstract class CaptureWriter implements java.io.Closeable {
    /** Largest captured length written; longer frames are cut (libpcap's MAXIMUM_SNAPLEN). */
    public static final int SNAPLEN = 262_144;

    /** A write failed: {@link #lost} packets (since the last successful write) did not reach the file. */
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
    /** Direct for a channel (the write takes it as it is), on the heap for a stream (which takes an array). */
    final ByteBuffer buf;
    /** Offsets in {@link #buf} where each buffered block ends, and whether it holds a packet. */
    private int[] ends = new int[1024];
    private boolean[] packet = new boolean[1024];
    private int blocks;
    private long packets;
    private long fileBytes;
    private boolean failed;

    /** A writer to {@code out} or, when that is null, to {@code stream}; blocks of up to {@code capacity} bytes. */
    CaptureWriter(WritableByteChannel out, OutputStream stream, int capacity) {
        this.out = out;
        this.stream = stream;
        this.buf = out != null ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        buf.order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /** Packets the channel has taken. */
    public final long packets() {
        return packets;
    }

    /** Bytes the channel has taken. */
    public final long fileBytes() {
        return fileBytes;
    }

    /** Makes room for a block of {@code bytes}: drains the buffer when the block would not fit. */
    final void room(int bytes) throws IOException {
        if (buf.remaining() < bytes) {
            drain();
        }
    }

    /** Copies {@code length} bytes at {@code offset} of {@code b} into the buffer: one copy, no object. */
    final void putFrame(io.netty.buffer.ByteBuf b, int offset, int length) {
        if (buf.hasArray()) {
            b.getBytes(offset, buf.array(), buf.arrayOffset() + buf.position(), length);
            buf.position(buf.position() + length);
        } else {
            buf.limit(buf.position() + length);
            b.getBytes(offset, buf);
            buf.limit(buf.capacity());
        }
    }

    /** The block just put in the buffer ends here; {@code isPacket} when it counts as a packet. */
    final void endBlock(boolean isPacket) {
        if (blocks == ends.length) {
            ends = java.util.Arrays.copyOf(ends, blocks * 2);
            packet = java.util.Arrays.copyOf(packet, blocks * 2);
        }
        packet[blocks] = isPacket;
        ends[blocks++] = buf.position();
    }

    /**
     * Hands every buffered block to the channel. On failure the blocks the channel did not take
     * whole are dropped from the buffer and their packets reported; a half-written block is
     * trimmed off a file.
     */
    public final void drain() throws IOException {
        if (failed) {
            long lost = bufferedPackets(0);
            reset();
            throw new WriteFailedException(new IOException("an earlier write failed"), lost);
        }
        buf.flip();
        int total = buf.limit();
        try {
            if (stream != null) {
                stream.write(buf.array(), buf.arrayOffset(), total); // whole or not at all, as far as we can tell
                buf.position(total);
            }
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        } catch (IOException e) {
            failed = true;
            int took = buf.position();
            int whole = 0;
            int boundary = 0;
            long kept = 0;
            for (; whole < blocks && ends[whole] <= took; whole++) {
                boundary = ends[whole];
                kept += packet[whole] ? 1 : 0;
            }
            trim(fileBytes + boundary);
            fileBytes += boundary;
            packets += kept;
            long lost = bufferedPackets(whole);
            reset();
            throw new WriteFailedException(e, lost);
        }
        fileBytes += total;
        packets += bufferedPackets(0);
        reset();
    }

    private long bufferedPackets(int from) {
        long n = 0;
        for (int k = from; k < blocks; k++) {
            n += packet[k] ? 1 : 0;
        }
        return n;
    }

    private void reset() {
        buf.clear();
        blocks = 0;
    }

    /** Cuts a file back to {@code size} bytes (a block a failed write left half-written). */
    private void trim(long size) {
        if (out instanceof FileChannel) {
            try {
                FileChannel f = (FileChannel) out;
                if (f.size() > size) {
                    f.truncate(size);
                }
            } catch (IOException ignored) {
                // the disk refused even that: the file ends with a cut block, which readers report
            }
        }
    }

    /** Hands the buffered blocks to the channel and flushes an underlying stream. */
    public final void flush() throws IOException {
        drain();
        if (stream != null) {
            stream.flush();
        }
    }

    @Override
    public final void close() throws IOException {
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
