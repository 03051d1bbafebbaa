package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The 24-byte little-endian header of a CommView NCF record (SPEC section 2), read and written
 * in place over a {@link ByteBuf}: every method takes the buffer and the absolute index of the
 * header's first byte and never moves reader or writer indexes.
 *
 * <pre>
 *  0 u16 data_len          5 u16 year   7 month  8 day  9 hours  10 minutes  11 seconds
 *  2 u16 source_data_len  12 u32 usecs  16 flags 17 signal %  18 rate lo  19 band  20 channel
 *  4 u8  version          21 direction (Wi-Fi: rate hi)  22 signal -dBm  23 noise -dBm
 * </pre>
 */
public final class NcfHeader {
    /** Bytes in an NCF record header. */
    public static final int LENGTH = 24;
    /** data_len is a u16: no NCF record carries more frame than this. */
    public static final int MAX_DATA_LENGTH = 0xFFFF;
    /** Longest possible record: the header plus the largest data_len. */
    public static final int MAX_RECORD_LENGTH = LENGTH + MAX_DATA_LENGTH;

    public static final int FLAG_MEDIUM_MASK = 0x0F;
    public static final int FLAG_DECRYPTED = 0x10;
    public static final int FLAG_BROKEN = 0x20;
    public static final int FLAG_COMPRESSED = 0x40;

    public static final int MIN_YEAR = 1970;
    public static final int MAX_YEAR = 2099;
    public static final int MAX_MEDIUM = Medium.TOKEN_RING;

    private NcfHeader() {
    }

    public static int dataLength(ByteBuf b, int i) {
        return b.getUnsignedShortLE(i);
    }

    public static int sourceDataLength(ByteBuf b, int i) {
        return b.getUnsignedShortLE(i + 2);
    }

    public static int flags(ByteBuf b, int i) {
        return b.getUnsignedByte(i + 16);
    }

    public static int medium(ByteBuf b, int i) {
        return b.getUnsignedByte(i + 16) & FLAG_MEDIUM_MASK;
    }

    /**
     * Checks the header at {@code i} against SPEC section 2 and returns the whole record's length
     * (header + data_len). {@code offset} is the header's byte offset in the stream or file, for
     * the message.
     *
     * @throws StreamFormatException naming the first field out of range
     */
    public static int check(ByteBuf b, int i, long offset) {
        String bad = firstBadField(b, i);
        if (bad != null) {
            throw new StreamFormatException(bad + " at offset " + offset + expected(bad), offset);
        }
        return LENGTH + b.getUnsignedShortLE(i);
    }

    /** True if the 24 bytes at {@code i} pass every range check (used to recognise NCF). */
    public static boolean plausible(ByteBuf b, int i) {
        return firstBadField(b, i) == null;
    }

    private static String firstBadField(ByteBuf b, int i) {
        int version = b.getUnsignedByte(i + 4);
        if (version != 0) {
            return "ncf version " + version;
        }
        int year = b.getUnsignedShortLE(i + 5);
        if (year < MIN_YEAR || year > MAX_YEAR) {
            return "ncf year " + year;
        }
        int month = b.getUnsignedByte(i + 7);
        if (month < 1 || month > 12) {
            return "ncf month " + month;
        }
        int day = b.getUnsignedByte(i + 8);
        if (day < 1 || day > 31) {
            return "ncf day " + day;
        }
        int hours = b.getUnsignedByte(i + 9);
        if (hours > 23) {
            return "ncf hours " + hours;
        }
        int minutes = b.getUnsignedByte(i + 10);
        if (minutes > 59) {
            return "ncf minutes " + minutes;
        }
        int seconds = b.getUnsignedByte(i + 11);
        if (seconds > 60) {
            return "ncf seconds " + seconds;
        }
        long usecs = b.getUnsignedIntLE(i + 12);
        if (usecs > 999_999) {
            return "ncf usecs " + usecs;
        }
        int medium = b.getUnsignedByte(i + 16) & FLAG_MEDIUM_MASK;
        if (medium > MAX_MEDIUM) {
            return "ncf medium " + medium;
        }
        return null;
    }

    private static String expected(String bad) {
        String field = bad.substring(4, bad.lastIndexOf(' '));
        switch (field) {
            case "version": return " (expected 0)";
            case "year": return " (expected " + MIN_YEAR + ".." + MAX_YEAR + ")";
            case "month": return " (expected 1..12)";
            case "day": return " (expected 1..31)";
            case "hours": return " (expected 0..23)";
            case "minutes": return " (expected 0..59)";
            case "seconds": return " (expected 0..60)";
            case "usecs": return " (expected 0..999999)";
            default: return " (expected 0.." + MAX_MEDIUM + ")";
        }
    }

    /** Microseconds since the epoch of the (already checked) header at {@code i}. */
    public static long timestampMicros(ByteBuf b, int i, WallClock clock) {
        return clock.toEpochMicros(b.getUnsignedShortLE(i + 5), b.getUnsignedByte(i + 7), b.getUnsignedByte(i + 8),
                b.getUnsignedByte(i + 9), b.getUnsignedByte(i + 10), b.getUnsignedByte(i + 11),
                b.getUnsignedIntLE(i + 12));
    }

    /**
     * Fills the record fields of {@code v} (timestamp, lengths, medium, direction, Wi-Fi radio
     * fields) from the checked header at {@code i}, and points it at the frame that follows.
     */
    public static void fill(ByteBuf b, int i, WallClock clock, PacketView v) {
        int dataLength = b.getUnsignedShortLE(i);
        int flags = b.getUnsignedByte(i + 16);
        int medium = flags & FLAG_MEDIUM_MASK;
        v.startRecord(timestampMicros(b, i, clock), dataLength, dataLength, medium);
        v.ncfFlags = flags;
        v.compressed = (flags & FLAG_COMPRESSED) != 0;
        if (medium == Medium.WIFI) {
            v.hasWifi = true;
            v.direction = -1;
            v.wifiSignalPercent = b.getUnsignedByte(i + 17);
            v.wifiRate100k = ((b.getUnsignedByte(i + 21) << 8) | b.getUnsignedByte(i + 18)) * 5L;
            v.wifiBand = b.getUnsignedByte(i + 19);
            v.wifiChannel = b.getUnsignedByte(i + 20);
            v.wifiSignalDbm = -b.getUnsignedByte(i + 22);
            v.wifiNoiseDbm = -b.getUnsignedByte(i + 23);
            v.wifiDecrypted = (flags & FLAG_DECRYPTED) != 0;
            v.wifiBadFcs = (flags & FLAG_BROKEN) != 0;
            v.wifiMcsIndex = -1;
        } else {
            v.direction = b.getUnsignedByte(i + 21);
        }
    }

    /**
     * Writes a header. {@code epochMicros} is turned into the wall-clock time of {@code zone}
     * (as CommView writes its own local time).
     */
    public static void write(ByteBuf out, int dataLength, long epochMicros, java.time.ZoneId zone, int flags,
                             int direction, int signalPercent, int rateHalfMbps, int band, int channel,
                             int signalDbmNegated, int noiseDbmNegated) {
        if (dataLength < 0 || dataLength > MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("ncf data_len " + dataLength + " (expected 0.." + MAX_DATA_LENGTH + ")");
        }
        java.time.LocalDateTime t = java.time.LocalDateTime.ofInstant(
                java.time.Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L)), zone);
        out.writeShortLE(dataLength);
        out.writeShortLE(dataLength);
        out.writeByte(0);
        out.writeShortLE(t.getYear());
        out.writeByte(t.getMonthValue());
        out.writeByte(t.getDayOfMonth());
        out.writeByte(t.getHour());
        out.writeByte(t.getMinute());
        out.writeByte(t.getSecond());
        out.writeIntLE((int) Math.floorMod(epochMicros, 1_000_000L));
        out.writeByte(flags);
        out.writeByte(signalPercent);
        out.writeByte(rateHalfMbps & 0xFF);
        out.writeByte(band);
        out.writeByte(channel);
        out.writeByte((flags & FLAG_MEDIUM_MASK) == Medium.WIFI ? (rateHalfMbps >>> 8) & 0xFF : direction);
        out.writeByte(signalDbmNegated);
        out.writeByte(noiseDbmNegated);
    }

    /**
     * Writes the header of a record of {@code medium}: for Wi-Fi with the radio fields of
     * {@code wifi} (decrypted and bad-FCS as flags), else with the direction.
     */
    public static void write(ByteBuf out, int dataLength, long epochMicros, java.time.ZoneId zone, int medium, int direction,
                             WifiInfo wifi) {
        if (medium == Medium.WIFI && wifi != null) {
            int flags = Medium.WIFI | (wifi.decrypted() ? FLAG_DECRYPTED : 0) | (wifi.badFcs() ? FLAG_BROKEN : 0);
            write(out, dataLength, epochMicros, zone, flags, 0, wifi.signalPercent(), (int) (wifi.rate100kbps() / 5),
                    wifi.band(), wifi.channel(), -wifi.signalDbm(), -wifi.noiseDbm());
        } else {
            write(out, dataLength, epochMicros, zone, medium, direction);
        }
    }

    /** Writes an Ethernet/Token Ring style header: medium from {@code flags}, no radio fields. */
    public static void write(ByteBuf out, int dataLength, long epochMicros, java.time.ZoneId zone, int flags, int direction) {
        write(out, dataLength, epochMicros, zone, flags, direction, 0, 0, 0, 0, 0, 0);
    }
}
