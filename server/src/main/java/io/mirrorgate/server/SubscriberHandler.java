package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A receiving peer, as CommView sees a receiving application: a subscriber on the client port, or
 * the classic receiver {@code --mirror-out} connects to. It gets every record; the injection
 * frames it sends go to the injector (or back to the agents).
 */
final class SubscriberHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberHandler.class);

    private final SubscriberEvents events;
    private final Injection injection;
    private final Dialect dialect;
    private final SourceStats stats;
    private final Runnable onClose;
    private final Backpressure backpressure;
    private final long stallNanos;
    private Subscriber subscriber;
    private io.netty.util.concurrent.ScheduledFuture<?> stallCheck;
    private long pendingAtCheck;
    private long lastProgress;

    /** The medium of a PCAP-over-IP client ({@code dialect} null), else -1. */
    private int pcapMedium = -1;

    /** A PCAP-over-IP client: the pcap global header first, then its medium's records as pcap records. */
    SubscriberHandler pcap(int medium) {
        this.pcapMedium = medium;
        return this;
    }

    SubscriberHandler(SubscriberEvents events, Injection injection, Dialect dialect, SourceStats stats, Runnable onClose,
                      Backpressure backpressure, long stallSeconds) {
        this.events = events;
        this.injection = injection;
        this.dialect = dialect;
        this.stats = stats;
        this.onClose = onClose;
        this.backpressure = backpressure;
        this.stallNanos = java.util.concurrent.TimeUnit.SECONDS.toNanos(stallSeconds);
    }

    /**
     * Above the high-water mark: under {@code block} the agents pause; and while it stays there, a
     * subscriber whose queue does not shrink for {@code --stall-timeout} is disconnected and
     * counted ({@code stalled}), so a dead peer cannot stop the collector.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (subscriber != null) {
            if (ctx.channel().isWritable()) {
                backpressure.unblock(subscriber);
                stopStallWatch(); // it took its queue down to the low-water mark: not stalled
            } else {
                backpressure.blockWhileUnwritable(subscriber, ctx.channel());
                watchForStall(ctx);
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    private void watchForStall(ChannelHandlerContext ctx) {
        if (stallNanos <= 0 || stallCheck != null) {
            return;
        }
        pendingAtCheck = ctx.channel().bytesBeforeWritable();
        lastProgress = System.nanoTime();
        long period = Math.max(stallNanos / 4, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50));
        stallCheck = ctx.executor().scheduleAtFixedRate(() -> {
            if (ctx.channel().isWritable() || !ctx.channel().isActive()) {
                stopStallWatch();
                return;
            }
            long pending = ctx.channel().bytesBeforeWritable();
            long now = System.nanoTime();
            if (pending < pendingAtCheck) {
                lastProgress = now;
            }
            pendingAtCheck = pending;
            if (now - lastProgress >= stallNanos) {
                stats.stalled.incrementAndGet();
                LOG.warn("{}: took nothing for {} s with {} bytes queued: disconnected (--stall-timeout)", stats.name,
                        java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(stallNanos), pending);
                stopStallWatch();
                ctx.close();
            }
        }, period, period, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Called on the channel's event loop, where the watch runs. */
    private void stopStallWatch() {
        if (stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        subscriber = new Subscriber(ctx.channel(), dialect, stats, pcapMedium);
        if (dialect == null) {
            ctx.writeAndFlush(PcapOverIp.globalHeader(ctx.alloc(), pcapMedium), ctx.voidPromise());
        }
        stats.connected.incrementAndGet();
        events.connected(subscriber);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InjectionFrame && subscriber != null && dialect != null) {
            injection.inject((InjectionFrame) msg, subscriber.inject);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (subscriber != null && dialect != null) {
            injection.flush(subscriber.inject);
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stopStallWatch();
        if (subscriber != null) {
            if (dialect != null) {
                injection.flush(subscriber.inject); // frames of a last read that ended with the connection
            }
            backpressure.unblock(subscriber);
            events.closed(subscriber);
        }
        if (onClose != null) {
            onClose.run();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("{}: {}", stats.name, cause.getMessage());
        } else {
            LOG.warn("{}: closing: {}", stats.name, cause.toString());
        }
        ctx.close();
    }
}
