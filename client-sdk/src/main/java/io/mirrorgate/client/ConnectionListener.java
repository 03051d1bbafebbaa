package io.mirrorgate.client;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * What a {@link MirrorClient} tells its application about its connection, on the client's network
 * thread (keep it short; do not block). Every method has an empty default.
 */
public interface ConnectionListener {
    /**
     * Connected (the first time, or again after an outage).
     *
     * @param peer the collector
     */
    default void connected(InetSocketAddress peer) {
    }

    /**
     * A connection attempt failed; the next one follows in {@code retryIn}.
     *
     * @param peer the collector
     * @param cause why the attempt failed (refused, unreachable, TLS)
     * @param retryIn time until the next attempt
     */
    default void connectFailed(InetSocketAddress peer, Throwable cause, Duration retryIn) {
    }

    /**
     * An established connection closed; reconnecting follows in {@code retryIn}.
     *
     * @param peer the collector
     * @param retryIn time until the next attempt
     */
    default void disconnected(InetSocketAddress peer, Duration retryIn) {
    }
}
