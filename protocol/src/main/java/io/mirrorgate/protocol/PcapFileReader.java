package io.mirrorgate.protocol;

import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Reads pcap (µs and ns, either byte order) and pcapng files through libpcap
 * ({@code pcap_open_offline_with_tstamp_precision} via pcap4j), handing raw frames to the shared
 * decoder with the file's link type. Offsets are exact for pcap; for pcapng they are counted as if
 * pcap (libpcap does not expose block offsets) and the message names the record number instead.
 */
public final class PcapFileReader implements CaptureReader {
    private static final int PCAP_FILE_HEADER = 24;
    private static final int PCAP_RECORD_HEADER = 16;

    private final PcapHandle handle;
    private final String name;
    private final CaptureFormat format;
    private final int linkType;
    private final long size;
    private long position;
    private long lastRecord = -1;
    private long records;

    public PcapFileReader(Path path, CaptureFormat format) throws IOException {
        Libpcap.require();
        this.name = path.toString();
        this.format = format;
        this.size = Files.size(path);
        try {
            this.handle = Pcaps.openOffline(name, PcapHandle.TimestampPrecision.NANO);
        } catch (PcapNativeException e) {
            throw new StreamFormatException(format.name().toLowerCase() + " header: " + e.getMessage() + " at offset 0", 0);
        }
        this.linkType = handle.getDlt().value();
        this.position = format == CaptureFormat.PCAP ? PCAP_FILE_HEADER : 0;
    }

    /** The file's link type as libpcap reports it. */
    public int linkType() {
        return linkType;
    }

    @Override
    public boolean next(PacketView v) throws IOException {
        byte[] data;
        try {
            data = handle.getNextRawPacketEx();
        } catch (EOFException e) {
            return false;
        } catch (PcapNativeException e) {
            String where = format == CaptureFormat.PCAP ? "at offset " + position : "after record " + records;
            throw new StreamFormatException(format.name().toLowerCase() + " record " + (records + 1) + " " + where
                    + ": " + e.getMessage(), position);
        } catch (NotOpenException | java.util.concurrent.TimeoutException e) {
            throw new IOException(e.getMessage(), e);
        }
        Timestamp ts = handle.getTimestamp();
        long seconds = Math.floorDiv(ts.getTime(), 1000L);
        if (format == CaptureFormat.PCAP && seconds < 0 && seconds >= Integer.MIN_VALUE) {
            // a pcap record's seconds are unsigned 32-bit (valid to 2106); libpcap's reader
            // sign-extends them, so 2038-01-19T03:14:08Z and later would read as 1901..1970
            seconds += 1L << 32;
        }
        long micros = seconds * 1_000_000L + ts.getNanos() / 1000;
        Integer orig = handle.getOriginalLength();
        v.startRecord(micros, data.length, orig == null ? data.length : orig, Medium.ofLinkType(linkType));
        v.source = name;
        IpDecoder.decode(Unpooled.wrappedBuffer(data), 0, data.length, linkType, v);
        lastRecord = position;
        position += PCAP_RECORD_HEADER + data.length;
        records++;
        return true;
    }

    @Override
    public CaptureFormat format() {
        return format;
    }

    @Override
    public long position() {
        return Files.isRegularFile(Path.of(name)) ? Math.min(position, size) : position;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long recordOffset() {
        return format == CaptureFormat.PCAP ? lastRecord : -1;
    }

    @Override
    public void close() {
        handle.close();
    }
}
