package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.netty.channel.Channel;

/** What an agent connection ({@link AgentHandler}) tells the collector: its life and its dialect. */
interface AgentEvents {
    void connected(Channel ch, SourceStats stats);

    /** The dialect the first record header showed (or the configured one); never changes after. */
    void dialectDecided(Channel ch, Dialect dialect);

    void closed(Channel ch, SourceStats stats);

    /** True the first time {@code event} happens for the peer's address: log it at WARN, later ones at DEBUG. */
    boolean firstTimeFrom(Channel ch, String event);
}
