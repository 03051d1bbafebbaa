package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The Netty side of a CommView record stream, shared by the collector's agent handler and the
 * SDK: the dialect configured or decided from the first header ({@link RecordFramer#detect}),
 * records framed in place and handed to {@link #record}, and after a broken header nothing more
 * (the exception goes up once; the caller closes). Subclasses see every socket read end in
 * {@link #afterRead}, also when the read ended in a broken header.
 */
public abstract class RecordStreamDecoderBase extends ByteToMessageDecoder {
    private final RecordFramer.Sink sink = this::record;
    private final java.util.function.BooleanSupplier hold = this::hold;
    private RecordFramer framer;
    private boolean failed;

    /** @param dialect the stream's dialect, or null to decide it from the first header */
    protected RecordStreamDecoderBase(Dialect dialect) {
        if (dialect != null) {
            framer = new RecordFramer(dialect);
        }
    }

    /** One complete, checked record at {@code index} of {@code buf}; the buffer is valid during the call. */
    protected abstract void record(ByteBuf buf, int index, int length);

    /** The dialect was decided from the first header (not called when it was configured). */
    protected void dialectDecided(ChannelHandlerContext ctx, Dialect dialect) {
    }

    /** After the records of one socket read were handed over (also after a broken header). */
    protected void afterRead() {
    }

    /**
     * True to stop handing over records: the rest stays in the cumulation buffer, unread, until
     * the next read or {@link #resume}. Checked before each record.
     */
    protected boolean hold() {
        return false;
    }

    /**
     * Hands over what {@link #hold} kept back, on the channel's event loop, once it no longer
     * holds (a decode pass with no new bytes).
     */
    protected final void resume(ChannelHandlerContext ctx) {
        ctx.executor().execute(() -> {
            if (ctx.channel().isActive() && !ctx.isRemoved()) {
                try {
                    channelRead(ctx, io.netty.buffer.Unpooled.EMPTY_BUFFER);
                } catch (Exception e) {
                    ctx.fireExceptionCaught(e);
                }
            }
        });
    }

    /** The framer, or null until the dialect is known. */
    protected final RecordFramer framer() {
        return framer;
    }

    /**
     * Unlike {@link ByteToMessageDecoder}, never asks for another read when auto-read is off:
     * records are consumed in place, so no message is ever produced, and the base class would take
     * that for "a frame is incomplete, read more" and defeat backpressure (a paused agent would be
     * read on as fast as ever).
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            if (framer == null) {
                framer = RecordFramer.detect(in);
                if (framer == null) {
                    return;
                }
                dialectDecided(ctx, framer.dialect());
            }
            framer.drain(in, sink, hold);
        } catch (StreamFormatException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        } finally {
            afterRead();
        }
    }
}
