package io.mirrorgate.protocol;

import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The one reconnect policy of every connection mirrorgate makes (--mirror-out, the agent, the
 * client, replay): a fixed interval between attempts, the attempts and failures counted, and one
 * line per outage (its first failure or the loss), not one per attempt; the line after it comes
 * back is the caller's. Thread-safe.
 */
public final class Reconnect {
    private final String name;
    private final Duration interval;
    private final Consumer<String> report;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private boolean down;

    /**
     * @param name what is connected to, for the line ("mirror-out 10.0.0.5:5555")
     * @param interval the time between attempts
     * @param report where the one line per outage goes (a logger's warn, the CLI's stderr)
     */
    public Reconnect(String name, Duration interval, Consumer<String> report) {
        this.name = name;
        this.interval = interval;
        this.report = report;
    }

    public Duration interval() {
        return interval;
    }

    /** An attempt starts. */
    public void attempt() {
        attempts.incrementAndGet();
    }

    /** The attempt failed: counted, and reported when it opens an outage. */
    public void failed(Throwable cause) {
        failures.incrementAndGet();
        String why = cause == null ? "unknown" : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        opened(name + ": cannot connect (" + why + "); retrying every " + seconds());
    }

    /** An established connection closed: reported when it opens an outage. */
    public void lost() {
        opened(name + ": connection closed; retrying every " + seconds());
    }

    /** Connected: the outage, if any, is over. Returns true if there was one. */
    public synchronized boolean connected() {
        boolean was = down;
        down = false;
        return was;
    }

    private synchronized void opened(String line) {
        if (!down) {
            down = true;
            report.accept(line);
        }
    }

    private String seconds() {
        long ms = interval.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** Runs {@code attempt} after the interval on {@code loop}. */
    public void schedule(EventExecutorGroup loop, Runnable attempt) {
        loop.schedule(attempt, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Attempts made. */
    public long attempts() {
        return attempts.get();
    }

    /** Attempts that failed. */
    public long failures() {
        return failures.get();
    }
}
