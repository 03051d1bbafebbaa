package io.mirrorgate.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mirrorgate.protocol.Medium;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The web console's read-only JSON API (README "Web console"): {@code /api/status} (agents,
 * subscribers, PCAP-over-IP clients, Kafka, injection, capture files), {@code /api/rates} (the
 * last 10 minutes per second, {@link RateHistory}) and {@code /api/conversations} (with
 * {@code --analysis}: the heaviest live conversations). Every number is read from the counters
 * the statistics block and {@code /metrics} read; nothing here is on the records' path.
 */
final class ConsoleApi {
    private static final JsonFactory JSON = new JsonFactory();
    /**
     * Agents /api/status lists at most, the busiest first (by records received): a collector with
     * thousands of virtual agents still sends each page a status of a few hundred KB a second.
     */
    static final int MAX_AGENT_ROWS = 1000;

    private final CollectorStatistics statistics;
    private final Agents agents;
    private final Subscribers subscribers;
    private final CaptureFileWriter writer;
    private final Supplier<String> injectionState;
    /** --analysis: the top conversations' bound and whether they are wanted; null without --analysis. */
    private final ConsoleTops tops;
    final RateHistory rates;
    private final long started = System.currentTimeMillis();
    private volatile byte[] latest;

    ConsoleApi(CollectorStatistics statistics, Agents agents, Subscribers subscribers, CaptureFileWriter writer,
               Supplier<String> injectionState, ConsoleTops tops) {
        this.statistics = statistics;
        this.agents = agents;
        this.subscribers = subscribers;
        this.writer = writer;
        this.injectionState = injectionState;
        this.tops = tops;
        this.rates = new RateHistory(() -> new ArrayList<>(agents.live()), () -> {
            long[] f = statistics.files();
            long[] k = statistics.kafka();
            return new long[] {agents.totals().received.get(),
                    subscribers.totals().dropped.get() + (f == null ? 0 : f[1]) + (k == null ? 0 : k[2])};
        });
    }

    /** Writes a JSON document with {@code body}. */
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    /** The status now. */
    byte[] status() {
        return json(this::status);
    }

    /**
     * The status as of the last sample (at most a second old), made once on the sampler's thread
     * for every event stream: the event loops only write it.
     */
    byte[] latestStatus() {
        byte[] s = latest;
        return s != null ? s : status();
    }

    /** Once a second, on the sampler's thread: a sample of the rates, then the status the streams send. */
    void sample(long nowMillis) {
        rates.sample(nowMillis);
        latest = status();
    }

    private void status(JsonGenerator g) throws IOException {
        long now = System.currentTimeMillis();
        SourceStats at = agents.totals();
        SourceStats st = subscribers.totals();
        g.writeStartObject();
        g.writeNumberField("time", now);
        g.writeNumberField("startedAt", started);
        g.writeBooleanField("analysis", tops != null);
        g.writeObjectFieldStart("totals");
        g.writeNumberField("agents", statistics.agentsConnected());
        g.writeNumberField("received", at.received.get());
        g.writeNumberField("bytes", at.bytes.get());
        g.writeNumberField("decoded", at.decoded.get());
        g.writeNumberField("malformed", at.malformed.get());
        g.writeNumberField("datagramsMalformed", at.decapMalformed.get());
        g.writeNumberField("brokenStreams", at.closedBadStream.get());
        g.writeNumberField("subscribers", statistics.subscribersConnected());
        g.writeNumberField("sent", st.sent.get());
        g.writeNumberField("dropped", st.dropped.get());
        g.writeNumberField("recordsPerSecond", rates.latest()[0]);
        g.writeNumberField("dropsPerSecond", rates.latest()[1]);
        g.writeNumberField("refusedConnections", statistics.refusedConnections());
        g.writeNumberField("udpSourcesRefused", statistics.udpSourcesRefused());
        List<SourceStats> live = new ArrayList<>(agents.live());
        if (live.size() > MAX_AGENT_ROWS) {
            live.sort((a, b) -> Long.compare(b.received.get(), a.received.get()));
        }
        List<SourceStats> shown = live.subList(0, Math.min(MAX_AGENT_ROWS, live.size()));
        g.writeNumberField("agentsNotListed", live.size() - shown.size());
        g.writeEndObject();

        g.writeArrayFieldStart("agents");
        shown.sort((a, b) -> a.name.compareTo(b.name));
        for (SourceStats a : shown) {
            g.writeStartObject();
            g.writeStringField("name", Peers.nameOf(a));
            g.writeStringField("address", Peers.addressOf(a));
            g.writeStringField("kind", a.kind);
            g.writeArrayFieldStart("media");
            int m = a.media.get();
            for (int k = 0; k < 32; k++) {
                if ((m & (1 << k)) != 0) {
                    g.writeString(Medium.name(k));
                }
            }
            g.writeEndArray();
            g.writeNumberField("since", a.since);
            g.writeNumberField("received", a.received.get());
            g.writeNumberField("bytes", a.bytes.get());
            double[] r = rates.rate(a);
            g.writeNumberField("recordsPerSecond", r[0]);
            g.writeNumberField("bytesPerSecond", r[1]);
            g.writeNumberField("malformed", a.malformed.get());
            g.writeNumberField("datagramsMalformed", a.decapMalformed.get());
            g.writeNumberField("brokenStreams", a.closedBadStream.get());
            g.writeNumberField("filtered", a.filtered.get());
            g.writeNumberField("deduplicated", a.deduplicated.get());
            g.writeNumberField("conversationsActive", a.conversationsActive.get());
            g.writeNullField("kernelDrops"); // neither CommView's stream nor a mirror tells
            g.writeEndObject();
        }
        g.writeEndArray();

        g.writeArrayFieldStart("subscribers");
        long pcapClients = 0;
        long pcapSent = 0;
        long pcapDropped = 0;
        long pcapSkipped = 0;
        for (Subscriber s : subscribers.hub.subscribers()) {
            boolean pcap = s.dialect == null;
            if (pcap) {
                pcapClients++;
                pcapSent += s.stats.sent.get();
                pcapDropped += s.stats.dropped.get();
                pcapSkipped += s.stats.skipped.get();
            }
            g.writeStartObject();
            g.writeStringField("name", Peers.nameOf(s.stats));
            g.writeStringField("kind", pcap ? "pcap-over-ip " + Medium.name(s.pcapMedium) : s.dialect.name());
            g.writeNumberField("since", s.stats.since);
            g.writeNumberField("sent", s.stats.sent.get());
            g.writeNumberField("dropped", s.stats.dropped.get());
            g.writeNumberField("skipped", s.stats.skipped.get());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("pcapOverIp");
        g.writeNumberField("clients", pcapClients);
        g.writeNumberField("sent", pcapSent);
        g.writeNumberField("dropped", pcapDropped);
        g.writeNumberField("skipped", pcapSkipped);
        g.writeEndObject();

        SourceStats i = statistics.injection();
        g.writeObjectFieldStart("injection");
        g.writeStringField("state", injectionState.get());
        for (SourceStats.Counter c : SourceStats.COUNTERS) {
            if (c.injectOutcome != null) {
                g.writeNumberField(c.injectOutcome, c.of(i));
            }
        }
        g.writeEndObject();

        long[] k = statistics.kafka();
        if (k == null) {
            g.writeNullField("kafka");
        } else {
            g.writeObjectFieldStart("kafka");
            g.writeNumberField("published", k[0]);
            g.writeNumberField("failed", k[1]);
            g.writeNumberField("dropped", k[2]);
            g.writeEndObject();
        }
        long[] f = statistics.files();
        if (f == null) {
            g.writeNullField("files");
        } else {
            g.writeObjectFieldStart("files");
            g.writeNumberField("written", f[0]);
            g.writeNumberField("dropped", f[1]);
            g.writeNumberField("skipped", f[2]);
            g.writeNumberField("opened", f[3]);
            g.writeStringField("failure", writer.failure());
            g.writeArrayFieldStart("open");
            for (Path p : writer.openFiles()) {
                g.writeStartObject();
                g.writeStringField("path", p.toString());
                long size;
                try {
                    size = Files.size(p);
                } catch (IOException e) {
                    size = -1; // moved away or removed under us (SIGUSR2 reopens)
                }
                g.writeNumberField("bytes", size);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    byte[] rates() {
        RateHistory.Snapshot s = rates.snapshot();
        return json(g -> {
            g.writeStartObject();
            g.writeNumberField("intervalSeconds", 1);
            g.writeArrayFieldStart("time");
            for (long t : s.times()) {
                g.writeNumber(t);
            }
            g.writeEndArray();
            floats(g, "recordsPerSecond", s.records());
            floats(g, "dropsPerSecond", s.drops());
            g.writeArrayFieldStart("agents");
            for (int k = 0; k < s.agents().size(); k++) {
                g.writeStartObject();
                g.writeStringField("name", s.agents().get(k));
                g.writeBooleanField("live", s.agentLive().get(k));
                floats(g, "recordsPerSecond", s.agentRecords().get(k));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("untrackedAgents", s.untracked());
            g.writeEndObject();
        });
    }

    private static void floats(JsonGenerator g, String name, float[] v) throws IOException {
        g.writeArrayFieldStart(name);
        for (float x : v) {
            g.writeNumber(Math.round(x * 10) / 10.0);
        }
        g.writeEndArray();
    }

    /** The {@code top} heaviest live conversations over all agents, by bytes or retransmissions; null without --analysis. */
    byte[] conversations(int top, boolean byRetransmissions) {
        if (tops == null) {
            return null;
        }
        tops.asked(); // the agents renew their lists within a second, and keep them while asked
        List<ConversationRow> all = new ArrayList<>();
        for (SourceStats a : agents.live()) {
            all.addAll(byRetransmissions ? a.topByRetransmissions : a.topByBytes);
        }
        all.sort(byRetransmissions ? ConversationRow.ROWS_BY_RETRANSMISSIONS : ConversationRow.ROWS_BY_BYTES);
        List<ConversationRow> rows = all.subList(0, Math.min(top, all.size()));
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("sort", byRetransmissions ? "retransmissions" : "bytes");
            g.writeNumberField("agentsLeftOut", tops.leftOut.get());
            g.writeArrayFieldStart("conversations");
            for (ConversationRow c : rows) {
                g.writeStartObject();
                g.writeStringField("agent", c.agent());
                g.writeStringField("proto", c.proto());
                g.writeStringField("addrA", c.addrA());
                g.writeNumberField("portA", c.portA());
                g.writeStringField("addrB", c.addrB());
                g.writeNumberField("portB", c.portB());
                g.writeNumberField("frames", c.frames());
                g.writeNumberField("bytes", c.bytes());
                g.writeNumberField("retransmissions", c.retransmissions());
                g.writeNumberField("zeroWindows", c.zeroWindows());
                g.writeBooleanField("reset", c.reset());
                g.writeStringField("state", c.state());
                g.writeStringField("history", c.history());
                g.writeNumberField("startMicros", c.startMicros());
                g.writeNumberField("lastMicros", c.lastMicros());
                g.writeStringField("communityId", c.communityId());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
