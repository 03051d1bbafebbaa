package io.mirrorgate.server;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * {@code /metrics} through the Prometheus Java client: the Prometheus text format or OpenMetrics
 * (as the scraper's Accept header asks), JVM and process metrics, and the collector's counters.
 * Agents and subscribers are labelled by address, without the ephemeral port, so that a reconnect
 * continues the same series; there is no pseudo-peer "total" series beside them (sum() gives it).
 * Each counter stands where it means something: records received under agents, records sent and
 * dropped under subscribers, injection frames by outcome.
 */
final class MetricsExporter {
    /** What a scrape answers. */
    static final class Exposition {
        final String contentType;
        final byte[] body;

        Exposition(String contentType, byte[] body) {
            this.contentType = contentType;
            this.body = body;
        }
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Source src;
    /** Per-address counters, taken once per scrape (not once per counter) by {@link #scrape}. */
    private Map<String, SourceStats> agents = Map.of();
    private Map<String, SourceStats> subscribers = Map.of();
    private final ExpositionFormats formats = ExpositionFormats.init();

    /** Where the exporter reads the collector's state. */
    interface Source {
        Map<String, SourceStats> agentsByAddress();

        Map<String, SourceStats> subscribersByAddress();

        SourceStats injection();

        int agentsConnected();

        int subscribersConnected();

        /** Runs that found the subscribers' memory budget reached (dropped under drop, agents paused under block). */
        long subscriberBudgetReached();

        long refusedConnections();

        /** Datagrams of the UDP mirror inputs dropped because their source was past the bound of virtual agents. */
        long udpSourcesRefused();

        long tlsRefused();

        long metricsErrors();

        long backpressurePauses();

        /** Capture-file counters {written, dropped, skipped, files}, or null without -w. */
        long[] files();

        /** Kafka counters {published, failed, dropped, latency µs total}, or null without --kafka-bootstrap. */
        long[] kafka();
    }

    MetricsExporter(Source src) {
        this.src = src;
        JvmMetrics.builder().register(registry);
        for (SourceStats.Counter c : SourceStats.COUNTERS) {
            if (c.agentMetric != null) {
                perPeer(c.agentMetric, c.agentHelp, "agent", () -> agents, c::of);
            }
            if (c.subscriberMetric != null) {
                perPeer(c.subscriberMetric, c.subscriberHelp, "subscriber", () -> subscribers, c::of);
            }
        }
        GaugeWithCallback.builder().name("mirrorgate_agent_conversations_active")
                .help("Conversations live now per agent (--analysis).").labelNames("agent").callback(cb -> {
                    for (Map.Entry<String, SourceStats> e : agents.entrySet()) {
                        cb.call(e.getValue().conversationsActive.get(), e.getKey());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("mirrorgate_agent_capture_loss_ratio")
                .help("Share of the agent's TCP ACKs that acknowledge data the mirror never delivered, as Zeek's capture-loss "
                        + "computes it (--analysis; over the agent's whole life).").labelNames("agent").callback(cb -> {
                    for (Map.Entry<String, SourceStats> e : agents.entrySet()) {
                        long acks = e.getValue().tcpAcks.get();
                        if (acks > 0) {
                            cb.call((double) e.getValue().tcpAckedUnseen.get() / acks, e.getKey());
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder().name("mirrorgate_inject_frames")
                .help("Injection frames by outcome: sent onto the adapter or to agents, failed, discarded (no adapter or agent), "
                        + "empty, refused (--inject-allow), rate_limited, dropped (an agent's queue was full).")
                .labelNames("outcome").callback(cb -> {
                    SourceStats i = src.injection();
                    for (SourceStats.Counter c : SourceStats.COUNTERS) {
                        if (c.injectOutcome != null) {
                            cb.call(c.of(i), c.injectOutcome);
                        }
                    }
                }).register(registry);
        fileCounter("mirrorgate_file_records_written", "Records the capture files (-w) hold.", src, 0);
        fileCounter("mirrorgate_file_records_dropped", "Records lost to the capture files: a full queue or a failed write.", src, 1);
        fileCounter("mirrorgate_file_records_skipped", "Records not for a file: compressed NCF, past -G/-W's last file, a second link type on stdout.", src, 2);
        fileCounter("mirrorgate_files_opened", "Capture files opened.", src, 3);
        kafkaCounter("mirrorgate_kafka_published", "Records the Kafka broker acknowledged.", src, 0, 1);
        kafkaCounter("mirrorgate_kafka_failed", "Records the Kafka producer finally failed to deliver (causes logged once each).", src, 1, 1);
        kafkaCounter("mirrorgate_kafka_dropped", "Records not handed to Kafka: its queue was full (--backpressure drop).", src, 2, 1);
        kafkaCounter("mirrorgate_kafka_latency_seconds", "Send-to-acknowledgement time summed over published records "
                + "(divide by mirrorgate_kafka_published for the mean).", src, 3, 1e-6);
        CounterWithCallback.builder().name("mirrorgate_udp_sources_refused").help("Datagrams of a VXLAN, GENEVE or TZSP input from a source past the 4,096 virtual agents an input keeps, dropped.")
                .callback(cb -> cb.call(src.udpSourcesRefused())).register(registry);
        CounterWithCallback.builder().name("mirrorgate_connections_refused").help("Connections closed at accept: not in --allow, or over a connection cap.")
                .callback(cb -> cb.call(src.refusedConnections())).register(registry);
        CounterWithCallback.builder().name("mirrorgate_tls_refused").help("TLS handshakes that failed.")
                .callback(cb -> cb.call(src.tlsRefused())).register(registry);
        CounterWithCallback.builder().name("mirrorgate_metrics_errors").help("Metrics connections closed for a bad or oversize request, a timeout or a reset.")
                .callback(cb -> cb.call(src.metricsErrors())).register(registry);
        CounterWithCallback.builder().name("mirrorgate_backpressure_pauses").help("Times reading from agents was paused (--backpressure block).")
                .callback(cb -> cb.call(src.backpressurePauses())).register(registry);
        GaugeWithCallback.builder().name("mirrorgate_agents_connected").help("Agents connected now.")
                .callback(cb -> cb.call(src.agentsConnected())).register(registry);
        GaugeWithCallback.builder().name("mirrorgate_subscribers_connected").help("Subscribers connected now.")
                .callback(cb -> cb.call(src.subscribersConnected())).register(registry);
        CounterWithCallback.builder().name("mirrorgate_subscriber_budget_reached").help("Record runs that found what all subscribers queue together at its bound (half the JVM's direct memory).")
                .callback(cb -> cb.call(src.subscriberBudgetReached())).register(registry);
    }

    private void perPeer(String name, String help, String label, Supplier<Map<String, SourceStats>> peers,
                         ToLongFunction<SourceStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(label).callback(cb -> {
            for (Map.Entry<String, SourceStats> e : peers.get().entrySet()) {
                cb.call(value.applyAsLong(e.getValue()), e.getKey());
            }
        }).register(registry);
    }

    private void kafkaCounter(String name, String help, Source src, int index, double scale) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> {
            long[] k = src.kafka();
            if (k != null) {
                cb.call(k[index] * scale);
            }
        }).register(registry);
    }

    private void fileCounter(String name, String help, Source src, int index) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> {
            long[] f = src.files();
            if (f != null) {
                cb.call(f[index]);
            }
        }).register(registry);
    }

    /** The exposition the Accept header asks for (Prometheus text unless OpenMetrics is preferred). */
    synchronized Exposition scrape(String accept) {
        agents = src.agentsByAddress();
        subscribers = src.subscribersByAddress();
        ExpositionFormatWriter w = formats.findWriter(accept);
        if (!w.isAvailable()) {
            w = formats.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            w.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Exposition(w.getContentType(), out.toByteArray());
    }
}
