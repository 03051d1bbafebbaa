package io.mirrorgate.server;

import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.RecordStreamDecoderBase;
import io.mirrorgate.protocol.StreamFormatException;
import io.mirrorgate.protocol.WallClock;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent connection on the mirror port: frames its NCF/NCFX records in place
 * ({@link RecordFramer}), decodes each with the shared decoder, counts, filters, and hands
 * contiguous runs of the received bytes to the collector for fan-out and files. The dialect is
 * configured or decided from the first header, never again mid-stream. A broken stream closes
 * this connection only, with one line naming the peer and the byte offset.
 */
final class AgentHandler extends RecordStreamDecoderBase {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHandler.class);

    private final AgentEvents events;
    private final SourceStats stats;
    /** Counts, filters, dedups, analyses and publishes the records (shared with the UDP mirror inputs). */
    private final SourcePath path;
    private final long firstRecordTimeoutSeconds;
    /** --backpressure block: true while an output is full; records wait in the cumulation buffer. */
    private final java.util.function.BooleanSupplier outputsFull;
    private volatile ChannelHandlerContext context;
    private boolean closing;
    /** The agent ended its stream (half-closed): the connection closes once no record is held. */
    private boolean inputEnded;
    private io.netty.util.concurrent.ScheduledFuture<?> firstRecordTimer;

    AgentHandler(AgentEvents events, RecordSink sink, SourceStats stats, Dialect dialect, WallClock clock, BpfFilter filter,
                 long firstRecordTimeoutSeconds, java.util.function.BooleanSupplier outputsFull) {
        this(events, sink, stats, dialect, clock, filter, firstRecordTimeoutSeconds, outputsFull, null, null);
    }

    AgentHandler(AgentEvents events, RecordSink sink, SourceStats stats, Dialect dialect, WallClock clock, BpfFilter filter,
                 long firstRecordTimeoutSeconds, java.util.function.BooleanSupplier outputsFull,
                 io.mirrorgate.protocol.MirrorDuplicates dedup, AgentAnalysis analysis) {
        super(dialect);
        this.outputsFull = outputsFull;
        this.firstRecordTimeoutSeconds = firstRecordTimeoutSeconds;
        this.events = events;
        this.stats = stats;
        this.path = new SourcePath(sink, stats, dialect, clock, filter, dedup, analysis);
    }

    @Override
    protected void dialectDecided(ChannelHandlerContext ctx, Dialect d) {
        path.dialect(d);
        events.dialectDecided(ctx.channel(), d);
    }

    @Override
    protected void afterRead() {
        path.endOfRead();
    }

    @Override
    protected void record(ByteBuf buf, int index, int length) {
        path.record(buf, index, length, framer().streamOffset());
    }

    /**
     * While the outputs are full (--backpressure block), records stay unread in the cumulation
     * buffer, so nothing past what was already handed on waits in a subscriber's queue; at close,
     * everything is handed on.
     */
    @Override
    protected boolean hold() {
        return !closing && outputsFull.getAsBoolean();
    }

    /** The outputs drained: hand on what waited, without waiting for the agent's next bytes. */
    void resume() {
        ChannelHandlerContext c = context;
        if (c != null) {
            resume(c);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        path.peer(Peers.peer(ctx.channel()));
        events.connected(ctx.channel(), stats);
        if (firstRecordTimeoutSeconds > 0) {
            firstRecordTimer = ctx.executor().schedule(() -> firstRecordTimeout(ctx), firstRecordTimeoutSeconds,
                    java.util.concurrent.TimeUnit.SECONDS);
        }
        super.channelActive(ctx);
    }

    /**
     * --first-record-timeout: a connection that has not sent one whole record header by then (an
     * idle or slowloris connection holding a slot) is closed, counted, and logged once per address.
     */
    private void firstRecordTimeout(ChannelHandlerContext ctx) {
        if (framer() == null && ctx.channel().isActive()) {
            stats.firstRecordTimeouts.incrementAndGet();
            if (events.firstTimeFrom(ctx.channel(), "first-record-timeout")) {
                LOG.warn("{}: no record header within {} s: closed (--first-record-timeout); later ones from this address "
                        + "are counted only", stats.name, firstRecordTimeoutSeconds);
            }
            ctx.close();
        }
    }

    /**
     * The agent ended its stream (agent channels allow half-closure, so the connection is still
     * open). Records held back under {@code --backpressure block} then wait for the outputs to
     * drain like every other agent's, instead of being handed on at close past a full
     * subscriber's limit; the connection closes once they are out.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
            closeOnceHandedOn(ctx);
            return;
        }
        if (evt instanceof ChannelInputShutdownReadComplete) {
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        super.channelRead(ctx, msg);
        if (inputEnded) {
            closeOnceHandedOn(ctx); // a resume after the end handed on what was held
        }
    }

    private void closeOnceHandedOn(ChannelHandlerContext ctx) {
        if (!holdsRecords()) {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        if (firstRecordTimer != null) {
            firstRecordTimer.cancel(false);
        }
        try {
            super.channelInactive(ctx);
        } finally {
            path.close();
            events.closed(ctx.channel(), stats);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && !(cause instanceof StreamFormatException)
                && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof StreamFormatException) {
            stats.closedBadStream.incrementAndGet();
            if (events.firstTimeFrom(ctx.channel(), "broken stream")) {
                LOG.warn("{}: broken stream, closing: {}", stats.name, c.getMessage());
            } else {
                LOG.debug("{}: broken stream, closing: {}", stats.name, c.getMessage());
            }
        } else if (c instanceof IOException) {
            LOG.debug("{}: {}", stats.name, c.getMessage());
        } else {
            LOG.warn("{}: closing: {}", stats.name, c.toString());
        }
        ctx.close();
    }

}
