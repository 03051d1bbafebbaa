package io.mirrorgate.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one source (an agent connection, a subscriber, the injector) of SPEC section 6.
 * Hot-path counters are added once per batch by the source's own event loop; readers on other
 * threads see them through atomics.
 */
public final class SourceStats {
    public final String name;
    public final AtomicLong received = new AtomicLong();
    public final AtomicLong bytes = new AtomicLong();
    public final AtomicLong decoded = new AtomicLong();
    public final AtomicLong malformed = new AtomicLong();
    public final AtomicLong nonIp = new AtomicLong();
    public final AtomicLong compressed = new AtomicLong();
    public final AtomicLong filtered = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();
    public final AtomicLong sent = new AtomicLong();
    public final AtomicLong injectSent = new AtomicLong();
    public final AtomicLong injectFailed = new AtomicLong();
    public final AtomicLong injectDiscarded = new AtomicLong();
    public final AtomicLong injectEmpty = new AtomicLong();
    public final AtomicLong injectRefused = new AtomicLong();
    public final AtomicLong injectRateLimited = new AtomicLong();
    public final AtomicLong connected = new AtomicLong();
    public final AtomicLong closedBadStream = new AtomicLong();
    public final AtomicLong injectDropped = new AtomicLong();
    public final AtomicLong stalled = new AtomicLong();
    public final AtomicLong firstRecordTimeouts = new AtomicLong();

    public SourceStats(String name) {
        this.name = name;
    }

    /** Adds every counter of {@code o} to this one (a closed connection into the totals). */
    public void add(SourceStats o) {
        received.addAndGet(o.received.get());
        bytes.addAndGet(o.bytes.get());
        decoded.addAndGet(o.decoded.get());
        malformed.addAndGet(o.malformed.get());
        nonIp.addAndGet(o.nonIp.get());
        compressed.addAndGet(o.compressed.get());
        filtered.addAndGet(o.filtered.get());
        dropped.addAndGet(o.dropped.get());
        sent.addAndGet(o.sent.get());
        injectSent.addAndGet(o.injectSent.get());
        injectFailed.addAndGet(o.injectFailed.get());
        injectDiscarded.addAndGet(o.injectDiscarded.get());
        injectEmpty.addAndGet(o.injectEmpty.get());
        injectRefused.addAndGet(o.injectRefused.get());
        injectRateLimited.addAndGet(o.injectRateLimited.get());
        connected.addAndGet(o.connected.get());
        closedBadStream.addAndGet(o.closedBadStream.get());
        injectDropped.addAndGet(o.injectDropped.get());
        stalled.addAndGet(o.stalled.get());
        firstRecordTimeouts.addAndGet(o.firstRecordTimeouts.get());
    }

    /** Name/value pairs in a fixed order, for the statistics line and /metrics. */
    public long[] values() {
        return new long[] {received.get(), bytes.get(), decoded.get(), malformed.get(), nonIp.get(), compressed.get(),
            filtered.get(), dropped.get(), sent.get(), injectSent.get(), injectFailed.get(), injectDiscarded.get(),
            injectEmpty.get(), injectRefused.get(), injectRateLimited.get(), connected.get(), closedBadStream.get(),
            injectDropped.get(), stalled.get(), firstRecordTimeouts.get()};
    }

    public static final String[] NAMES = {"received", "bytes", "decoded", "malformed", "non_ip", "compressed",
        "filtered", "dropped", "sent", "inject_sent", "inject_failed", "inject_discarded", "inject_empty", "inject_refused", "inject_rate_limited", "connected",
        "closed_bad_stream", "inject_dropped", "stalled", "first_record_timeouts"};

    /** {@code name received=.. bytes=..}, leaving out zero counters. */
    public String line() {
        StringBuilder sb = new StringBuilder(name);
        long[] v = values();
        for (int k = 0; k < v.length; k++) {
            if (v[k] != 0 || k < 3) {
                sb.append(' ').append(NAMES[k]).append('=').append(v[k]);
            }
        }
        return sb.toString();
    }
}
