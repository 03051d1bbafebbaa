package io.mirrorgate.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving peers (client-port subscribers and the --mirror-out receiver) in the fan-out, and
 * the counters of those that closed.
 */
final class Subscribers implements SubscriberEvents {
    private static final Logger LOG = LoggerFactory.getLogger(Subscribers.class);

    final SubscriberHub hub;
    private final SourceStats retired = new SourceStats("closed subscribers");
    private final PeerHistory history = new PeerHistory(1024);

    Subscribers(SubscriberHub hub) {
        this.hub = hub;
    }

    @Override
    public void connected(Subscriber s) {
        hub.add(s);
        LOG.info("{} connected", s.stats.name);
    }

    @Override
    public void closed(Subscriber s) {
        hub.remove(s);
        retired.add(s.stats);
        history.retire(Peers.addressOf(s.stats), s.stats);
        LOG.info("{} closed: {}", s.stats.name, s.stats.line());
    }

    List<SourceStats> live() {
        List<SourceStats> out = new ArrayList<>();
        hub.subscribers().forEach(s -> out.add(s.stats));
        return out;
    }

    int count() {
        return hub.subscribers().size();
    }

    SourceStats totals() {
        SourceStats t = new SourceStats("subscribers");
        t.add(retired);
        live().forEach(t::add);
        return t;
    }

    Map<String, SourceStats> byAddress() {
        return history.byAddress(live(), Peers::addressOf);
    }

    /** Lets each subscriber take what is queued for it until the deadline, then closes it. */
    void drainAndClose(long deadlineMillis) {
        for (Subscriber s : new ArrayList<>(hub.subscribers())) {
            long left = deadlineMillis - System.currentTimeMillis();
            if (left > 0 && s.channel.isActive()) {
                s.channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).awaitUninterruptibly(left);
            }
            s.channel.close().awaitUninterruptibly(1000);
        }
    }
}
