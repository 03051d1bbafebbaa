package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.netty.channel.Channel;

/** A channel that receives every record (a client-port subscriber or the mirror-out receiver). */
final class Subscriber {
    final Channel channel;
    final Dialect dialect;
    final SourceStats stats;
    final InjectContext inject;

    Subscriber(Channel channel, Dialect dialect, SourceStats stats) {
        this.channel = channel;
        this.dialect = dialect;
        this.stats = stats;
        this.inject = new InjectContext(channel, stats);
    }
}
