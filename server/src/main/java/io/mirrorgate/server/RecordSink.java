package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.netty.buffer.ByteBuf;

/** Where an agent's records go: subscribers and capture files ({@link FanOut}). */
interface RecordSink {
    /** False when nobody takes records (no subscriber, no file): the agent skips the slice. */
    boolean wanted();

    /**
     * A run of {@code count} whole records, back to back in {@code records} (this call takes
     * ownership of it), with their capture times in µs, from the source named {@code agent}
     * ({@code address:port}), which {@code description} describes when it is not a CommView
     * agent's connection (else null).
     */
    void publish(ByteBuf records, Dialect dialect, int count, long[] timestamps, String agent, String description);

    /**
     * The longest run (in bytes) a source gathers before handing it on; a single longer record is a
     * run of its own. Under {@code --backpressure block} this bounds what a source hands on after
     * the outputs filled up: one run per worker thread (see {@link SubscriberHub#maxRunBytes}).
     */
    default int maxRunBytes() {
        return Integer.MAX_VALUE;
    }
}
