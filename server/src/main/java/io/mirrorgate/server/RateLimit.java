package io.mirrorgate.server;

/**
 * A token bucket of frames per second with one second of burst; {@link #take()} is false when the
 * rate is used up. Rate 0: unlimited. Thread-safe.
 */
final class RateLimit {
    private final long perSecond;
    private double tokens;
    private long last = System.nanoTime();

    RateLimit(long perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
    }

    synchronized boolean take() {
        if (perSecond <= 0) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(perSecond, tokens + (now - last) * perSecond / 1e9);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
