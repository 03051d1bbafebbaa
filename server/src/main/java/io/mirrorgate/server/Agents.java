package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrameEncoder;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents connected now, with their counters and decided dialects, and the counters of those
 * that closed (totals, and per address for /metrics; bounded).
 */
final class Agents implements AgentEvents {
    private static final Logger LOG = LoggerFactory.getLogger(Agents.class);

    /** Agent connections, and the virtual agents of the UDP mirror inputs (by their key). */
    private final Map<Object, SourceStats> live = new ConcurrentHashMap<>();
    private final Map<Channel, Dialect> dialects = new ConcurrentHashMap<>();
    private final SourceStats retired = new SourceStats("closed agents");
    private final PeerHistory history = new PeerHistory(1024);
    private final Backpressure backpressure;
    private final LogOnce logOnce;
    /** The configured dialect (null: decided per agent), and whether agents get injection frames. */
    private final Dialect configured;
    private final boolean injectToAgents;
    private final java.util.concurrent.atomic.AtomicInteger virtual = new java.util.concurrent.atomic.AtomicInteger();

    Agents(Backpressure backpressure, LogOnce logOnce, Dialect configured, boolean injectToAgents) {
        this.backpressure = backpressure;
        this.logOnce = logOnce;
        this.configured = configured;
        this.injectToAgents = injectToAgents;
    }

    @Override
    public void connected(Channel ch, SourceStats s) {
        s.connected.incrementAndGet();
        live.put(ch, s);
        if (configured != null) {
            dialects.put(ch, configured); // a configured dialect is never "decided": the agent can take frames now
            s.kind = configured.name();
        }
        backpressure.agentActive(ch);
        LOG.info("{} connected", s.name);
    }

    @Override
    public void dialectDecided(Channel ch, Dialect d) {
        dialects.put(ch, d);
        SourceStats s = live.get(ch);
        if (s != null) {
            s.kind = d.name();
        }
        if (injectToAgents && configured == null) {
            ch.pipeline().addFirst(new InjectionFrameEncoder(d));
        }
    }

    @Override
    public void closed(Channel ch, SourceStats s) {
        backpressure.agentInactive(ch);
        if (live.remove(ch) != null) {
            dialects.remove(ch);
            retired.add(s);
            history.retire(Peers.addressOf(s), s);
            LOG.info("{} closed: {}", s.name, s.line());
        }
    }

    @Override
    public boolean firstTimeFrom(Channel ch, String event) {
        return logOnce.first(Peers.address(ch) + " " + event);
    }

    /** A virtual agent of a UDP mirror input appeared (it stays while the collector runs). */
    void virtualConnected(Object key, SourceStats s) {
        s.connected.incrementAndGet();
        live.put(key, s);
        virtual.incrementAndGet();
        LOG.info("{} appeared", s.name);
    }

    /** Virtual agents of the UDP mirror inputs: a mirror has no way back, so they take no injection frame. */
    int virtualCount() {
        return virtual.get();
    }

    /** Agents whose dialect is known: they can take injection frames. */
    Collection<Channel> withDialect() {
        return dialects.keySet();
    }

    SourceStats stats(Channel ch) {
        return live.get(ch);
    }

    Collection<SourceStats> live() {
        return live.values();
    }

    int count() {
        return live.size();
    }

    /** Totals over every agent that was ever connected. */
    SourceStats totals() {
        SourceStats t = new SourceStats("total");
        t.add(retired);
        live.values().forEach(t::add);
        return t;
    }

    Map<String, SourceStats> byAddress() {
        return history.byAddress(new ArrayList<>(live.values()), Peers::addressOf);
    }

    void closeAll() {
        for (Object a : new ArrayList<>(live.keySet())) {
            if (a instanceof Channel) {
                ((Channel) a).close().awaitUninterruptibly(1000);
            }
        }
    }
}
