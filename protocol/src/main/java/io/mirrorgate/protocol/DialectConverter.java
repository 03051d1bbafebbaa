package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Rewrites one record from one dialect into the other, copying the wall-clock time fields as
 * they are (no zone is involved) and mapping the Wi-Fi radio fields: NCF signal %, rate (0.5
 * Mbit/s), channel, signal/noise dBm, decrypted and broken flags onto the NCFX radio header
 * (rate in 100 kbit/s) and back. NCFX band bits (2.4/5 GHz) and NCF band bits (11a/b/g/n) do not
 * map one to one: NCF 11a/11n-5GHz become 5 GHz, everything else 2.4 GHz; back again, 5 GHz
 * becomes 11a and 2.4 GHz 11g.
 */
public final class DialectConverter {
    private static final int NCF_BAND_11A = 0x01;
    private static final int NCF_BAND_11G = 0x04;
    private static final int NCF_BAND_11A_TURBO = 0x08;
    private static final int NCF_BAND_11N_5GHZ = 0x40;
    private static final int NCFX_BAND_5GHZ = 0x40;
    private static final int NCFX_BAND_2GHZ = 0x80;

    private DialectConverter() {
    }

    /** Bytes the NCFX form of the NCF record at {@code i} takes, or -1 if NCFX cannot carry it. */
    public static int ncfxLength(ByteBuf b, int i) {
        int medium = NcfHeader.medium(b, i);
        if (medium > NcfxHeader.MAX_MEDIUM || (NcfHeader.flags(b, i) & NcfHeader.FLAG_COMPRESSED) != 0) {
            return -1;
        }
        return NcfxHeader.LENGTH + (medium == Medium.WIFI ? NcfxHeader.RADIO_LENGTH : 0) + NcfHeader.dataLength(b, i);
    }

    /** Writes the NCF record at {@code i} as NCFX; the caller checked {@link #ncfxLength} first. */
    public static void ncfToNcfx(ByteBuf b, int i, ByteBuf out) {
        int dataLen = NcfHeader.dataLength(b, i);
        int flags = NcfHeader.flags(b, i);
        int medium = flags & NcfHeader.FLAG_MEDIUM_MASK;
        boolean wifi = medium == Medium.WIFI;
        out.writeIntLE(NcfxHeader.LENGTH + (wifi ? NcfxHeader.RADIO_LENGTH : 0) + dataLen);
        out.writeShortLE(b.getUnsignedShortLE(i + 5));
        out.writeBytes(b, i + 7, 5); // month, day, hours, minutes, seconds
        out.writeIntLE(b.getIntLE(i + 12));
        out.writeByte(medium);
        out.writeByte(wifi && (flags & NcfHeader.FLAG_DECRYPTED) != 0 ? 1 : 0);
        out.writeByte(wifi ? 0 : b.getUnsignedByte(i + 21));
        out.writeShortLE(0);
        if (wifi) {
            int ncfBand = b.getUnsignedByte(i + 19);
            int rate = (b.getUnsignedByte(i + 21) << 8) | b.getUnsignedByte(i + 18);
            out.writeShortLE(NcfxHeader.RADIO_LENGTH);
            out.writeShortLE((flags & NcfHeader.FLAG_BROKEN) != 0 ? NcfxHeader.STATUS_BAD_FCS : 0);
            out.writeShortLE((ncfBand & (NCF_BAND_11A | NCF_BAND_11A_TURBO | NCF_BAND_11N_5GHZ)) != 0 ? NCFX_BAND_5GHZ
                    : NCFX_BAND_2GHZ);
            out.writeShortLE(b.getUnsignedByte(i + 20));
            out.writeByte(b.getUnsignedByte(i + 23));
            out.writeByte(b.getUnsignedByte(i + 22));
            out.writeByte(b.getUnsignedByte(i + 17));
            out.writeByte(0);
            out.writeIntLE(rate * 5);
            out.writeIntLE(0);
        }
        out.writeBytes(b, i + NcfHeader.LENGTH, dataLen);
    }

    /** Bytes the NCF form of the (complete, checked) NCFX record at {@code i} takes, or -1. */
    public static int ncfLength(ByteBuf b, int i) {
        long len = NcfxHeader.dataLength(b, i);
        int radio = NcfxHeader.medium(b, i) == Medium.WIFI ? b.getUnsignedShortLE(i + NcfxHeader.LENGTH) : 0;
        long frame = len - NcfxHeader.LENGTH - radio;
        return frame > NcfHeader.MAX_DATA_LENGTH ? -1 : (int) (NcfHeader.LENGTH + frame);
    }

    /** Writes the NCFX record at {@code i} as NCF; the caller checked {@link #ncfLength} first. */
    public static void ncfxToNcf(ByteBuf b, int i, ByteBuf out) {
        int medium = NcfxHeader.medium(b, i);
        boolean wifi = medium == Medium.WIFI;
        int radio = wifi ? b.getUnsignedShortLE(i + NcfxHeader.LENGTH) : 0;
        int frame = (int) NcfxHeader.dataLength(b, i) - NcfxHeader.LENGTH - radio;
        int r = i + NcfxHeader.LENGTH;
        int flags = medium;
        if (wifi) {
            flags |= b.getUnsignedByte(i + 16) != 0 ? NcfHeader.FLAG_DECRYPTED : 0;
            flags |= (b.getUnsignedShortLE(r + 2) & NcfxHeader.STATUS_BAD_FCS) != 0 ? NcfHeader.FLAG_BROKEN : 0;
        }
        long rateHalf = wifi ? b.getUnsignedIntLE(r + 12) / 5 : 0;
        out.writeShortLE(frame);
        out.writeShortLE(frame);
        out.writeByte(0);
        out.writeShortLE(b.getUnsignedShortLE(i + 4));
        out.writeBytes(b, i + 6, 5);
        out.writeIntLE(b.getIntLE(i + 11));
        out.writeByte(flags);
        out.writeByte(wifi ? b.getUnsignedByte(r + 10) : 0);
        out.writeByte((int) (rateHalf & 0xFF));
        out.writeByte(wifi ? ((b.getUnsignedShortLE(r + 4) & NCFX_BAND_5GHZ) != 0 ? NCF_BAND_11A : NCF_BAND_11G) : 0);
        out.writeByte(wifi ? Math.min(255, b.getUnsignedShortLE(r + 6)) : 0);
        out.writeByte(wifi ? (int) ((rateHalf >> 8) & 0xFF) : b.getUnsignedByte(i + 17));
        out.writeByte(wifi ? b.getUnsignedByte(r + 9) : 0);
        out.writeByte(wifi ? b.getUnsignedByte(r + 8) : 0);
        out.writeBytes(b, i + NcfxHeader.LENGTH + radio, frame);
    }
}
