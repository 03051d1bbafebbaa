package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;

/**
 * Reads a CommView NCF file or a CommView for WiFi NCFX file (records back to back, no file
 * header) through one reusable buffer, with the same header checks and record parsing as the
 * stream framer ({@link Dialect}).
 */
public final class RecordFileReader implements CaptureReader {
    /** Read window; holds the largest record of either format several times over. */
    private static final int WINDOW = 1 << 20;

    private final ReadableByteChannel channel;
    private final String name;
    private final long size;
    private final byte[] array = new byte[WINDOW];
    private final ByteBuf buf = Unpooled.wrappedBuffer(array);
    private final ByteBuffer nio = ByteBuffer.wrap(array);
    private final WallClock clock;
    private final Dialect dialect;
    private int pos;
    private int limit;
    private long filePos;
    private long lastRecord = -1;
    private boolean eof;

    /** Reads the {@code dialect} file at {@code path}, its wall-clock times in {@code zone}. */
    public RecordFileReader(Path path, Dialect dialect, ZoneId zone) throws IOException {
        this(FileChannel.open(path, StandardOpenOption.READ), path.toString(), -1, null, 0, dialect, zone);
    }

    /**
     * Reads {@code channel} (a pipe, standard input) whose first {@code n} bytes, {@code head},
     * were already taken from it to recognise the format; {@code size} -1 asks a file channel.
     */
    RecordFileReader(ReadableByteChannel channel, String name, long size, byte[] head, int n, Dialect dialect, ZoneId zone)
            throws IOException {
        this.dialect = dialect;
        this.channel = channel;
        this.name = name;
        this.size = size >= 0 ? size : channel instanceof FileChannel ? ((FileChannel) channel).size() : 0;
        this.clock = new WallClock(zone);
        if (n > 0) {
            System.arraycopy(head, 0, array, 0, n);
            limit = n;
        }
    }

    @Override
    public CaptureFormat format() {
        return dialect == Dialect.NCF ? CaptureFormat.NCF : CaptureFormat.NCFX;
    }

    private boolean ensure(int n) throws IOException {
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

    @Override
    public boolean next(PacketView v) throws IOException {
        int h = dialect.headerLength();
        if (!ensure(h)) {
            if (limit == pos) {
                return false;
            }
            throw new StreamFormatException(format().name().toLowerCase() + " record header at offset " + filePos
                    + " cut short: " + (limit - pos) + " of " + h + " bytes", filePos);
        }
        int length = dialect.check(buf, pos, filePos);
        if (!ensure(length)) {
            throw new StreamFormatException(format().name().toLowerCase() + " record at offset " + filePos
                    + " declares " + length + " bytes, file ends after " + (limit - pos), filePos);
        }
        dialect.decode(buf, pos, filePos, clock, v);
        v.source = name;
        lastRecord = filePos;
        pos += length;
        filePos += length;
        return true;
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
        channel.close();
    }
}
