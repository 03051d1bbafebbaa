package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;

/** Reads a CommView NCF file (records back to back, no file header). */
public final class NcfFileReader extends RecordFileReader {
    public NcfFileReader(Path path, ZoneId zone) throws IOException {
        super(path, zone);
    }

    /** Reads a stream whose first {@code n} bytes ({@code head}) were already taken from it. */
    NcfFileReader(java.nio.channels.ReadableByteChannel in, String name, byte[] head, int n, ZoneId zone) throws IOException {
        super(in, name, 0, head, n, zone);
    }

    @Override
    public CaptureFormat format() {
        return CaptureFormat.NCF;
    }

    @Override
    int headerLength() {
        return NcfHeader.LENGTH;
    }

    @Override
    int check(ByteBuf b, int i, long offset) {
        return NcfHeader.check(b, i, offset);
    }

    @Override
    void decodeRecord(ByteBuf b, int i, int length, long offset, PacketView v) {
        NcfRecords.decode(b, i, clock, v);
    }
}
