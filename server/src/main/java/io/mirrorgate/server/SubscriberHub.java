package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.DialectConverter;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.NcfxHeader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fans every record run out to every subscriber. Same dialect: the received bytes, untouched
 * (a retained duplicate, no copy). Other dialect: converted record by record. A subscriber whose
 * channel is not writable (its bounded outbound buffer is above the high water mark) loses the
 * run, counted in its {@code dropped}; nobody else waits for it. Under {@code --backpressure
 * block} it keeps the runs already read while the agents are paused, up to a hard limit.
 */
final class SubscriberHub {
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final boolean block;
    /** Bytes over its low-water mark an unwritable subscriber may still be given in block mode. */
    private final long overLimit;

    /**
     * @param block {@code --backpressure block}: an unwritable subscriber still gets the runs in
     *        flight (the agents are being paused) up to {@code hardLimit} bytes queued; past it, and
     *        always under {@code drop}, the run is dropped and counted
     */
    private final Backpressure backpressure;

    /**
     * Bytes all subscribers may have queued together: half of the direct memory Netty may use (the
     * JVM's -XX:MaxDirectMemorySize, which defaults to -Xmx). Past it, a subscriber holding more
     * than its share (budget / subscribers) loses runs under drop; under block the agents pause
     * until the total is back under half the budget. 64 subscribers of 8 MiB (32 MiB in block mode)
     * would otherwise need more direct memory than a 256 MiB JVM has.
     */
    private final long budget;
    private final long hardLimit;
    /** Times the budget was reached (drops or pauses followed). */
    final java.util.concurrent.atomic.AtomicLong budgetReached = new java.util.concurrent.atomic.AtomicLong();
    private final Object budgetKey = new Object() {
        @Override
        public String toString() {
            return "the subscribers' memory budget";
        }
    };
    private volatile boolean budgetBlocked;

    /** See {@link #maxRunBytes}. */
    private final int maxRun;

    /**
     * @param publishers how many threads may publish at once (the collector's worker event loops)
     * @param budget the subscribers' memory budget in bytes, or 0 for the default (see above)
     */
    SubscriberHub(Backpressure backpressure, long lowWater, long hardLimit, int publishers, long budget) {
        this.backpressure = backpressure;
        this.block = backpressure.blocking();
        this.overLimit = hardLimit - lowWater;
        this.hardLimit = hardLimit;
        this.budget = budget > 0 ? budget : io.netty.util.internal.PlatformDependent.maxDirectMemory() / 2;
        this.maxRun = (int) Math.max(MIN_RUN, Math.min(MAX_RUN, overLimit / (publishers + 1L)));
    }

    private static final int MIN_RUN = 16 << 10;
    private static final int MAX_RUN = 256 << 10;

    /**
     * The longest run a source hands on at once. Under block, once a subscriber is full every
     * source holds its records before the next one, but each worker thread may still hand on the
     * run it had gathered: at most {@code publishers} runs, which this bound keeps under the
     * {@code hardLimit} a full subscriber may queue, so block drops nothing. A run of a whole read
     * (up to 256 KiB), or of all that was held during a pause, could have passed it alone.
     */
    int maxRunBytes() {
        return maxRun;
    }

    private static long queued(Channel ch) {
        io.netty.channel.ChannelOutboundBuffer ob = ch.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    /** Under block, after the budget paused the agents: resume them once the total is under half of it. */
    private void recheckBudget() {
        long total = 0;
        for (Subscriber s : subscribers) {
            total += queued(s.channel);
        }
        if (total <= budget / 2) {
            budgetBlocked = false;
            backpressure.unblock(budgetKey);
        } else {
            io.netty.util.concurrent.GlobalEventExecutor.INSTANCE.schedule(this::recheckBudget, 10,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    void add(Subscriber s) {
        subscribers.add(s);
    }

    void remove(Subscriber s) {
        subscribers.remove(s);
    }

    List<Subscriber> subscribers() {
        return subscribers;
    }

    boolean isEmpty() {
        return subscribers.isEmpty();
    }

    void publish(RecordRun run) {
        int n = subscribers.size();
        long total = 0;
        if (n > 1 || budget < hardLimit) { // one subscriber alone is bounded by its own hard limit
            for (Subscriber s : subscribers) {
                total += queued(s.channel);
            }
        }
        boolean overBudget = total + run.records.readableBytes() > budget;
        if (overBudget) {
            budgetReached.incrementAndGet();
            if (block && !budgetBlocked) {
                budgetBlocked = true;
                backpressure.block(budgetKey);
                io.netty.util.concurrent.GlobalEventExecutor.INSTANCE.schedule(this::recheckBudget, 10,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
        for (Subscriber s : subscribers) {
            Channel ch = s.channel;
            if (!ch.isActive()) {
                continue;
            }
            if (!ch.isWritable() && (!block || ch.bytesBeforeWritable() > overLimit)
                    || overBudget && queued(ch) > budget / Math.max(1, n) && (!block || queued(ch) > budget)) {
                s.stats.dropped.addAndGet(run.count);
                continue;
            }
            if (s.dialect == null) {
                PcapOverIp.send(run, s);
            } else if (s.dialect == run.dialect) {
                s.stats.sent.addAndGet(run.count);
                ch.writeAndFlush(run.records.retainedDuplicate(), ch.voidPromise());
            } else {
                convertAndSend(run, s);
            }
            if (block && !ch.isWritable()) {
                // pause the agents now, on this thread: the writability event comes later, on the
                // subscriber's event loop, and the agents would read on until then
                backpressure.blockWhileUnwritable(s, ch);
            }
        }
    }

    private static void convertAndSend(RecordRun run, Subscriber s) {
        ByteBuf in = run.records;
        ByteBuf out = s.channel.alloc().buffer(in.readableBytes() + run.count * NcfxHeader.RADIO_LENGTH);
        int sent = 0;
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end) {
            if (run.dialect.convert(in, i, out)) {
                sent++;
            }
            i += run.dialect.recordLength(in, i);
        }
        s.stats.sent.addAndGet(sent);
        s.stats.dropped.addAndGet(run.count - sent); // records the other dialect cannot carry
        if (out.isReadable()) {
            s.channel.writeAndFlush(out, s.channel.voidPromise());
        } else {
            out.release();
        }
    }
}
