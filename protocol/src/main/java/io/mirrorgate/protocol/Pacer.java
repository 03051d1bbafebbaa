package io.mirrorgate.protocol;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a sender to a rate: item {@code n} is due {@code n / rate} seconds after the start, so
 * the average holds whatever each send cost (tcpreplay's {@code --pps}). A rate of 0 or less
 * never waits. Used by every paced sender: replay, inject and the agent's file mode.
 */
public final class Pacer {
    private final long perSecond;
    private final long start = System.nanoTime();

    /** @param perSecond items per second; 0 or less for as fast as possible */
    public Pacer(long perSecond) {
        this.perSecond = perSecond;
    }

    /**
     * Waits until item {@code sent} (counting from 1) is due; runs {@code beforeWaiting} (a flush)
     * first when it will wait. Returns the nanoseconds waited.
     */
    public long await(long sent, Runnable beforeWaiting) {
        if (perSecond <= 0) {
            return 0;
        }
        long wait = start + (long) (sent * 1e9 / perSecond) - System.nanoTime();
        if (wait <= 0) {
            return 0;
        }
        if (beforeWaiting != null) {
            beforeWaiting.run();
        }
        LockSupport.parkNanos(wait);
        return wait;
    }
}
