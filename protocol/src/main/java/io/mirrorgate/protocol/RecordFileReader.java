package io.mirrorgate.protocol;

import java.io.IOException;
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
public final class RecordFileReader extends WindowReader {
    private final WallClock clock;
    private final Dialect dialect;

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
        super(channel, name, size, head, n);
        this.dialect = dialect;
        this.clock = new WallClock(zone);
    }

    @Override
    public CaptureFormat format() {
        return dialect == Dialect.NCF ? CaptureFormat.NCF : CaptureFormat.NCFX;
    }

    @Override
    public boolean next(PacketView v) throws IOException {
        int h = dialect.headerLength();
        if (!w.ensure(h)) {
            if (w.available() == 0) {
                return false;
            }
            throw new StreamFormatException(format().name().toLowerCase() + " record header at offset " + filePos
                    + " cut short: " + w.available() + " of " + h + " bytes", filePos);
        }
        int length = dialect.check(w.buf, w.pos, filePos);
        if (!w.ensure(length)) {
            throw new StreamFormatException(format().name().toLowerCase() + " record at offset " + filePos
                    + " declares " + length + " bytes, file ends after " + w.available(), filePos);
        }
        dialect.decode(w.buf, w.pos, filePos, clock, v);
        v.source = name;
        consumed(length);
        return true;
    }
}
