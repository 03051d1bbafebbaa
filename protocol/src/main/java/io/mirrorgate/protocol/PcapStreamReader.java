package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads classic pcap (µs or ns timestamps, either byte order) in Java through one reusable
 * buffer: no native call and no object per packet, from a file or from a stream (standard input,
 * a pipe) alike. libpcap's checks and wording for damage: a record header or data cut short
 * ("truncated dump file"), a captured length over 262,144 bytes or over the file's snapshot length
 * when that is larger. Record seconds are unsigned (valid to 2106). pcapng stays with libpcap
 * ({@link PcapFileReader}).
 */
public final class PcapStreamReader extends WindowReader {
    static final int FILE_HEADER = 24;
    static final int RECORD_HEADER = 16;
    /** libpcap's MAXIMUM_SNAPLEN: a larger captured length is taken for damage. */
    static final int MAX_CAPLEN = 262_144;
    private final ByteBuf buf;
    private final int linkType;
    private final int medium;
    private final boolean nanos;
    private final int maxCaplen;
    private long records;

    /** Reads the pcap file at {@code path}. */
    public PcapStreamReader(Path path) throws IOException {
        this(FileChannel.open(path, StandardOpenOption.READ), path.toString(), -1, null, 0);
    }

    /**
     * Reads {@code channel} (a pipe, standard input) whose first {@code n} bytes, {@code head},
     * were already taken from it to recognise the format; {@code size} -1 asks a file channel.
     */
    PcapStreamReader(ReadableByteChannel channel, String name, long size, byte[] head, int n) throws IOException {
        super(channel, name, size, head, n);
        this.buf = w.buf;
        try {
            if (!w.ensure(FILE_HEADER)) {
                throw new StreamFormatException("pcap header: truncated dump file; tried to read " + FILE_HEADER
                        + " file header bytes, only got " + w.available() + " at offset 0", 0);
            }
            int magic = buf.getInt(0);
            switch (magic) {
                case 0xA1B2C3D4: little = false; nanos = false; break;
                case 0xA1B23C4D: little = false; nanos = true; break;
                case 0xD4C3B2A1: little = true; nanos = false; break;
                case 0x4D3CB2A1: little = true; nanos = true; break;
                default:
                    throw new StreamFormatException("pcap header: bad dump file format at offset 0", 0);
            }
            int major = u16(4);
            if (major != 2) {
                throw new StreamFormatException("pcap header: archaic pcap savefile format " + major + " at offset 4", 4);
            }
            long snaplen = u32(16);
            this.maxCaplen = (int) Math.max(MAX_CAPLEN, Math.min(snaplen, ReadWindow.SIZE - RECORD_HEADER));
            this.linkType = (int) (u32(20) & 0x03FFFFFF); // the upper bits say FCS, not the type
            this.medium = Medium.ofLinkType(linkType);
            w.pos = FILE_HEADER;
            filePos = FILE_HEADER;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The file's link type (LINKTYPE_ value). */
    public int linkType() {
        return linkType;
    }

    @Override
    public CaptureFormat format() {
        return CaptureFormat.PCAP;
    }

    private StreamFormatException damage(String why) {
        return new StreamFormatException("pcap record " + (records + 1) + " at offset " + filePos + ": " + why, filePos);
    }

    @Override
    public boolean next(PacketView v) throws IOException {
        if (!w.ensure(RECORD_HEADER)) {
            if (w.available() == 0) {
                return false;
            }
            throw damage("truncated dump file; tried to read " + RECORD_HEADER + " header bytes, only got " + w.available());
        }
        int pos = w.pos;
        long seconds = u32(pos);
        long fraction = u32(pos + 4);
        long caplen = u32(pos + 8);
        long origlen = u32(pos + 12);
        if (caplen > maxCaplen) {
            throw damage("invalid packet capture length " + caplen + ", bigger than maximum of " + maxCaplen);
        }
        int cap = (int) caplen;
        if (!w.ensure(RECORD_HEADER + cap)) {
            throw damage("truncated dump file; tried to read " + cap + " captured bytes, only got "
                    + (w.available() - RECORD_HEADER));
        }
        pos = w.pos; // the window may have moved the record to its start
        long micros = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
        v.startRecord(micros, cap, (int) Math.min(Integer.MAX_VALUE, origlen), medium);
        v.source = name;
        IpDecoder.decode(buf, pos + RECORD_HEADER, cap, linkType, v);
        consumed(RECORD_HEADER + cap);
        records++;
        return true;
    }
}
