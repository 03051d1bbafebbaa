package io.mirrorgate.client;

/**
 * Counters of a {@link MirrorClient} or {@link MirrorReceiver}: records received and decoded,
 * malformed ones, records dropped because the application's queue was full, injection frames
 * sent, injection frames that could not be sent (not connected), and connections made.
 */
public record ClientStatistics(long received, long malformed, long dropped, long injected, long injectFailed,
                               long connects) {
}
