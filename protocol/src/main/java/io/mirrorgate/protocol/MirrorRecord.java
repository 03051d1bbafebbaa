package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One captured frame with the record fields an agent sends: what {@link NcfRecordEncoder} and
 * {@link NcfxRecordEncoder} write. Owns a reference to its frame buffer.
 */
public final class MirrorRecord extends DefaultByteBufHolder {
    private final long timestampMicros;
    private final int medium;
    private final int direction;
    private final WifiInfo wifi;

    /**
     * @param timestampMicros microseconds since the epoch (written as wall-clock time of the
     *                        encoder's zone)
     * @param medium          {@link Medium} value
     * @param direction       {@link Direction} value (ignored for Wi-Fi in NCF)
     * @param wifi            radio fields for a Wi-Fi record, else null
     */
    public MirrorRecord(ByteBuf frame, long timestampMicros, int medium, int direction, WifiInfo wifi) {
        super(frame);
        this.timestampMicros = timestampMicros;
        this.medium = medium;
        this.direction = direction;
        this.wifi = wifi;
    }

    public long timestampMicros() { return timestampMicros; }
    public int medium() { return medium; }
    public int direction() { return direction; }
    public WifiInfo wifi() { return wifi; }

    @Override
    public MirrorRecord replace(ByteBuf content) {
        return new MirrorRecord(content, timestampMicros, medium, direction, wifi);
    }
}
