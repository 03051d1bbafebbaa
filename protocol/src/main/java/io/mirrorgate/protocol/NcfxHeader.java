package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The 20-byte little-endian header of a CommView for WiFi NCFX record, and the 20-byte radio
 * header (plus extensions) that precedes an 802.11 frame (SPEC section 2). {@code data_len}
 * counts the whole record, its own header included.
 *
 * <pre>
 *  0 u32 data_len   4 u16 year  6 month  7 day  8 hours  9 minutes  10 seconds  11 u32 usecs
 * 15 medium  16 decryption flag  17 direction  18 u16 reserved
 * radio: 0 u16 header_len  2 u16 status  4 u16 band  6 u16 channel  8 noise  9 signal  10 signal %
 *        11 reserved  12 u32 phy_rate (100 kbit/s)  16 u32 extensions_present  [20 MCS: index,
 *        streams, width, guard interval]
 * </pre>
 */
public final class NcfxHeader {
    public static final int LENGTH = 20;
    public static final int RADIO_LENGTH = 20;
    /** Extension bit 0: a 4-byte MCS header follows the radio header. */
    public static final int EXT_MCS = 0x1;
    public static final int MCS_LENGTH = 4;
    /**
     * Cap on data_len. The format allows a u32, but a record carries one frame: the largest any
     * medium carries (65535) plus both headers and room for radio header extensions. More than
     * this is a broken stream, not a big packet.
     */
    public static final int MAX_RECORD_LENGTH = LENGTH + 0x10000 + 0x1000;

    public static final int STATUS_BAD_FCS = 0x01;
    public static final int STATUS_HT = 0x02;
    public static final int STATUS_VHT = 0x04;
    public static final int STATUS_HE = 0x08;
    public static final int MAX_MEDIUM = Medium.WIFI;

    private NcfxHeader() {
    }

    public static long dataLength(ByteBuf b, int i) {
        return b.getUnsignedIntLE(i);
    }

    /** Bytes of the radio header of the checked record at {@code i}: 0 unless Wi-Fi. */
    public static int radioLength(ByteBuf b, int i) {
        return medium(b, i) == Medium.WIFI ? b.getUnsignedShortLE(i + LENGTH) : 0;
    }

    public static int medium(ByteBuf b, int i) {
        return b.getUnsignedByte(i + 15);
    }

    /**
     * Checks the record header at {@code i} and returns the record's length. The radio header of a
     * Wi-Fi record is checked by {@link #checkRadio} once the record is complete.
     */
    public static int check(ByteBuf b, int i, long offset) {
        String bad = firstBadField(b, i);
        if (bad != null) {
            int paren = bad.indexOf(" (expected");
            String what = paren < 0 ? bad : bad.substring(0, paren);
            String expected = paren < 0 ? "" : bad.substring(paren);
            throw new StreamFormatException(what + " at offset " + offset + expected, offset);
        }
        return (int) b.getUnsignedIntLE(i);
    }

    /** True if the 20 bytes at {@code i} pass every range check (used to recognise NCFX). */
    public static boolean plausible(ByteBuf b, int i) {
        return firstBadField(b, i) == null;
    }

    private static String firstBadField(ByteBuf b, int i) {
        long len = b.getUnsignedIntLE(i);
        if (len < LENGTH || len > MAX_RECORD_LENGTH) {
            return "ncfx data_len " + len + " (expected " + LENGTH + ".." + MAX_RECORD_LENGTH + ")";
        }
        int year = b.getUnsignedShortLE(i + 4);
        if (year < NcfHeader.MIN_YEAR || year > NcfHeader.MAX_YEAR) {
            return "ncfx year " + year + " (expected " + NcfHeader.MIN_YEAR + ".." + NcfHeader.MAX_YEAR + ")";
        }
        int month = b.getUnsignedByte(i + 6);
        if (month < 1 || month > 12) {
            return "ncfx month " + month + " (expected 1..12)";
        }
        int day = b.getUnsignedByte(i + 7);
        if (day < 1 || day > 31) {
            return "ncfx day " + day + " (expected 1..31)";
        }
        int hours = b.getUnsignedByte(i + 8);
        if (hours > 23) {
            return "ncfx hours " + hours + " (expected 0..23)";
        }
        int minutes = b.getUnsignedByte(i + 9);
        if (minutes > 59) {
            return "ncfx minutes " + minutes + " (expected 0..59)";
        }
        int seconds = b.getUnsignedByte(i + 10);
        if (seconds > 60) {
            return "ncfx seconds " + seconds + " (expected 0..60)";
        }
        long usecs = b.getUnsignedIntLE(i + 11);
        if (usecs > 999_999) {
            return "ncfx usecs " + usecs + " (expected 0..999999)";
        }
        int medium = b.getUnsignedByte(i + 15);
        if (medium > MAX_MEDIUM) {
            return "ncfx medium " + medium + " (expected 0.." + MAX_MEDIUM + ")";
        }
        if (medium == Medium.WIFI && len < LENGTH + RADIO_LENGTH) {
            return "ncfx data_len " + len + " too short for a radio header (expected at least " + (LENGTH + RADIO_LENGTH) + ")";
        }
        return null;
    }

    /**
     * Checks the radio header of a complete Wi-Fi record at {@code i} and returns its length
     * (header_len); 0 for an Ethernet record.
     */
    public static int checkRadio(ByteBuf b, int i, long offset) {
        if (b.getUnsignedByte(i + 15) != Medium.WIFI) {
            return 0;
        }
        long len = b.getUnsignedIntLE(i);
        int radioLen = b.getUnsignedShortLE(i + LENGTH);
        long extensions = b.getUnsignedIntLE(i + LENGTH + 16);
        int min = RADIO_LENGTH + ((extensions & EXT_MCS) != 0 ? MCS_LENGTH : 0);
        if (radioLen < min || LENGTH + radioLen > len) {
            throw new StreamFormatException("ncfx radio header_len " + radioLen + " at offset " + offset
                    + " (expected " + min + ".." + (len - LENGTH) + ")", offset);
        }
        return radioLen;
    }

    public static long timestampMicros(ByteBuf b, int i, WallClock clock) {
        return clock.toEpochMicros(b.getUnsignedShortLE(i + 4), b.getUnsignedByte(i + 6), b.getUnsignedByte(i + 7),
                b.getUnsignedByte(i + 8), b.getUnsignedByte(i + 9), b.getUnsignedByte(i + 10),
                b.getUnsignedIntLE(i + 11));
    }

    /**
     * Fills the record fields of {@code v} from a complete, checked record at {@code i} and
     * returns the offset of the frame (after the radio header for Wi-Fi).
     */
    public static int fill(ByteBuf b, int i, int radioLength, WallClock clock, PacketView v) {
        int len = (int) b.getUnsignedIntLE(i);
        int medium = b.getUnsignedByte(i + 15);
        int frameLength = len - LENGTH - radioLength;
        v.startRecord(timestampMicros(b, i, clock), frameLength, frameLength, medium);
        v.direction = b.getUnsignedByte(i + 17);
        if (medium == Medium.WIFI) {
            int r = i + LENGTH;
            int status = b.getUnsignedShortLE(r + 2);
            v.hasWifi = true;
            v.wifiBand = b.getUnsignedShortLE(r + 4);
            v.wifiChannel = b.getUnsignedShortLE(r + 6);
            v.wifiNoiseDbm = -b.getUnsignedByte(r + 8);
            v.wifiSignalDbm = -b.getUnsignedByte(r + 9);
            v.wifiSignalPercent = b.getUnsignedByte(r + 10);
            v.wifiRate100k = b.getUnsignedIntLE(r + 12);
            v.wifiDecrypted = b.getUnsignedByte(i + 16) != 0;
            v.wifiBadFcs = (status & STATUS_BAD_FCS) != 0;
            long ext = b.getUnsignedIntLE(r + 16);
            v.wifiMcsIndex = (ext & EXT_MCS) != 0 ? b.getUnsignedByte(r + RADIO_LENGTH) : -1;
        }
        return i + LENGTH + radioLength;
    }

    /**
     * Writes a record header (and, for Wi-Fi, a radio header without extensions) for a frame of
     * {@code frameLength} bytes; the caller writes the frame.
     */
    public static void write(ByteBuf out, int frameLength, long epochMicros, java.time.ZoneId zone, int medium,
                             int decrypted, int direction, WifiInfo wifi) {
        int radio = medium == Medium.WIFI ? RADIO_LENGTH : 0;
        java.time.LocalDateTime t = java.time.LocalDateTime.ofInstant(
                java.time.Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L)), zone);
        out.writeIntLE(LENGTH + radio + frameLength);
        out.writeShortLE(t.getYear());
        out.writeByte(t.getMonthValue());
        out.writeByte(t.getDayOfMonth());
        out.writeByte(t.getHour());
        out.writeByte(t.getMinute());
        out.writeByte(t.getSecond());
        out.writeIntLE((int) Math.floorMod(epochMicros, 1_000_000L));
        out.writeByte(medium);
        out.writeByte(decrypted);
        out.writeByte(direction);
        out.writeShortLE(0);
        if (radio != 0) {
            WifiInfo w = wifi != null ? wifi : WifiInfo.NONE;
            out.writeShortLE(RADIO_LENGTH);
            out.writeShortLE(w.badFcs() ? STATUS_BAD_FCS : 0);
            out.writeShortLE(w.band());
            out.writeShortLE(w.channel());
            out.writeByte(-w.noiseDbm());
            out.writeByte(-w.signalDbm());
            out.writeByte(w.signalPercent());
            out.writeByte(0);
            out.writeIntLE((int) w.rate100kbps());
            out.writeIntLE(0);
        }
    }
}
