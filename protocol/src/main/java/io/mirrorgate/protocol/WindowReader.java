package io.mirrorgate.protocol;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * What the Java file readers ({@link RecordFileReader}, {@link PcapStreamReader}) share: the read
 * window over their channel, the name in messages, the size, and where in the input the next and
 * the last record are.
 */
abstract class WindowReader implements CaptureReader {
    final ReadWindow w;
    final String name;
    private final long size;
    /** Input offset of the next record. */
    long filePos;
    /** The file's (or section's) headers are little-endian (the frames themselves are network order). */
    boolean little;
    private long lastRecord = -1;

    /** {@code size} -1 asks a file channel (a stream's size is 0: unknown). */
    WindowReader(ReadableByteChannel channel, String name, long size, byte[] head, int n) throws IOException {
        this.w = new ReadWindow(channel, head, n);
        this.name = name;
        this.size = size >= 0 ? size : channel instanceof FileChannel ? ((FileChannel) channel).size() : 0;
    }

    /** The record of {@code length} bytes at {@link ReadWindow#pos} was handed out: move past it. */
    final void consumed(int length) {
        lastRecord = filePos;
        w.pos += length;
        filePos += length;
    }

    /** An unsigned 32-bit header field at {@code i} of the window, in the file's byte order. */
    final long u32(int i) {
        return little ? w.buf.getUnsignedIntLE(i) : w.buf.getUnsignedInt(i);
    }

    /** An unsigned 16-bit header field at {@code i} of the window, in the file's byte order. */
    final int u16(int i) {
        return little ? w.buf.getUnsignedShortLE(i) : w.buf.getUnsignedShort(i);
    }

    /** {@code length} bytes at {@link ReadWindow#pos} that are no record (a file's block of another kind): move past them. */
    final void skipped(int length) {
        w.pos += length;
        filePos += length;
    }

    @Override
    public long position() {
        return filePos;
    }

    @Override
    public long recordOffset() {
        return lastRecord;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        w.close();
    }
}
