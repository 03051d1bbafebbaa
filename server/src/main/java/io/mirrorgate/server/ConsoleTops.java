package io.mirrorgate.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the web console's top conversations may cost. Each agent copies its heaviest live
 * conversations only while someone asks for them ({@code /api/conversations} in the last
 * {@link #WANTED_FOR_MS}), and at most {@link #MAX_ROWS} copies are held over all agents (a
 * collector with thousands of virtual agents keeps a few MB, not one list per agent); an agent
 * that finds no room shows none and is counted in {@link #leftOut}.
 */
final class ConsoleTops {
    static final long WANTED_FOR_MS = 10_000;
    static final int MAX_ROWS = 20_000;

    private volatile long wantedUntil;
    private final AtomicInteger rows = new AtomicInteger();
    /** Agents whose lists did not fit when they were last renewed (a gauge). */
    final AtomicInteger leftOut = new AtomicInteger();

    /** Someone asked: the agents keep their lists for the next {@link #WANTED_FOR_MS}. */
    void asked() {
        wantedUntil = System.currentTimeMillis() + WANTED_FOR_MS;
    }

    boolean wanted(long nowMillis) {
        return nowMillis < wantedUntil;
    }

    /** Trades an agent's {@code held} rows for {@code next}; false, holding none, when they do not fit. */
    boolean take(int held, int next) {
        int now = rows.addAndGet(next - held);
        if (now <= MAX_ROWS) {
            return true;
        }
        rows.addAndGet(-next);
        return false;
    }

    /** Gives back an agent's {@code held} rows. */
    void release(int held) {
        rows.addAndGet(-held);
    }

    int rows() {
        return rows.get();
    }
}
