package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The two CommView stream dialects. NCF: 24-byte record headers, injection frames {@code len}
 * u16 + frame. NCFX (CommView for WiFi): 20-byte record headers with a radio header for Wi-Fi,
 * injection frames {@code len} u16 + {@code rate index} u16 + frame.
 */
public enum Dialect {
    NCF {
        @Override
        public int headerLength() {
            return NcfHeader.LENGTH;
        }

        @Override
        public int check(ByteBuf b, int i, long offset) {
            return NcfHeader.check(b, i, offset);
        }

        @Override
        public int recordLength(ByteBuf b, int i) {
            return NcfHeader.LENGTH + NcfHeader.dataLength(b, i);
        }

        @Override
        public int frameOffset(ByteBuf b, int i) {
            return i + NcfHeader.LENGTH;
        }

        @Override
        public int medium(ByteBuf b, int i) {
            return NcfHeader.medium(b, i);
        }

        @Override
        public boolean compressed(ByteBuf b, int i) {
            return (NcfHeader.flags(b, i) & NcfHeader.FLAG_COMPRESSED) != 0;
        }

        @Override
        public int direction(ByteBuf b, int i) {
            return medium(b, i) == Medium.WIFI ? -1 : b.getUnsignedByte(i + 21);
        }

        @Override
        public void decode(ByteBuf b, int i, long offset, WallClock clock, PacketView v) {
            NcfRecords.decode(b, i, clock, v);
        }

        @Override
        public boolean convert(ByteBuf b, int i, ByteBuf out) {
            if (DialectConverter.ncfxLength(b, i) < 0) {
                return false;
            }
            DialectConverter.ncfToNcfx(b, i, out);
            return true;
        }

        @Override
        public int injectionHeaderLength() {
            return 2;
        }

        @Override
        public int maxFrameLength() {
            return NcfHeader.MAX_DATA_LENGTH;
        }

        @Override
        public int maxMedium() {
            return NcfHeader.MAX_MEDIUM;
        }

        @Override
        public void writeHeader(ByteBuf out, int frameLength, long epochMicros, java.time.ZoneId zone, int medium,
                                int direction, WifiInfo wifi) {
            NcfHeader.write(out, frameLength, epochMicros, zone, medium, direction, wifi);
        }
    },
    NCFX {
        @Override
        public int headerLength() {
            return NcfxHeader.LENGTH;
        }

        @Override
        public int check(ByteBuf b, int i, long offset) {
            return NcfxHeader.check(b, i, offset);
        }

        @Override
        public int recordLength(ByteBuf b, int i) {
            return (int) NcfxHeader.dataLength(b, i);
        }

        @Override
        public int frameOffset(ByteBuf b, int i) {
            return i + NcfxHeader.LENGTH + NcfxHeader.radioLength(b, i);
        }

        @Override
        public int medium(ByteBuf b, int i) {
            return NcfxHeader.medium(b, i);
        }

        @Override
        public boolean compressed(ByteBuf b, int i) {
            return false;
        }

        @Override
        public int direction(ByteBuf b, int i) {
            return b.getUnsignedByte(i + 17);
        }

        @Override
        public void decode(ByteBuf b, int i, long offset, WallClock clock, PacketView v) {
            NcfRecords.decodeNcfx(b, i, offset, clock, v);
        }

        @Override
        public boolean convert(ByteBuf b, int i, ByteBuf out) {
            if (DialectConverter.ncfLength(b, i) < 0) {
                return false;
            }
            DialectConverter.ncfxToNcf(b, i, out);
            return true;
        }

        @Override
        public int injectionHeaderLength() {
            return 4;
        }

        @Override
        public int maxFrameLength() {
            return NcfxHeader.MAX_RECORD_LENGTH - NcfxHeader.LENGTH - NcfxHeader.RADIO_LENGTH;
        }

        @Override
        public int maxMedium() {
            return NcfxHeader.MAX_MEDIUM;
        }

        @Override
        public void writeHeader(ByteBuf out, int frameLength, long epochMicros, java.time.ZoneId zone, int medium,
                                int direction, WifiInfo wifi) {
            NcfxHeader.write(out, frameLength, epochMicros, zone, medium, wifi != null && wifi.decrypted() ? 1 : 0,
                    direction, wifi);
        }
    };

    /** Bytes of a record header (before NCFX's radio header). */
    public abstract int headerLength();

    /** Checks the header at {@code i} (stream offset {@code offset} for messages); returns the record's length. */
    public abstract int check(ByteBuf b, int i, long offset);

    /** Length of the checked record at {@code i}, header included. */
    public abstract int recordLength(ByteBuf b, int i);

    /** Index of the frame of the checked record at {@code i} (after NCFX's radio header). */
    public abstract int frameOffset(ByteBuf b, int i);

    /** Bytes of the frame of the checked record at {@code i}. */
    public int frameLength(ByteBuf b, int i) {
        return i + recordLength(b, i) - frameOffset(b, i);
    }

    /** The record's medium (Medium constants). */
    public abstract int medium(ByteBuf b, int i);

    /** True for a compressed NCF record (its data is not a frame). */
    public abstract boolean compressed(ByteBuf b, int i);

    /** The record's direction ({@link RecordDirection}), or -1 where the header carries none (NCF Wi-Fi). */
    public abstract int direction(ByteBuf b, int i);

    /** Decodes the checked record at {@code i} into {@code v}. */
    public abstract void decode(ByteBuf b, int i, long offset, WallClock clock, PacketView v);

    /**
     * Appends the record at {@code i} to {@code out} in the other dialect; false, writing nothing,
     * when the other dialect cannot carry it.
     */
    public abstract boolean convert(ByteBuf b, int i, ByteBuf out);

    /** Bytes before the frame in an injection frame: {@code len}, and NCFX's {@code rate index}. */
    public abstract int injectionHeaderLength();

    /** The longest frame one record can carry. */
    public abstract int maxFrameLength();

    /** The highest medium value the dialect has (Medium constants). */
    public abstract int maxMedium();

    /**
     * Writes the header of a record of {@code medium} for a frame of {@code frameLength} bytes
     * (with Wi-Fi radio fields when {@code wifi} is given), its time as wall-clock time in
     * {@code zone}; the caller writes the frame.
     */
    public abstract void writeHeader(ByteBuf out, int frameLength, long epochMicros, java.time.ZoneId zone, int medium,
                                     int direction, WifiInfo wifi);

    /** Bytes needed to tell the dialects apart from the first record header. */
    public static final int DETECT_LENGTH = NcfHeader.LENGTH;

    /**
     * Decides the dialect from the first record header at {@code i} (at least
     * {@link #DETECT_LENGTH} readable bytes, or fewer at the end of a short file): the one whose
     * ranges the header passes. When both pass, NCF wins only if its source_data_len equals its
     * data_len, as in every uncompressed CommView record. Returns null when neither passes.
     */
    public static Dialect detect(ByteBuf b, int i, int available) {
        boolean ncf = available >= NcfHeader.LENGTH && NcfHeader.plausible(b, i);
        boolean ncfx = available >= NcfxHeader.LENGTH && NcfxHeader.plausible(b, i);
        if (ncf && ncfx) {
            return NcfHeader.dataLength(b, i) == NcfHeader.sourceDataLength(b, i) ? NCF : NCFX;
        }
        return ncf ? NCF : ncfx ? NCFX : null;
    }

    /** Why the header at {@code i} is no NCF header (the first field out of range), for messages. */
    public static String whyNotNcf(ByteBuf b, int i, int available) {
        if (available < NcfHeader.LENGTH) {
            return "only " + available + " bytes";
        }
        try {
            NcfHeader.check(b, i, 0);
            return "unknown";
        } catch (StreamFormatException e) {
            return e.getMessage();
        }
    }
}
