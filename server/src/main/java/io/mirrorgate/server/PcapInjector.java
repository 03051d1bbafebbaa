package io.mirrorgate.server;

import io.mirrorgate.protocol.InjectionFrame;
import io.mirrorgate.protocol.Libpcap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends injection frames onto a local adapter with {@code pcap_sendpacket} (pcap4j
 * {@link PcapHandle#sendPacket}), as CommView's Packet Generator does: on one thread of its own
 * (never the event loop), in arrival order. Without an adapter, or when libpcap is missing, frames
 * are discarded and counted ({@code inject_discarded}); a frame the adapter refuses is counted in
 * {@code inject_failed} after one retry with a reopened handle (an interface that went down and
 * came back needs a fresh handle); each reason is logged once per connection.
 */
final class PcapInjector implements Injector {
    private static final Logger LOG = LoggerFactory.getLogger(PcapInjector.class);
    private static final int SNAPLEN = 65_536;

    private final String adapter;
    private final SourceStats totals;
    private final ExecutorService executor;
    private final String unavailable;
    private PcapHandle handle;
    /** Frames waiting for the sender thread, drained in batches (one wake-up per batch, not per frame). */
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private static final int BATCH = 1024;
    private volatile boolean closed;

    /** The frames one socket read brought from one connection, in order. */
    private static final class Job {
        final List<byte[]> frames;
        final InjectContext ctx;

        Job(List<byte[]> frames, InjectContext ctx) {
            this.frames = frames;
            this.ctx = ctx;
        }
    }

    PcapInjector(String adapter, SourceStats totals) {
        this.adapter = adapter;
        this.totals = totals;
        String why = null;
        if (adapter == null) {
            why = "injection is off (no --inject-adapter)";
        } else {
            String lib = Libpcap.unavailableReason();
            if (lib != null) {
                why = lib;
            }
        }
        this.unavailable = why;
        this.executor = unavailable == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mirrorgate-injector");
            t.setDaemon(true);
            return t;
        }) : null;
        if (executor != null) {
            try {
                executor.submit(this::open).get();
            } catch (Exception e) {
                LOG.warn("inject adapter {}: {}", adapter, e.getMessage());
            }
            executor.execute(this::sendLoop);
        }
    }

    /** The sender thread: takes frames in arrival order, a batch at a time. */
    private void sendLoop() {
        List<Job> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                for (Job j : batch) {
                    for (byte[] f : j.frames) {
                        send(f, j.ctx);
                    }
                }
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Null when frames can be sent, else why they are discarded. */
    String unavailableReason() {
        return unavailable;
    }

    @Override
    public String state() {
        if (adapter == null) {
            return "off (no --inject-adapter)";
        }
        return unavailable == null ? "on adapter " + adapter : "off: " + unavailable;
    }

    String adapter() {
        return adapter;
    }

    private void open() {
        try {
            PcapNetworkInterface nif = Pcaps.getDevByName(adapter);
            if (nif == null) {
                LOG.warn("inject adapter {}: no such interface; frames will fail until it appears", adapter);
                return;
            }
            handle = nif.openLive(SNAPLEN, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, 10);
        } catch (PcapNativeException e) {
            LOG.warn("inject adapter {}: {}", adapter, e.getMessage());
            handle = null;
        }
    }

    /** Takes ownership of {@code frame}. Called on the connection's event loop. */
    @Override
    public void inject(InjectionFrame frame, InjectContext ctx) {
        ByteBuf content = frame.content();
        int len = content.readableBytes();
        if (len == 0) {
            frame.release();
            ctx.stats.injectEmpty.incrementAndGet();
            totals.injectEmpty.incrementAndGet();
            return;
        }
        if (unavailable != null) {
            frame.release();
            ctx.stats.injectDiscarded.incrementAndGet();
            totals.injectDiscarded.incrementAndGet();
            if (ctx.firstTime(unavailable)) {
                LOG.warn("{}: injection frames discarded: {}", ctx.stats.name, unavailable);
            }
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(content);
        frame.release();
        if (ctx.pending.incrementAndGet() >= InjectContext.MAX_PENDING) {
            ctx.channel.config().setAutoRead(false);
        }
        ctx.batch.add(bytes);
    }

    /** Hands the frames of the last socket read to the sender thread (called at read complete). */
    @Override
    public void flush(InjectContext ctx) {
        if (!ctx.batch.isEmpty()) {
            queue.add(new Job(ctx.batch, ctx));
            ctx.batch = new ArrayList<>();
        }
    }

    private void send(byte[] bytes, InjectContext ctx) {
        String error = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            if (handle == null) {
                open();
                if (handle == null) {
                    error = "adapter " + adapter + " cannot be opened";
                    continue;
                }
            }
            try {
                handle.sendPacket(bytes);
                error = null;
                break;
            } catch (PcapNativeException | org.pcap4j.core.NotOpenException e) {
                error = String.valueOf(e.getMessage());
                if (attempt == 0) {
                    handle.close();
                    handle = null;
                }
            }
        }
        if (error == null) {
            ctx.stats.injectSent.incrementAndGet();
            totals.injectSent.incrementAndGet();
        } else {
            ctx.stats.injectFailed.incrementAndGet();
            totals.injectFailed.incrementAndGet();
            String reason = reasonOf(error);
            if (ctx.firstTime(reason)) {
                LOG.warn("{}: injection of a {}-byte frame on {} failed: {}", ctx.stats.name, bytes.length, adapter, error);
            }
        }
        if (ctx.pending.decrementAndGet() == InjectContext.MAX_PENDING / 2) {
            ctx.channel.eventLoop().execute(() -> ctx.channel.config().setAutoRead(true));
        }
    }

    /** The stable part of a libpcap message (without sizes), to log each kind once. */
    private static String reasonOf(String error) {
        return error.replaceAll("[0-9]+", "N");
    }

    /** Waits for queued frames to be sent (up to the timeout), then closes the adapter. */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        closed = true;
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (handle != null) {
            handle.close();
        }
    }
}
