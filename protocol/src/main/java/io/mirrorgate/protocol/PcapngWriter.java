package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes a pcapng stream (one little-endian section) to a file channel or any
 * {@link OutputStream}: a Section Header Block naming the application, an Interface Description
 * Block per interface the caller adds ({@code if_name}, {@code if_description},
 * {@code if_tsresol} 6: µs), and each packet as an Enhanced Packet Block with 64-bit µs
 * timestamps (no 2038 or 2106 limit) and, where the direction is known, {@code epb_flags}
 * inbound/outbound. Interfaces of any link types share the file. Whole blocks only reach the
 * channel ({@link CaptureWriter}), so a file read after a SIGKILL ends at its last whole block.
 */
public final class PcapngWriter extends CaptureWriter {
    static final int SHB = 0x0A0D0D0A;
    static final int IDB = 1;
    static final int EPB = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int OPT_END = 0;
    static final int OPT_SHB_USERAPPL = 4;
    static final int OPT_IF_NAME = 2;
    static final int OPT_IF_DESCRIPTION = 3;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_EPB_FLAGS = 2;
    /** EPB without its data: type, length, interface, two timestamp words, two lengths, trailing length. */
    private static final int EPB_FIXED = 32;
    /** epb_flags (4 + 4) and opt_endofopt (4). */
    private static final int EPB_FLAGS_OPTIONS = 12;
    /** Bytes an option string is cut to: names and descriptions stay short. */
    private static final int MAX_OPTION_STRING = 1024;
    private static final int BUFFER = EPB_FIXED + SNAPLEN + EPB_FLAGS_OPTIONS + 4 * (MAX_OPTION_STRING + 64);

    private final int headerSize;
    private int interfaces;

    /** A writer on a stream ({@code -w -}); the section header goes out with the first drain. */
    public PcapngWriter(OutputStream out, String application) {
        this(null, out, application);
    }

    /** A writer on a file: the section header is written at once, so no file exists without it. */
    public PcapngWriter(WritableByteChannel out, String application) throws IOException {
        this(out, null, application);
        drain();
    }

    private PcapngWriter(WritableByteChannel out, OutputStream stream, String application) {
        super(out, stream, BUFFER);
        int start = buf.position();
        buf.putInt(SHB).putInt(0).putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0).putLong(-1L);
        putStringOption(OPT_SHB_USERAPPL, application);
        buf.putShort((short) OPT_END).putShort((short) 0);
        closeBlock(start);
        endBlock(false);
        headerSize = buf.position() - start;
    }

    /** True for a file name that asks for pcapng: it ends in {@code .pcapng}, as tcpdump and tshark take it. */
    public static boolean named(String file) {
        return file != null && file.toLowerCase(java.util.Locale.ROOT).endsWith(".pcapng");
    }

    /** Bytes of the section header this writer wrote. */
    public int headerSize() {
        return headerSize;
    }

    /** Interfaces described so far; the next one gets this id. */
    public int interfaces() {
        return interfaces;
    }

    /** Bytes an Interface Description Block with these strings takes. */
    public static int interfaceSize(String name, String description) {
        return 32 + optionSize(name) + optionSize(description);
    }

    /** Bytes an Enhanced Packet Block of {@code length} captured bytes with this direction takes. */
    public static int recordSize(int length, int direction) {
        return EPB_FIXED + pad(Math.min(length, SNAPLEN)) + (flags(direction) != 0 ? EPB_FLAGS_OPTIONS : 0);
    }

    /** epb_flags' direction bits for an NCF direction: 1 inbound, 2 outbound, 0 not known. */
    private static int flags(int direction) {
        return direction == RecordDirection.INBOUND ? 1 : direction == RecordDirection.OUTBOUND ? 2 : 0;
    }

    /**
     * Describes an interface (an Interface Description Block, buffered like a packet) and returns
     * its id for {@link #write}. {@code name} or {@code description} may be null.
     */
    public int addInterface(int linkType, String name, String description) throws IOException {
        room(interfaceSize(name, description));
        int start = buf.position();
        buf.putInt(IDB).putInt(0).putShort((short) LinkType.forFile(linkType)).putShort((short) 0).putInt(SNAPLEN);
        putStringOption(OPT_IF_NAME, name);
        putStringOption(OPT_IF_DESCRIPTION, description);
        buf.putShort((short) OPT_IF_TSRESOL).putShort((short) 1).put((byte) 6).put((byte) 0).putShort((short) 0);
        buf.putShort((short) OPT_END).putShort((short) 0);
        closeBlock(start);
        endBlock(false);
        return interfaces++;
    }

    /**
     * Buffers one packet of interface {@code iface}: the frame of {@code length} bytes at
     * {@code offset} of {@code b} (cut at {@link #SNAPLEN}), with the NCF {@code direction}
     * ({@link RecordDirection}; any other value writes no flags).
     */
    public void write(int iface, long timestampMicros, ByteBuf b, int offset, int length, int originalLength,
                      int direction) throws IOException {
        int caplen = Math.min(length, SNAPLEN);
        int flags = flags(direction);
        room(recordSize(caplen, direction));
        int start = buf.position();
        long ts = Math.max(0, timestampMicros);
        buf.putInt(EPB).putInt(0).putInt(iface).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(caplen)
                .putInt(Math.max(length, originalLength));
        putFrame(b, offset, caplen);
        for (int p = caplen; p < pad(caplen); p++) {
            buf.put((byte) 0);
        }
        if (flags != 0) {
            buf.putShort((short) OPT_EPB_FLAGS).putShort((short) 4).putInt(flags);
            buf.putShort((short) OPT_END).putShort((short) 0);
        }
        closeBlock(start);
        endBlock(true);
    }

    /** Writes the block's total length into its second word and after its body. */
    private void closeBlock(int start) {
        int length = buf.position() - start + 4;
        buf.putInt(start + 4, length);
        buf.putInt(length);
    }

    private void putStringOption(int code, String value) {
        if (value == null) {
            return;
        }
        byte[] v = bytes(value);
        buf.putShort((short) code).putShort((short) v.length).put(v);
        for (int p = v.length; p < pad(v.length); p++) {
            buf.put((byte) 0);
        }
    }

    private static int optionSize(String value) {
        return value == null ? 0 : 4 + pad(bytes(value).length);
    }

    private static byte[] bytes(String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return v.length <= MAX_OPTION_STRING ? v : java.util.Arrays.copyOf(v, MAX_OPTION_STRING);
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }
}
