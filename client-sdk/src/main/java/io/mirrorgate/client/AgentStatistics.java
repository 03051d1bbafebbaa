package io.mirrorgate.client;

/**
 * Counters of a {@link MirrorAgent}: records captured (or handed in), sent to the collector,
 * dropped because the buffer for a disconnected or slow collector was full, dropped by the
 * kernel and by the interface (libpcap's {@code pcap_stats}), injection frames sent onto the
 * adapter, refused by it, or discarded (no adapter), and connections made.
 */
public record AgentStatistics(long captured, long sent, long bufferDropped, long kernelDropped, long interfaceDropped,
                              long injectSent, long injectFailed, long injectDiscarded, long connects) {
}
