package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * The shipped framing path ({@link RecordStreamDecoderBase} over {@link RecordFramer}, as the
 * collector's agent handler and the SDK's client and receiver run it), made observable for tests:
 * each framed record goes down the pipeline as a retained slice, so an {@code EmbeddedChannel}
 * hands it to {@code readInbound()}.
 */
final class Framed extends RecordStreamDecoderBase {
    private ChannelHandlerContext ctx;

    private Framed(Dialect dialect) {
        super(dialect);
    }

    /** NCF, configured. */
    static Framed ncf() {
        return new Framed(Dialect.NCF);
    }

    /** NCFX, configured. */
    static Framed ncfx() {
        return new Framed(Dialect.NCFX);
    }

    /** Dialect decided from the first header, as a collector with {@code --dialect auto}. */
    static Framed detecting() {
        return new Framed(null);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    protected void record(ByteBuf buf, int index, int length) {
        ctx.fireChannelRead(buf.retainedSlice(index, length));
    }
}
