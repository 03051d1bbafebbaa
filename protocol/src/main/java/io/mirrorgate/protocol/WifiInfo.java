package io.mirrorgate.protocol;

/**
 * Radio fields of a Wi-Fi record. {@code band} is the raw band field of the record's dialect (NCF:
 * 0x01 11a, 0x02 11b, 0x04 11g, ...; NCFX: 0x40 5 GHz, 0x80 2.4 GHz). dBm values are negative
 * (the wire stores them negated). {@code mcsIndex} is -1 when no MCS header was sent.
 */
public record WifiInfo(int signalPercent, long rate100kbps, int band, int channel, int signalDbm, int noiseDbm,
                       boolean decrypted, boolean badFcs, int mcsIndex) {
    public static final WifiInfo NONE = new WifiInfo(0, 0, 0, 0, 0, 0, false, false, -1);
}
