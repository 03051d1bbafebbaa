package io.mirrorgate.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The collector's counters, read in one place: the statistics block (SIGUSR1, exit, --stats) and
 * the state /metrics exports ({@link MetricsExporter.Source}). Per-source counters come from
 * {@link SourceStats#COUNTERS}.
 */
final class CollectorStatistics implements MetricsExporter.Source {
    private final Agents agents;
    private final Subscribers subscribers;
    private final SourceStats injection;
    private final CaptureFileWriter writer;
    private final LongSupplier refused;
    private final TlsMaterial tls;
    private final AtomicLong metricsErrors;
    private final Backpressure backpressure;
    private final boolean metricsOn;
    /** --mirror-out, once started. */
    volatile MirrorOut mirrorOut;
    /** --kafka-bootstrap, or null. */
    volatile KafkaPublisher kafka;
    /** Datagrams of the UDP mirror inputs from sources past their bound (4,096 virtual agents), dropped. */
    volatile LongSupplier udpSourcesRefused = () -> 0;

    CollectorStatistics(Agents agents, Subscribers subscribers, SourceStats injection, CaptureFileWriter writer,
                        LongSupplier refused, TlsMaterial tls, AtomicLong metricsErrors, Backpressure backpressure,
                        boolean metricsOn) {
        this.agents = agents;
        this.subscribers = subscribers;
        this.injection = injection;
        this.writer = writer;
        this.refused = refused;
        this.tls = tls;
        this.metricsErrors = metricsErrors;
        this.backpressure = backpressure;
        this.metricsOn = metricsOn;
    }

    /** The statistics as lines: totals, each live agent and subscriber, injection, connections, files. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("agents " + agents.totals().line());
        agents.live().forEach(s -> out.add("  " + s.line()));
        out.add(subscribers.totals().line("subscribers", "sent", "dropped", "connected") + " budget_reached="
                + subscribers.hub.budgetReached.get());
        subscribers.live().forEach(s -> out.add("  " + s.line()));
        out.add(injection.line("injection", "inject_sent", "inject_failed", "inject_discarded", "inject_empty",
                "inject_refused", "inject_rate_limited", "inject_dropped"));
        long udp = udpSourcesRefused.getAsLong();
        out.add("connections refused=" + refusedConnections() + " tls_refused=" + tlsRefused()
                + (metricsOn ? " metrics_errors=" + metricsErrors.get() : "") + (udp > 0 ? " udp_sources_refused=" + udp : ""));
        MirrorOut m = mirrorOut;
        if (m != null) {
            out.add("mirror_out " + (m.connected() ? "connected" : "connecting") + " connect_failures="
                    + m.reconnect.failures());
        }
        KafkaPublisher k = kafka;
        if (k != null) {
            long n = k.published.get();
            out.add("kafka published=" + n + " failed=" + k.failed.get() + " dropped=" + k.dropped.get()
                    + " latency_ms_avg=" + (n == 0 ? 0 : k.latencyMicrosTotal.get() / n / 1000.0) + " latency_ms_max="
                    + k.latencyMicrosMax.get() / 1000.0 + (k.failedByCause.isEmpty() ? "" : " failed_by_cause=" + k.failedByCause));
        }
        if (writer != null) {
            out.add("files written=" + writer.written.get() + " dropped=" + writer.dropped.get() + " files=" + writer.files.get()
                    + " skipped=" + writer.skipped.get() + (writer.failure() != null ? " failed: " + writer.failure() : ""));
        }
        return out;
    }

    @Override
    public Map<String, SourceStats> agentsByAddress() {
        return agents.byAddress();
    }

    @Override
    public Map<String, SourceStats> subscribersByAddress() {
        return subscribers.byAddress();
    }

    @Override
    public SourceStats injection() {
        return injection;
    }

    @Override
    public int agentsConnected() {
        return agents.count();
    }

    @Override
    public long subscriberBudgetReached() {
        return subscribers.hub.budgetReached.get();
    }

    @Override
    public int subscribersConnected() {
        return subscribers.count();
    }

    @Override
    public long udpSourcesRefused() {
        return udpSourcesRefused.getAsLong();
    }

    @Override
    public long refusedConnections() {
        return refused.getAsLong();
    }

    @Override
    public long tlsRefused() {
        return tls.refused();
    }

    @Override
    public long metricsErrors() {
        return metricsErrors.get();
    }

    @Override
    public long backpressurePauses() {
        return backpressure.pauses.get();
    }

    @Override
    public long[] kafka() {
        KafkaPublisher k = kafka;
        return k == null ? null : new long[] {k.published.get(), k.failed.get(), k.dropped.get(), k.latencyMicrosTotal.get()};
    }

    @Override
    public long[] files() {
        CaptureFileWriter w = writer;
        return w == null ? null : new long[] {w.written.get(), w.dropped.get(), w.skipped.get(), w.files.get()};
    }
}
