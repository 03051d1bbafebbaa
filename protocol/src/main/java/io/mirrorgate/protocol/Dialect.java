package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The two CommView stream dialects. NCF: 24-byte record headers, injection frames {@code len}
 * u16 + frame. NCFX (CommView for WiFi): 20-byte record headers with a radio header for Wi-Fi,
 * injection frames {@code len} u16 + {@code rate index} u16 + frame.
 */
public enum Dialect {
    NCF,
    NCFX;

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
