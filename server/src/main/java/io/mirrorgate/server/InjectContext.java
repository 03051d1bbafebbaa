package io.mirrorgate.server;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-connection injection state: its counters, how many frames wait for the adapter (reading
 * pauses above a bound, so nothing is dropped for speed), and the reasons already logged (each is
 * logged once per connection).
 */
final class InjectContext {
    /** Frames a connection may have waiting for the adapter before we stop reading from it. */
    static final int MAX_PENDING = 16384;
    /** Bytes of frames a connection may have waiting before we stop reading from it. */
    static final long MAX_PENDING_BYTES = 8L << 20;

    final Channel channel;
    final SourceStats stats;
    final AtomicInteger pending = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicLong pendingBytes = new java.util.concurrent.atomic.AtomicLong();
    /** This connection's --inject-rate-per-connection, set by the injector. */
    volatile RateLimit rate;
    /** Frames of the current socket read, handed to the sender at read complete (event loop only). */
    io.mirrorgate.protocol.inject.FrameBatch batch;
    /** Reasons already logged on this connection (bounded, as everywhere: 64). */
    private final LogOnce logged = new LogOnce(64);

    InjectContext(Channel channel, SourceStats stats) {
        this.channel = channel;
        this.stats = stats;
    }

    /** True the first time a reason is seen on this connection. */
    boolean firstTime(String reason) {
        return logged.first(reason);
    }
}
