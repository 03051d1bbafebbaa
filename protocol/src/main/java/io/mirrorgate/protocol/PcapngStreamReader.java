package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads pcapng in Java through one reusable buffer, from a file or a stream (standard input, a
 * pipe) alike: sections in either byte order, one after another; every interface with its own
 * link type (Ethernet, 802.11 and Token Ring in one file, as {@code serve -w FILE.pcapng} writes
 * them), {@code if_tsresol} (decimal or binary) and {@code if_tsoffset}; Enhanced, Simple and
 * obsolete Packet Blocks, with {@code epb_flags}' direction; every other block skipped. A record's
 * {@link PacketView#source()} is its interface's {@code if_name}, or the file's name when the
 * interface has none. Damage is reported with the block's offset: a block cut short ("truncated
 * dump file"), a length that is no multiple of 4 or does not match its trailing copy, a packet
 * that names an interface not described, a captured length the block cannot hold.
 */
public final class PcapngStreamReader extends WindowReader {
    static final int SPB = 3;
    static final int OPB = 2;
    static final int OPT_IF_TSOFFSET = 14;
    /** libpcap's largest block (MAX_BLOCKSIZE_MAX); a packet block must also fit the read window. */
    static final int MAX_BLOCK = 16 << 20;
    /** Interfaces one section may describe: a bound on what a hostile file makes us keep. */
    static final int MAX_INTERFACES = 65_536;
    /** Bytes of an if_name kept; the rest is left out. */
    static final int MAX_NAME = 256;

    private static final class Interface {
        final int linkType;
        final int medium;
        final long snaplen;
        final String name;
        /** Timestamp units: 10^exponent per second, or 2^exponent when {@code binary}. */
        final int exponent;
        final boolean binary;
        final long offsetMicros;

        Interface(int linkType, long snaplen, String name, int exponent, boolean binary, long offsetMicros) {
            this.linkType = linkType;
            this.medium = Medium.ofLinkType(linkType);
            this.snaplen = snaplen;
            this.name = name;
            this.exponent = exponent;
            this.binary = binary;
            this.offsetMicros = offsetMicros;
        }

        long micros(long ts) {
            long us;
            if (binary) {
                int p = exponent;
                long frac = p == 0 ? 0 : ts & ((1L << p) - 1);
                if (p > 44) { // keep frac × 10^6 inside 64 bits; what is dropped is below a µs
                    frac >>>= p - 44;
                }
                us = (ts >>> p) * 1_000_000L + ((frac * 1_000_000L) >>> Math.min(p, 44));
            } else if (exponent <= 6) {
                us = ts * POW10[6 - exponent];
            } else {
                us = Long.divideUnsigned(ts, POW10[exponent - 6]);
            }
            return us + offsetMicros;
        }
    }

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int k = 1; k < POW10.length; k++) {
            POW10[k] = POW10[k - 1] * 10;
        }
    }

    private final ByteBuf buf;
    private Interface[] interfaces = new Interface[4];
    private int interfaceCount;
    private long blocks;

    /** Reads the pcapng file at {@code path}. */
    public PcapngStreamReader(Path path) throws IOException {
        this(FileChannel.open(path, StandardOpenOption.READ), path.toString(), -1, null, 0);
    }

    /**
     * Reads {@code channel} (a pipe, standard input) whose first {@code n} bytes, {@code head},
     * were already taken from it to recognise the format; {@code size} -1 asks a file channel.
     */
    PcapngStreamReader(ReadableByteChannel channel, String name, long size, byte[] head, int n) throws IOException {
        super(channel, name, size, head, n);
        this.buf = w.buf;
        try {
            if (!w.ensure(12) || buf.getInt(0) != PcapngWriter.SHB) {
                throw new StreamFormatException("pcapng header: truncated dump file; tried to read 12 section header "
                        + "bytes, only got " + w.available() + " at offset 0", 0);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public CaptureFormat format() {
        return CaptureFormat.PCAPNG;
    }

    private StreamFormatException damage(String why) {
        return new StreamFormatException("pcapng block " + (blocks + 1) + " at offset " + filePos + ": " + why, filePos);
    }

    @Override
    public boolean next(PacketView v) throws IOException {
        while (true) {
            if (!w.ensure(8)) {
                if (w.available() == 0) {
                    return false;
                }
                throw damage("truncated dump file; tried to read 8 block header bytes, only got " + w.available());
            }
            int type = buf.getInt(w.pos); // the section header's type reads the same in both orders
            if (type == PcapngWriter.SHB) {
                if (!w.ensure(12)) {
                    throw damage("truncated dump file; tried to read 12 section header bytes, only got " + w.available());
                }
                int magic = buf.getInt(w.pos + 8);
                if (magic == PcapngWriter.BYTE_ORDER_MAGIC) {
                    little = false;
                } else if (Integer.reverseBytes(magic) == PcapngWriter.BYTE_ORDER_MAGIC) {
                    little = true;
                } else {
                    throw damage(String.format("section header with an unknown byte-order magic 0x%08x", magic));
                }
            } else {
                type = (int) u32(w.pos);
            }
            long length = u32(w.pos + 4);
            if (length < 12) {
                throw damage("block length " + length + " is less than the minimum of 12");
            }
            if (length % 4 != 0) {
                throw damage("block length " + length + " is not a multiple of 4");
            }
            if (length > MAX_BLOCK) {
                throw damage("block length " + length + " is larger than the maximum of " + MAX_BLOCK);
            }
            int len = (int) length;
            boolean packet = type == PcapngWriter.EPB || type == SPB || type == OPB;
            if (!packet && type != PcapngWriter.SHB && type != PcapngWriter.IDB) {
                skip(len);
                continue;
            }
            if (len > ReadWindow.SIZE) {
                throw damage("a block of type " + type + " of " + len + " bytes is larger than the maximum of "
                        + ReadWindow.SIZE);
            }
            if (!w.ensure(len)) {
                throw damage("truncated dump file; tried to read " + len + " block bytes, only got " + w.available());
            }
            int pos = w.pos;
            if (u32(pos + len - 4) != length) {
                throw damage("block length " + length + " does not match the trailing length " + u32(pos + len - 4));
            }
            if (type == PcapngWriter.SHB) {
                section(pos, len);
            } else if (type == PcapngWriter.IDB) {
                describe(pos, len);
            } else if (packet(pos, len, type, v)) {
                consumed(len);
                blocks++;
                return true;
            }
            skipped(len);
            blocks++;
        }
    }

    private void section(int pos, int len) {
        if (len < 28) {
            throw damage("section header block of " + len + " bytes is shorter than 28");
        }
        int major = u16(pos + 12);
        if (major != 1) {
            throw damage("unsupported pcapng savefile version " + major + "." + u16(pos + 14));
        }
        interfaceCount = 0; // a new section describes its own interfaces
    }

    private void describe(int pos, int len) {
        if (len < 20) {
            throw damage("interface description block of " + len + " bytes is shorter than 20");
        }
        if (interfaceCount == MAX_INTERFACES) {
            throw damage("more than " + MAX_INTERFACES + " interfaces in one section");
        }
        int linkType = u16(pos + 8);
        long snaplen = u32(pos + 12);
        String ifName = null;
        int exponent = 6;
        boolean binary = false;
        long offset = 0;
        int end = pos + len - 4;
        for (int o = pos + 16; o + 4 <= end; ) {
            int code = u16(o);
            int olen = u16(o + 2);
            if (code == PcapngWriter.OPT_END) {
                break;
            }
            if (o + 4 + olen > end) {
                throw damage("option " + code + " of " + olen + " bytes runs past the end of its block");
            }
            if (code == PcapngWriter.OPT_IF_NAME && olen > 0) {
                // cut: 65,536 interfaces of 64 KiB names would hold 4 GiB
                ifName = buf.toString(o + 4, Math.min(olen, MAX_NAME), StandardCharsets.UTF_8);
            } else if (code == PcapngWriter.OPT_IF_TSRESOL && olen >= 1) {
                int r = buf.getUnsignedByte(o + 4);
                binary = (r & 0x80) != 0;
                exponent = r & 0x7F;
                if (binary ? exponent > 63 : exponent > 18) {
                    throw damage("if_tsresol " + r + " is beyond what a 64-bit timestamp can hold");
                }
            } else if (code == OPT_IF_TSOFFSET && olen == 8) {
                long s = little ? buf.getLongLE(o + 4) : buf.getLong(o + 4);
                if (Math.abs(s) > Long.MAX_VALUE / 4_000_000L) {
                    throw damage("if_tsoffset " + s + " s is beyond what a 64-bit µs time can hold");
                }
                offset = s * 1_000_000L;
            }
            o += 4 + ((olen + 3) & ~3);
        }
        if (interfaceCount == interfaces.length) {
            interfaces = java.util.Arrays.copyOf(interfaces, interfaceCount * 2);
        }
        interfaces[interfaceCount++] = new Interface(linkType, snaplen, ifName == null ? name : ifName, exponent,
                binary, offset);
    }

    /** Fills {@code v} from the packet block at {@code pos}; false for a block that carries no packet. */
    private boolean packet(int pos, int len, int type, PacketView v) {
        int fixed = type == SPB ? 16 : 32;
        if (len < fixed) {
            throw damage("packet block of " + len + " bytes is shorter than " + fixed);
        }
        int iface = type == SPB ? 0 : type == OPB ? u16(pos + 8) : (int) Math.min(Integer.MAX_VALUE, u32(pos + 8));
        if (iface >= interfaceCount) {
            throw damage("a packet of interface " + iface + ", but " + (interfaceCount == 0 ? "no interface is"
                    : "only " + interfaceCount + (interfaceCount == 1 ? " is" : " are")) + " described");
        }
        Interface i = interfaces[iface];
        int room = len - fixed;
        long caplen;
        long origlen;
        long ts = 0;
        int data;
        if (type == SPB) {
            origlen = u32(pos + 8);
            caplen = Math.min(origlen, room);
            if (i.snaplen > 0) {
                caplen = Math.min(caplen, i.snaplen);
            }
            data = pos + 12;
        } else {
            ts = (u32(pos + 12) << 32) | u32(pos + 16);
            caplen = u32(pos + 20);
            origlen = u32(pos + 24);
            data = pos + 28;
            if (caplen > room) {
                throw damage("captured length " + caplen + " is larger than the " + room + " bytes its block holds");
            }
        }
        int cap = (int) caplen;
        v.startRecord(type == SPB ? 0 : i.micros(ts), cap, (int) Math.min(Integer.MAX_VALUE, Math.max(origlen, caplen)),
                i.medium);
        if (type != SPB) {
            v.direction = direction(data + ((cap + 3) & ~3), pos + len - 4);
        }
        v.source = i.name;
        IpDecoder.decode(buf, data, cap, i.linkType, v);
        return true;
    }

    /** The NCF direction that an epb_flags option among the options from {@code o} to {@code end} names, or -1. */
    private int direction(int o, int end) {
        while (o + 4 <= end) {
            int code = u16(o);
            int olen = u16(o + 2);
            if (code == PcapngWriter.OPT_END || o + 4 + olen > end) {
                return -1;
            }
            if (code == PcapngWriter.OPT_EPB_FLAGS && olen == 4) {
                switch ((int) (u32(o + 4) & 3)) {
                    case 1: return RecordDirection.INBOUND;
                    case 2: return RecordDirection.OUTBOUND;
                    default: return -1;
                }
            }
            o += 4 + ((olen + 3) & ~3);
        }
        return -1;
    }

    /** Moves past a block of {@code length} bytes that carries nothing we read, however large. */
    private void skip(int length) throws IOException {
        long start = filePos;
        int left = length;
        while (left > 0) {
            if (!w.ensure(Math.min(left, ReadWindow.SIZE))) {
                if (w.available() < left) {
                    filePos = start;
                    throw damage("truncated dump file; tried to read " + length + " block bytes, only got "
                            + (length - left + w.available()));
                }
            }
            int n = Math.min(left, w.available());
            skipped(n);
            left -= n;
        }
        blocks++;
    }
}
