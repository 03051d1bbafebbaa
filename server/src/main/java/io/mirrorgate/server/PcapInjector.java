package io.mirrorgate.server;

import io.mirrorgate.protocol.InjectionFrame;
import io.mirrorgate.protocol.inject.FrameBatch;
import io.mirrorgate.protocol.inject.FrameSender;
import io.mirrorgate.protocol.inject.InjectMethod;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends injection frames onto a local adapter, as CommView's Packet Generator does, through a
 * {@link FrameSender}: an AF_PACKET socket with one {@code sendmmsg} per socket read, or libpcap's
 * {@code pcap_sendpacket} ({@code --inject-method}). On one thread of its own (never the event
 * loop), in arrival order per connection. The event loop copies each frame once, into the batch the
 * kernel sends from. Without an adapter, or when neither method can be used, frames are discarded
 * and counted ({@code inject_discarded}); a frame the adapter refuses is counted in
 * {@code inject_failed} with the kernel's reason, each reason logged once per connection. A
 * connection with more than 16,384 frames or 8 MiB waiting is not read until half of them went out.
 */
final class PcapInjector implements Injector {
    private static final Logger LOG = LoggerFactory.getLogger(PcapInjector.class);
    /** Bound of the sender's queue over all connections; past it frames are dropped and counted. */
    private static final long MAX_QUEUED_BYTES = 64L << 20;

    private final String adapter;
    private final SourceStats totals;
    private final String unavailable;
    private final FrameSender sender;

    PcapInjector(String adapter, InjectMethod method, SourceStats totals) {
        this.adapter = adapter;
        this.totals = totals;
        String why = null;
        FrameSender s = null;
        if (adapter == null) {
            why = "injection is off (no --inject-adapter)";
        } else {
            try {
                s = new FrameSender(adapter, method, MAX_QUEUED_BYTES, "mirrorgate-injector", new Listener());
                if (s.openWarning() != null) {
                    LOG.warn("inject adapter {}: {}; frames will fail until it can be opened", adapter, s.openWarning());
                }
            } catch (IOException e) {
                why = e.getMessage();
            }
        }
        this.unavailable = why;
        this.sender = s;
    }

    /** The sender thread's reports, counted on the connection and in total. */
    private final class Listener implements FrameSender.Listener {
        @Override
        public void failed(FrameBatch batch, int index, String reason) {
            InjectContext ctx = (InjectContext) batch.owner;
            if (ctx.firstTime(reasonOf(reason))) {
                LOG.warn("{}: injection of a {}-byte frame on {} failed: {}", ctx.stats.name, batch.length(index), adapter,
                        reason);
            }
        }

        @Override
        public void done(FrameBatch batch, int sent, int failed) {
            InjectContext ctx = (InjectContext) batch.owner;
            count(ctx, sent, failed);
            release(ctx, batch.count(), batch.bytes());
        }
    }

    private void count(InjectContext ctx, int sent, int failed) {
        if (sent > 0) {
            ctx.stats.injectSent.addAndGet(sent);
            totals.injectSent.addAndGet(sent);
        }
        if (failed > 0) {
            ctx.stats.injectFailed.addAndGet(failed);
            totals.injectFailed.addAndGet(failed);
        }
    }

    /** Frames left the queue: a connection paused for them is read again once half are gone. */
    private static void release(InjectContext ctx, int frames, long bytes) {
        int f = ctx.pending.addAndGet(-frames);
        long b = ctx.pendingBytes.addAndGet(-bytes);
        if (f <= InjectContext.MAX_PENDING / 2 && b <= InjectContext.MAX_PENDING_BYTES / 2
                && !ctx.channel.config().isAutoRead()) {
            ctx.channel.eventLoop().execute(() -> {
                if (ctx.pending.get() <= InjectContext.MAX_PENDING / 2
                        && ctx.pendingBytes.get() <= InjectContext.MAX_PENDING_BYTES / 2) {
                    ctx.channel.config().setAutoRead(true);
                }
            });
        }
    }

    @Override
    public String state() {
        if (adapter == null) {
            return "off (no --inject-adapter)";
        }
        return unavailable == null ? "on adapter " + adapter + " through " + sender.method() : "off: " + unavailable;
    }

    /** Takes ownership of {@code frame}. Called on the connection's event loop. */
    @Override
    public void inject(InjectionFrame frame, InjectContext ctx) {
        try {
            ByteBuf content = frame.content();
            int len = content.readableBytes();
            if (len == 0) {
                ctx.stats.injectEmpty.incrementAndGet();
                totals.injectEmpty.incrementAndGet();
                return;
            }
            if (unavailable != null) {
                ctx.stats.injectDiscarded.incrementAndGet();
                totals.injectDiscarded.incrementAndGet();
                if (ctx.firstTime(unavailable)) {
                    LOG.warn("{}: injection frames discarded: {}", ctx.stats.name, unavailable);
                }
                return;
            }
            if (ctx.batch == null) {
                ctx.batch = new FrameBatch(ctx.channel.alloc(), 64 << 10, ctx);
            }
            ctx.batch.add(content);
            if (ctx.pending.incrementAndGet() >= InjectContext.MAX_PENDING
                    | ctx.pendingBytes.addAndGet(len) >= InjectContext.MAX_PENDING_BYTES) {
                ctx.channel.config().setAutoRead(false);
            }
        } finally {
            frame.release();
        }
    }

    /** Hands the frames of the last socket read to the sender thread (called at read complete). */
    @Override
    public void flush(InjectContext ctx) {
        FrameBatch b = ctx.batch;
        if (b != null) {
            ctx.batch = null;
            int frames = b.count();
            int bytes = b.bytes();
            if (!sender.offer(b)) {
                ctx.stats.injectDropped.addAndGet(frames);
                totals.injectDropped.addAndGet(frames);
                if (ctx.firstTime("injector queue full")) {
                    LOG.warn("{}: injection frames dropped: the adapter's queue is full ({} MiB)", ctx.stats.name,
                            MAX_QUEUED_BYTES >> 20);
                }
                release(ctx, frames, bytes);
            }
        }
    }

    /** The stable part of a reason (without sizes), to log each kind once. */
    private static String reasonOf(String error) {
        return error.replaceAll("[0-9]+", "N");
    }

    /** Waits for queued frames to be sent (up to 5 s), then closes the adapter. */
    @Override
    public void close() {
        if (sender != null) {
            sender.close();
        }
    }
}
