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

        long refusedConnections();

        long tlsRefused();

        long metricsErrors();

        long backpressurePauses();

        /** Capture-file counters {written, dropped, skipped, files}, or null without -w. */
        long[] files();
    }

    MetricsExporter(Source src) {
        this.src = src;
        JvmMetrics.builder().register(registry);
        perPeer("mirrorgate_agent_records_received", "Records received from the agent.", "agent", () -> agents, s -> s.received.get());
        perPeer("mirrorgate_agent_received_bytes", "Record bytes (headers included) received from the agent.", "agent", () -> agents, s -> s.bytes.get());
        perPeer("mirrorgate_agent_records_decoded", "Records decoded as well-formed IP packets.", "agent", () -> agents, s -> s.decoded.get());
        perPeer("mirrorgate_agent_records_malformed", "Records whose IP packet is malformed.", "agent", () -> agents, s -> s.malformed.get());
        perPeer("mirrorgate_agent_records_non_ip", "Records that carry no IP packet.", "agent", () -> agents, s -> s.nonIp.get());
        perPeer("mirrorgate_agent_records_compressed", "Compressed NCF records, passed on undecoded.", "agent", () -> agents, s -> s.compressed.get());
        perPeer("mirrorgate_agent_records_filtered", "Records the --filter expression left out.", "agent", () -> agents, s -> s.filtered.get());
        perPeer("mirrorgate_agent_connections", "Connections accepted from the agent's address.", "agent", () -> agents, s -> s.connected.get());
        perPeer("mirrorgate_agent_broken_streams", "Connections closed because their record stream broke.", "agent", () -> agents, s -> s.closedBadStream.get());
        perPeer("mirrorgate_agent_first_record_timeouts", "Connections closed without a whole record header in --first-record-timeout.", "agent", () -> agents, s -> s.firstRecordTimeouts.get());
        perPeer("mirrorgate_agent_inject_dropped", "Injection frames for the agent dropped: it does not read its socket (--inject-to-agent).", "agent", () -> agents, s -> s.injectDropped.get());
        perPeer("mirrorgate_subscriber_records_sent", "Records sent to the subscriber.", "subscriber", () -> subscribers, s -> s.sent.get());
        perPeer("mirrorgate_subscriber_records_dropped", "Records dropped for the subscriber: its queue was full, or its dialect cannot carry them.", "subscriber", () -> subscribers, s -> s.dropped.get());
        perPeer("mirrorgate_subscriber_stalls", "Subscribers disconnected after taking nothing for --stall-timeout.", "subscriber", () -> subscribers, s -> s.stalled.get());
        perPeer("mirrorgate_subscriber_connections", "Connections accepted from the subscriber's address.", "subscriber", () -> subscribers, s -> s.connected.get());
        CounterWithCallback.builder().name("mirrorgate_inject_frames")
                .help("Injection frames by outcome: sent onto the adapter or to agents, failed, discarded (no adapter or agent), "
                        + "empty, refused (--inject-allow), rate_limited, dropped (an agent's queue was full).")
                .labelNames("outcome").callback(cb -> {
                    SourceStats i = src.injection();
                    cb.call(i.injectSent.get(), "sent");
                    cb.call(i.injectFailed.get(), "failed");
                    cb.call(i.injectDiscarded.get(), "discarded");
                    cb.call(i.injectEmpty.get(), "empty");
                    cb.call(i.injectRefused.get(), "refused");
                    cb.call(i.injectRateLimited.get(), "rate_limited");
                    cb.call(i.injectDropped.get(), "dropped");
                }).register(registry);
        fileCounter("mirrorgate_file_records_written", "Records the capture files (-w) hold.", src, 0);
        fileCounter("mirrorgate_file_records_dropped", "Records lost to the capture files: a full queue or a failed write.", src, 1);
        fileCounter("mirrorgate_file_records_skipped", "Records not for a file: compressed NCF, past -G/-W's last file, a second link type on stdout.", src, 2);
        fileCounter("mirrorgate_files_opened", "Capture files opened.", src, 3);
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
    }

    private void perPeer(String name, String help, String label, Supplier<Map<String, SourceStats>> peers,
                         ToLongFunction<SourceStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(label).callback(cb -> {
            for (Map.Entry<String, SourceStats> e : peers.get().entrySet()) {
                cb.call(value.applyAsLong(e.getValue()), e.getKey());
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
