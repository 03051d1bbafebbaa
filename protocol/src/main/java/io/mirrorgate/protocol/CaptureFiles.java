package io.mirrorgate.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;

/** Opens a capture file of any format {@code read} accepts, recognised by content. */
public final class CaptureFiles {
    private CaptureFiles() {
    }

    /**
     * Opens {@code path}. The zone turns NCF/NCFX wall-clock times into epoch time.
     *
     * @throws java.nio.file.NoSuchFileException, java.nio.file.AccessDeniedException and other
     *                                            IOExceptions when the file cannot be opened
     * @throws StreamFormatException              when the content is no known format
     */
    public static CaptureReader open(Path path, ZoneId zone) throws IOException {
        byte[] head = new byte[CaptureFormat.DETECT_LENGTH];
        int n = 0;
        try (InputStream in = Files.newInputStream(path)) {
            int r;
            while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) {
                n += r;
            }
        }
        CaptureFormat f = CaptureFormat.detect(head, n);
        if (f == null) {
            String why = n < NcfHeader.LENGTH ? "only " + n + " bytes"
                    : "as NCF: " + Dialect.whyNotNcf(io.netty.buffer.Unpooled.wrappedBuffer(head, 0, n), 0, n);
            throw new StreamFormatException("not a pcap, pcapng, NCF or NCFX file (" + why + ")", 0);
        }
        switch (f) {
            case NCF:
                return new NcfFileReader(path, zone);
            case NCFX:
                return new NcfxFileReader(path, zone);
            default:
                return new PcapFileReader(path, f);
        }
    }
}
