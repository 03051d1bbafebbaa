package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The Netty side of a CommView record stream, shared by the collector's agent handler and the
 * SDK: the dialect configured or decided from the first header ({@link RecordFramer#detect}),
 * records framed in place and handed to {@link #record}, and after a broken header nothing more
 * (the exception goes up once; the caller closes). Subclasses see every socket read end in
 * {@link #afterRead}, also when the read ended in a broken header.
 *
 * <p>Records are framed in the socket's own read buffers: a record cut by the end of a read is
 * completed by copying just its bytes (its start, then its end from the next read) into a small
 * buffer of its own, and the next read is framed where it lies. {@link ByteToMessageDecoder}'s
 * cumulation would copy every following read behind the cut record instead (and, while outputs
 * hold slices of it, the whole of it again), one extra copy of the stream.
 */
public abstract class RecordStreamDecoderBase extends ByteToMessageDecoder {
    private final RecordFramer.Sink sink = this::record;
    private final java.util.function.BooleanSupplier hold = this::hold;
    private RecordFramer framer;
    private boolean failed;
    /** Bytes carried over from earlier reads: a cut record's start, or records {@link #hold} kept back. */
    private ByteBuf rest;
    /**
     * A carried-over buffer this read is done with (a completed cut record's, or held records'
     * that were merged into a bigger one), released only after {@link #afterRead}: records were
     * handed over from it, and a subclass may still forward them until then. At most one per read.
     */
    private ByteBuf retired;
    /** A carried-over part at most this long is copied out of its read buffer (at most one record). */
    private static final int COPY_LIMIT = NcfxHeader.LENGTH + NcfHeader.MAX_DATA_LENGTH + 1;

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
                    channelRead(ctx, Unpooled.EMPTY_BUFFER);
                } catch (Exception e) {
                    ctx.fireExceptionCaught(e);
                }
            }
        });
    }

    /**
     * True while records {@link #hold} kept back wait to be handed on (a cut record at the end
     * does not count: it is not a record until its end arrives).
     */
    protected final boolean holdsRecords() {
        if (rest == null || failed || framer == null) {
            return false;
        }
        try {
            return framer.firstRecordLength(rest) <= rest.readableBytes();
        } catch (StreamFormatException e) {
            return false; // the next read will say so, and close
        }
    }

    /** The framer, or null until the dialect is known. */
    protected final RecordFramer framer() {
        return framer;
    }

    /** Frames one socket read (or, from {@link #resume}, an empty buffer) as described above. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        ByteBuf work = null;
        retired = null;
        try {
            if (failed) {
                return;
            }
            if (rest == null) {
                work = in.retain();
            } else if (framer != null && rest.readableBytes() < COPY_LIMIT && rest.refCnt() == 1 && !hold()) {
                if (!complete(in)) {
                    return; // the cut record is still not whole: all of in went into rest
                }
                work = rest == null ? in.retain() : merge(ctx, in); // rest: records that were held back
            } else {
                work = merge(ctx, in);
            }
            if (framer == null) {
                framer = RecordFramer.detect(work);
                if (framer == null) {
                    return;
                }
                dialectDecided(ctx, framer.dialect());
            }
            framer.drain(work, sink, hold);
        } catch (StreamFormatException e) {
            failed = true;
            throw e;
        } finally {
            try {
                afterRead(); // while every buffer records were handed over from is still ours
            } finally {
                in.release();
                if (retired != null) {
                    retired.release();
                    retired = null;
                }
                if (failed) {
                    releaseRest();
                }
                if (work != null) {
                    keep(ctx, work);
                }
            }
        }
    }

    /**
     * Completes the cut record in {@link #rest} from the front of {@code in} and hands it over.
     *
     * @return false when {@code in} ran out first (it was all copied into rest)
     */
    private boolean complete(ByteBuf in) {
        while (true) {
            int need = framer.firstRecordLength(rest) - rest.readableBytes();
            if (need <= 0) {
                break;
            }
            int n = Math.min(need, in.readableBytes());
            append(rest, in, n);
            if (n < need) {
                return false;
            }
        }
        framer.drain(rest, sink, hold);
        if (!rest.isReadable()) {
            retired = rest;
            rest = null;
        }
        return true;
    }

    /** Appends {@code in} to {@link #rest} (the rare case: records held back, or the first bytes). */
    private ByteBuf merge(ChannelHandlerContext ctx, ByteBuf in) {
        ByteBuf r = rest;
        rest = null;
        if (r == null) {
            return in.retain();
        }
        if (r.refCnt() > 1 || r.maxWritableBytes() < in.readableBytes() || r.isReadOnly()) {
            ByteBuf bigger = ctx.alloc().buffer(r.readableBytes() + in.readableBytes());
            bigger.writeBytes(r, r.readerIndex(), r.readableBytes());
            retired = r; // records this read handed over from it (before a hold) may not have gone out yet
            r = bigger;
        }
        r.writeBytes(in);
        return r;
    }

    /** What is left of a read: nothing, a cut record (copied out), or held records (kept). */
    private void keep(ChannelHandlerContext ctx, ByteBuf work) {
        int left = work.readableBytes();
        if (left == 0 || failed) {
            work.release();
            return;
        }
        if (left < COPY_LIMIT && !hold()) {
            ByteBuf copy = ctx.alloc().buffer(Math.max(left, 2048));
            append(copy, work, left);
            work.release();
            rest = copy;
        } else {
            rest = work;
        }
    }

    /** Moves {@code n} bytes from {@code src} to the end of {@code dst}, without garbage. */
    private static void append(ByteBuf dst, ByteBuf src, int n) {
        ByteBufCopy.append(dst, src, src.readerIndex(), n);
        src.skipBytes(n);
    }

    private void releaseRest() {
        if (rest != null) {
            rest.release();
            rest = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releaseRest();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (rest != null && !failed) {
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER); // records held back are handed on (hold() is off by now)
            } catch (StreamFormatException e) {
                ctx.fireExceptionCaught(e);
            }
        }
        releaseRest(); // a cut record at the end of the stream is not a record
        ctx.fireChannelInactive();
    }

    /**
     * Unlike {@link ByteToMessageDecoder}, never asks for another read when auto-read is off:
     * records are consumed in place, so no message is ever produced, and the base class would take
     * that for "a frame is incomplete, read more" and defeat backpressure (a paused agent would be
     * read on as fast as ever).
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }

    /** Not used: {@link #channelRead} frames the reads itself. */
    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        in.skipBytes(in.readableBytes());
    }
}
