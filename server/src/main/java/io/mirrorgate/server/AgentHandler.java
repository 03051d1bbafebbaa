package io.mirrorgate.server;

import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.NcfRecords;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.RecordStreamDecoderBase;
import io.mirrorgate.protocol.StreamFormatException;
import io.mirrorgate.protocol.WallClock;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.Arrays;
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
    private final RecordSink sink;
    private final SourceStats stats;
    private final WallClock clock;
    private final BpfFilter filter;
    private final PacketView view = new PacketView();
    private final long firstRecordTimeoutSeconds;
    /** --backpressure block: true while an output is full; records wait in the cumulation buffer. */
    private final java.util.function.BooleanSupplier outputsFull;
    private volatile ChannelHandlerContext context;
    private boolean closing;
    private io.netty.util.concurrent.ScheduledFuture<?> firstRecordTimer;
    private Dialect dialect;

    private ByteBuf current;
    private int runStart = -1;
    private int runLength;
    private int runCount;
    private long[] timestamps = new long[256];
    private long received;
    private long bytes;
    private long decoded;
    private long malformed;
    private long nonIp;
    private long compressed;
    private long filtered;
    private long deduplicated;
    /** --dedup: one table shared by every agent (copies come from several), locked per lookup. */
    private final io.mirrorgate.protocol.MirrorDuplicates dedup;
    /** address:port of the agent, for outputs that name the source (Kafka's agent header). */
    private String peer = "";
    /** --analysis: this agent's conversations, or null. */
    private final AgentAnalysis analysis;

    AgentHandler(AgentEvents events, RecordSink sink, SourceStats stats, Dialect dialect, WallClock clock, BpfFilter filter,
                 long firstRecordTimeoutSeconds, java.util.function.BooleanSupplier outputsFull) {
        this(events, sink, stats, dialect, clock, filter, firstRecordTimeoutSeconds, outputsFull, null, null);
    }

    AgentHandler(AgentEvents events, RecordSink sink, SourceStats stats, Dialect dialect, WallClock clock, BpfFilter filter,
                 long firstRecordTimeoutSeconds, java.util.function.BooleanSupplier outputsFull,
                 io.mirrorgate.protocol.MirrorDuplicates dedup, AgentAnalysis analysis) {
        super(dialect);
        this.dedup = dedup;
        this.analysis = analysis;
        this.outputsFull = outputsFull;
        this.firstRecordTimeoutSeconds = firstRecordTimeoutSeconds;
        this.events = events;
        this.sink = sink;
        this.stats = stats;
        this.dialect = dialect;
        this.clock = clock;
        this.filter = filter;
    }

    @Override
    protected void dialectDecided(ChannelHandlerContext ctx, Dialect d) {
        dialect = d;
        events.dialectDecided(ctx.channel(), d);
    }

    @Override
    protected void afterRead() {
        flushRun();
        publishCounters();
        current = null;
    }

    @Override
    protected void record(ByteBuf buf, int index, int length) {
        if (current != buf) {
            flushRun(); // runs never span buffers
            current = buf;
        }
        received++;
        bytes += length;
        dialect.decode(buf, index, framer().streamOffset(), clock, view);
        if (view.compressed()) {
            compressed++;
        } else if (view.isMalformed()) {
            malformed++;
        } else if (view.ipVersion() == 0) {
            nonIp++;
        } else {
            decoded++;
        }
        if (filter != null && !view.compressed() && !filter.matches(view)) {
            filtered++;
            flushRun();
            return;
        }
        if (dedup != null && !view.compressed() && duplicate()) {
            deduplicated++;
            flushRun();
            return;
        }
        if (analysis != null && !view.compressed()) {
            analysis.add(view);
        }
        if (runCount == 0) {
            runStart = index;
        }
        if (runCount == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, runCount * 2);
        }
        timestamps[runCount++] = view.timestampMicros();
        runLength += length;
    }

    private boolean duplicate() {
        synchronized (dedup) {
            return dedup.isDuplicate(view);
        }
    }

    private void flushRun() {
        if (runCount > 0) {
            if (sink.wanted()) {
                sink.publish(current.retainedSlice(runStart, runLength), dialect, runCount, timestamps, peer);
            }
            runCount = 0;
            runLength = 0;
            runStart = -1;
        }
    }

    private void publishCounters() {
        if (received != 0) {
            stats.received.addAndGet(received);
            stats.bytes.addAndGet(bytes);
            stats.decoded.addAndGet(decoded);
            stats.malformed.addAndGet(malformed);
            stats.nonIp.addAndGet(nonIp);
            stats.compressed.addAndGet(compressed);
            stats.filtered.addAndGet(filtered);
            stats.deduplicated.addAndGet(deduplicated);
            received = bytes = decoded = malformed = nonIp = compressed = filtered = deduplicated = 0;
            if (analysis != null) {
                analysis.publish();
            }
        }
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
        peer = Peers.peer(ctx.channel());
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

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        if (firstRecordTimer != null) {
            firstRecordTimer.cancel(false);
        }
        try {
            super.channelInactive(ctx);
        } finally {
            if (analysis != null) {
                analysis.close();
            }
            events.closed(ctx.channel(), stats);
            if (filter != null) {
                filter.close();
            }
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
