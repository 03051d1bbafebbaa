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

    SubscriberHub(Backpressure backpressure, long lowWater, long hardLimit) {
        this.backpressure = backpressure;
        this.block = backpressure.blocking();
        this.overLimit = hardLimit - lowWater;
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
        for (Subscriber s : subscribers) {
            Channel ch = s.channel;
            if (!ch.isActive()) {
                continue;
            }
            if (!ch.isWritable() && (!block || ch.bytesBeforeWritable() > overLimit)) {
                s.stats.dropped.addAndGet(run.count);
                continue;
            }
            if (s.dialect == run.dialect) {
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
