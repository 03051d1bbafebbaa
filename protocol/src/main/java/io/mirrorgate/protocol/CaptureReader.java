package io.mirrorgate.protocol;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads a capture file record by record into a reusable {@link PacketView}, decoding each with
 * {@link IpDecoder} (IPMonitor's ParsePcapFile). The view points into the reader's buffer and is
 * valid until the next call.
 */
public interface CaptureReader extends Closeable {
    /**
     * Reads and decodes the next record.
     *
     * @return false at the clean end of the file
     * @throws StreamFormatException at damage (a broken header, a truncated record); every record
     *                               before it was returned
     * @throws IOException           when the file cannot be read
     */
    boolean next(PacketView view) throws IOException;

    CaptureFormat format();

    /** Byte offset of the next record (approximate for files libpcap reads). */
    long position();

    /** File size in bytes, for progress reporting. */
    long size();

    /** Offset of the last returned record's first byte in the file (-1 if not known). */
    long recordOffset();
}
