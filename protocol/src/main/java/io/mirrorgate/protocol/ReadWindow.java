package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The reusable read buffer of the file readers ({@link RecordFileReader}, {@link PcapStreamReader}):
 * a window over a channel, refilled in place, from which whole records are decoded without a copy.
 * Records are valid until the next {@link #ensure}.
 */
final class ReadWindow {
    /** Holds the largest record of any format several times over. */
    static final int SIZE = 1 << 20;

    final byte[] array = new byte[SIZE];
    /** Big-endian view of {@link #array} (frames are in network order). */
    final ByteBuf buf = Unpooled.wrappedBuffer(array);
    private final ByteBuffer nio = ByteBuffer.wrap(array);
    private final ReadableByteChannel channel;
    /** Where the next record starts in {@link #array}, and where the bytes read end. */
    int pos;
    int limit;
    private boolean eof;

    /** A window over {@code channel} whose first {@code n} bytes, {@code head}, were already taken from it. */
    ReadWindow(ReadableByteChannel channel, byte[] head, int n) {
        this.channel = channel;
        if (n > 0) {
            System.arraycopy(head, 0, array, 0, n);
            limit = n;
        }
    }

    /** Reads until {@code n} bytes from {@link #pos} are in the window, or the channel ends; true if they are. */
    boolean ensure(int n) throws IOException {
        while (limit - pos < n && !eof) {
            if (pos > 0) {
                System.arraycopy(array, pos, array, 0, limit - pos);
                limit -= pos;
                pos = 0;
            }
            nio.limit(array.length).position(limit);
            int r = channel.read(nio);
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }
        return limit - pos >= n;
    }

    /** Bytes in the window from {@link #pos}. */
    int available() {
        return limit - pos;
    }

    void close() throws IOException {
        channel.close();
    }
}
