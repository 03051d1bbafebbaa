package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Writes {@link InjectionFrame}s in a dialect: a 2- or 4-byte prefix, then the frame (not copied). */
@ChannelHandler.Sharable
public class InjectionFrameEncoder extends MessageToMessageEncoder<InjectionFrame> {
    private final Dialect dialect;

    public InjectionFrameEncoder(Dialect dialect) {
        super(InjectionFrame.class);
        this.dialect = dialect;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, InjectionFrame f, List<Object> out) {
        ByteBuf frame = f.content();
        int len = frame.readableBytes();
        if (len > InjectionFrame.MAX_FRAME_LENGTH) {
            throw new EncoderException("injection frame of " + len + " bytes (expected 0.." + InjectionFrame.MAX_FRAME_LENGTH + ")");
        }
        ByteBuf prefix = ctx.alloc().buffer(4);
        writePrefix(prefix, dialect, len, f.rateIndex());
        out.add(prefix);
        out.add(frame.retain());
    }

    /**
     * Writes the prefix of an injection frame of {@code length} bytes in {@code dialect}: the u16
     * length, and for NCFX the u16 rate index (negative: 0). The frame follows.
     */
    public static void writePrefix(ByteBuf out, Dialect dialect, int length, int rateIndex) {
        out.writeShortLE(length);
        if (dialect.injectionHeaderLength() == 4) {
            out.writeShortLE(Math.max(0, rateIndex));
        }
    }
}
