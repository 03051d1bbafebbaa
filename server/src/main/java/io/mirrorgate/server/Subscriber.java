package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.netty.channel.Channel;

/**
 * A channel that receives every record: a client-port subscriber or the mirror-out receiver (in
 * a CommView dialect), or a PCAP-over-IP client ({@code dialect} null: records of its one medium
 * as classic pcap records).
 */
final class Subscriber {
    final Channel channel;
    final Dialect dialect;
    final SourceStats stats;
    final InjectContext inject;
    /** The medium a PCAP-over-IP client takes ({@link io.mirrorgate.protocol.Medium}); -1 for the others. */
    final int pcapMedium;

    Subscriber(Channel channel, Dialect dialect, SourceStats stats) {
        this(channel, dialect, stats, -1);
    }

    Subscriber(Channel channel, Dialect dialect, SourceStats stats, int pcapMedium) {
        this.channel = channel;
        this.dialect = dialect;
        this.stats = stats;
        this.pcapMedium = pcapMedium;
        this.inject = new InjectContext(channel, stats);
    }
}
