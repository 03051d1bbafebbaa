package io.mirrorgate.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.StandardOpenOption;
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
        if (!Files.isRegularFile(path) && Files.exists(path)) {
            // a FIFO, /dev/stdin, <(...): it can be read once, so the format is sniffed in passing
            return open(FileChannel.open(path, StandardOpenOption.READ), path.toString(), zone);
        }
        byte[] head = new byte[CaptureFormat.DETECT_LENGTH];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = fill(Channels.newChannel(in), head);
        }
        CaptureFormat f = detect(head, n);
        switch (f) {
            case NCF:
                return new RecordFileReader(path, Dialect.NCF, zone);
            case NCFX:
                return new RecordFileReader(path, Dialect.NCFX, zone);
            case PCAP:
                return new PcapStreamReader(path);
            default:
                return new PcapngStreamReader(path);
        }
    }

    /**
     * Reads a capture from a stream that can be read only once (standard input for {@code read -},
     * a pipe), named {@code name} in messages: NCF, NCFX, pcap or pcapng, recognised from its first
     * bytes, which are handed on to the reader, not lost. Closing the reader closes the stream.
     */
    public static CaptureReader open(ReadableByteChannel in, String name, ZoneId zone) throws IOException {
        byte[] head = new byte[CaptureFormat.DETECT_LENGTH];
        int n;
        CaptureFormat f;
        try {
            n = fill(in, head);
            f = detect(head, n);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        switch (f) {
            case NCF:
                return new RecordFileReader(in, name, 0, head, n, Dialect.NCF, zone);
            case NCFX:
                return new RecordFileReader(in, name, 0, head, n, Dialect.NCFX, zone);
            case PCAP:
                return new PcapStreamReader(in, name, 0, head, n);
            default:
                return new PcapngStreamReader(in, name, 0, head, n);
        }
    }

    /** Reads up to {@code head.length} bytes (fewer only at the end of the input); returns how many. */
    private static int fill(ReadableByteChannel in, byte[] head) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head);
        while (b.hasRemaining() && in.read(b) >= 0) {
            // a pipe hands over what it has; wait for the rest of the head
        }
        return b.position();
    }

    private static CaptureFormat detect(byte[] head, int n) {
        CaptureFormat f = CaptureFormat.detect(head, n);
        if (f == null) {
            String why = n < NcfHeader.LENGTH ? "only " + n + " bytes"
                    : "as NCF: " + Dialect.whyNotNcf(io.netty.buffer.Unpooled.wrappedBuffer(head, 0, n), 0, n);
            throw new StreamFormatException("not a pcap, pcapng, NCF or NCFX file (" + why + ")", 0);
        }
        return f;
    }
}
