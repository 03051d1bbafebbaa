package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;

/**
 * Frames injection frames into {@link InjectionFrame}s (content is a retained slice). NCF dialect:
 * {@code LengthFieldBasedFrameDecoder(LITTLE_ENDIAN, 65535 + 2, 0, 2, 0, 2)}; NCFX dialect:
 * {@code (LITTLE_ENDIAN, 65535 + 4, 0, 2, 2, 2)} and the rate index read off the front. A u16
 * length cannot overrun the cap, so this decoder never fails; zero-length frames are emitted
 * (the consumer ignores and counts them).
 */
public class InjectionFrameDecoder extends LengthFieldBasedFrameDecoder {
    private final Dialect dialect;

    public InjectionFrameDecoder(Dialect dialect) {
        super(ByteOrder.LITTLE_ENDIAN, InjectionFrame.MAX_FRAME_LENGTH + (dialect == Dialect.NCF ? 2 : 4), 0, 2,
                dialect == Dialect.NCF ? 0 : 2, 2, true);
        this.dialect = dialect;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        ByteBuf frame = (ByteBuf) super.decode(ctx, in);
        if (frame == null) {
            return null;
        }
        if (dialect == Dialect.NCF) {
            return new InjectionFrame(frame);
        }
        int rate = frame.readUnsignedShortLE();
        return new InjectionFrame(frame, rate);
    }
}
