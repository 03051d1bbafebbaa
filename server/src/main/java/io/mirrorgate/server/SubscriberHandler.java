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

    private final Collector collector;
    private final Dialect dialect;
    private final SourceStats stats;
    private final Runnable onClose;
    private Subscriber subscriber;

    SubscriberHandler(Collector collector, Dialect dialect, SourceStats stats, Runnable onClose) {
        this.collector = collector;
        this.dialect = dialect;
        this.stats = stats;
        this.onClose = onClose;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        subscriber = new Subscriber(ctx.channel(), dialect, stats);
        stats.connected.incrementAndGet();
        collector.subscriberConnected(subscriber);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InjectionFrame && subscriber != null) {
            collector.inject((InjectionFrame) msg, subscriber.inject);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (subscriber != null) {
            collector.injectFlush(subscriber.inject);
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (subscriber != null) {
            collector.subscriberClosed(subscriber);
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
