package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A frame to send onto an adapter (SPEC section 2): {@code len} u16 + frame in the NCF dialect,
 * {@code len} u16 + {@code rate index} u16 + frame in the NCFX (Wi-Fi) dialect.
 */
public final class InjectionFrame extends DefaultByteBufHolder {
    /** {@code len} is a u16. */
    public static final int MAX_FRAME_LENGTH = 0xFFFF;
    /** Rate index of a frame that came in the NCF dialect, which has none. */
    public static final int NO_RATE = -1;

    private final int rateIndex;

    public InjectionFrame(ByteBuf frame) {
        this(frame, NO_RATE);
    }

    public InjectionFrame(ByteBuf frame, int rateIndex) {
        super(frame);
        this.rateIndex = rateIndex;
    }

    /** The Wi-Fi dialect's rate index, or {@link #NO_RATE}. */
    public int rateIndex() {
        return rateIndex;
    }

    @Override
    public InjectionFrame replace(ByteBuf content) {
        return new InjectionFrame(content, rateIndex);
    }
}
