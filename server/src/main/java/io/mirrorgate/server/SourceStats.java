package io.mirrorgate.server;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Counters of one source (an agent connection, a subscriber, the injector) of SPEC section 6.
 * Hot-path counters are added once per batch by the source's own event loop; readers on other
 * threads see them through atomics. {@link #COUNTERS} is the one table the statistics lines,
 * /metrics and the totals are all made from.
 */
public final class SourceStats {
    public final String name;
    public final AtomicLong received = new AtomicLong();
    public final AtomicLong bytes = new AtomicLong();
    public final AtomicLong decoded = new AtomicLong();
    public final AtomicLong malformed = new AtomicLong();
    public final AtomicLong nonIp = new AtomicLong();
    public final AtomicLong compressed = new AtomicLong();
    public final AtomicLong filtered = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();
    public final AtomicLong sent = new AtomicLong();
    /** Records a PCAP-over-IP client was not sent: another medium than its link type, or compressed. */
    public final AtomicLong skipped = new AtomicLong();
    /** Datagrams of a UDP mirror input (VXLAN, GENEVE, TZSP) that did not parse. */
    public final AtomicLong decapMalformed = new AtomicLong();
    public final AtomicLong injectSent = new AtomicLong();
    public final AtomicLong injectFailed = new AtomicLong();
    public final AtomicLong injectDiscarded = new AtomicLong();
    public final AtomicLong injectEmpty = new AtomicLong();
    public final AtomicLong injectRefused = new AtomicLong();
    public final AtomicLong injectRateLimited = new AtomicLong();
    public final AtomicLong connected = new AtomicLong();
    public final AtomicLong closedBadStream = new AtomicLong();
    public final AtomicLong injectDropped = new AtomicLong();
    public final AtomicLong stalled = new AtomicLong();
    public final AtomicLong firstRecordTimeouts = new AtomicLong();
    public final AtomicLong deduplicated = new AtomicLong();
    public final AtomicLong conversations = new AtomicLong();
    public final AtomicLong conversationsExpired = new AtomicLong();
    public final AtomicLong conversationsEvicted = new AtomicLong();
    public final AtomicLong tcpRetransmissions = new AtomicLong();
    public final AtomicLong tcpResets = new AtomicLong();
    public final AtomicLong tcpZeroWindows = new AtomicLong();
    public final AtomicLong mirrorDuplicates = new AtomicLong();
    public final AtomicLong tcpAcks = new AtomicLong();
    public final AtomicLong tcpAckedUnseen = new AtomicLong();
    /** A gauge, not a counter (--analysis): conversations live now; 0 once the connection closed. */
    public final AtomicLong conversationsActive = new AtomicLong();
    /** When the source appeared (epoch ms). */
    public final long since = System.currentTimeMillis();
    /** What the source speaks (NCF, NCFX) or is (a virtual agent's encapsulation and VNI); null until known. */
    public volatile String kind;
    /** The media its records carried: bit {@code 1 << medium} for each (Medium values), set once per read. */
    public final java.util.concurrent.atomic.AtomicInteger media = new java.util.concurrent.atomic.AtomicInteger();
    /** --analysis: the source's heaviest live conversations by bytes and by retransmissions, renewed each second. */
    public volatile java.util.List<ConversationRow> topByBytes = java.util.List.of();
    public volatile java.util.List<ConversationRow> topByRetransmissions = java.util.List.of();

    /**
     * One counter: its name in statistics lines, the field, and where /metrics shows it: as an
     * agent series, a subscriber series (each labelled by address), an outcome of
     * {@code mirrorgate_inject_frames}, or several of these.
     */
    public static final class Counter {
        public final String name;
        final Function<SourceStats, AtomicLong> field;
        String agentMetric;
        String agentHelp;
        String subscriberMetric;
        String subscriberHelp;
        String injectOutcome;

        private Counter(String name, Function<SourceStats, AtomicLong> field) {
            this.name = name;
            this.field = field;
        }

        private Counter agent(String metric, String help) {
            agentMetric = metric;
            agentHelp = help;
            return this;
        }

        private Counter subscriber(String metric, String help) {
            subscriberMetric = metric;
            subscriberHelp = help;
            return this;
        }

        private Counter outcome(String outcome) {
            injectOutcome = outcome;
            return this;
        }

        /** The counter's value in {@code s}. */
        public long of(SourceStats s) {
            return field.apply(s).get();
        }
    }

    private static Counter counter(String name, Function<SourceStats, AtomicLong> field) {
        return new Counter(name, field);
    }

    /** Every counter, in the order of the statistics lines. */
    public static final List<Counter> COUNTERS = List.of(
            counter("received", s -> s.received).agent("mirrorgate_agent_records_received", "Records received from the agent."),
            counter("bytes", s -> s.bytes).agent("mirrorgate_agent_received_bytes",
                    "Record bytes (headers included) received from the agent."),
            counter("decoded", s -> s.decoded).agent("mirrorgate_agent_records_decoded", "Records decoded as well-formed IP packets."),
            counter("malformed", s -> s.malformed).agent("mirrorgate_agent_records_malformed", "Records whose IP packet is malformed."),
            counter("non_ip", s -> s.nonIp).agent("mirrorgate_agent_records_non_ip", "Records that carry no IP packet."),
            counter("compressed", s -> s.compressed).agent("mirrorgate_agent_records_compressed",
                    "Compressed NCF records, passed on undecoded."),
            counter("decap_malformed", s -> s.decapMalformed).agent("mirrorgate_agent_datagrams_malformed",
                    "Datagrams of a VXLAN, GENEVE or TZSP input that did not parse (the source's counted records are the good ones)."),
            counter("filtered", s -> s.filtered).agent("mirrorgate_agent_records_filtered", "Records the --filter expression left out."),
            counter("dropped", s -> s.dropped).subscriber("mirrorgate_subscriber_records_dropped",
                    "Records dropped for the subscriber: its queue was full, or its dialect cannot carry them."),
            counter("sent", s -> s.sent).subscriber("mirrorgate_subscriber_records_sent", "Records sent to the subscriber."),
            counter("skipped", s -> s.skipped).subscriber("mirrorgate_subscriber_records_skipped",
                    "Records a PCAP-over-IP client was not sent: of another medium than its link type (--pcap-linktype), or compressed."),
            counter("inject_sent", s -> s.injectSent).outcome("sent"),
            counter("inject_failed", s -> s.injectFailed).outcome("failed"),
            counter("inject_discarded", s -> s.injectDiscarded).outcome("discarded"),
            counter("inject_empty", s -> s.injectEmpty).outcome("empty"),
            counter("inject_refused", s -> s.injectRefused).outcome("refused"),
            counter("inject_rate_limited", s -> s.injectRateLimited).outcome("rate_limited"),
            counter("connected", s -> s.connected)
                    .agent("mirrorgate_agent_connections", "Connections accepted from the agent's address.")
                    .subscriber("mirrorgate_subscriber_connections", "Connections accepted from the subscriber's address."),
            counter("closed_bad_stream", s -> s.closedBadStream).agent("mirrorgate_agent_broken_streams",
                    "Connections closed because their record stream broke."),
            counter("inject_dropped", s -> s.injectDropped).outcome("dropped").agent("mirrorgate_agent_inject_dropped",
                    "Injection frames for the agent dropped: it does not read its socket (--inject-to-agent)."),
            counter("stalled", s -> s.stalled).subscriber("mirrorgate_subscriber_stalls",
                    "Subscribers disconnected after taking nothing for --stall-timeout."),
            counter("first_record_timeouts", s -> s.firstRecordTimeouts).agent("mirrorgate_agent_first_record_timeouts",
                    "Connections closed without a whole record header in --first-record-timeout."),
            counter("deduplicated", s -> s.deduplicated).agent("mirrorgate_agent_records_deduplicated",
                    "Records dropped by --dedup as mirror copies of a packet already received (from any agent)."),
            counter("conversations", s -> s.conversations).agent("mirrorgate_agent_conversations",
                    "Conversations that began (--analysis)."),
            counter("conversations_expired", s -> s.conversationsExpired).agent("mirrorgate_agent_conversations_expired",
                    "Conversations ended for idleness (--analysis)."),
            counter("conversations_evicted", s -> s.conversationsEvicted).agent("mirrorgate_agent_conversations_evicted",
                    "Conversations ended because the agent had the most it may have live (--analysis)."),
            counter("tcp_retransmissions", s -> s.tcpRetransmissions).agent("mirrorgate_agent_tcp_retransmissions",
                    "TCP segments flagged retransmission, fast or spurious (--analysis, docs/ANALYSIS.md)."),
            counter("tcp_resets", s -> s.tcpResets).agent("mirrorgate_agent_tcp_resets", "TCP segments with RST (--analysis)."),
            counter("tcp_zero_windows", s -> s.tcpZeroWindows).agent("mirrorgate_agent_tcp_zero_windows",
                    "TCP segments advertising a zero window (--analysis)."),
            counter("mirror_duplicates", s -> s.mirrorDuplicates).agent("mirrorgate_agent_mirror_duplicates",
                    "Mirror copies of a packet the agent already sent, kept out of the analysis (--analysis without --dedup)."),
            counter("tcp_acks", s -> s.tcpAcks).agent("mirrorgate_agent_tcp_acks", "TCP segments with ACK (--analysis)."),
            counter("tcp_acked_unseen", s -> s.tcpAckedUnseen).agent("mirrorgate_agent_tcp_acked_unseen",
                    "TCP segments acknowledging data the mirror never delivered: capture loss (--analysis)."));

    public SourceStats(String name) {
        this.name = name;
    }

    /** Adds every counter of {@code o} to this one (a closed connection into the totals). */
    public void add(SourceStats o) {
        for (Counter c : COUNTERS) {
            c.field.apply(this).addAndGet(c.of(o));
        }
        conversationsActive.addAndGet(o.conversationsActive.get());
    }

    /** {@code name received=.. bytes=..}, leaving out zero counters (but never the first three). */
    public String line() {
        StringBuilder sb = new StringBuilder(name);
        for (int k = 0; k < COUNTERS.size(); k++) {
            Counter c = COUNTERS.get(k);
            long v = c.of(this);
            if (v != 0 || k < 3) {
                sb.append(' ').append(c.name).append('=').append(v);
            }
        }
        return sb.toString();
    }

    /** {@code prefix name=value ...} for the named counters, zeros included. */
    public String line(String prefix, String... names) {
        StringBuilder sb = new StringBuilder(prefix);
        for (String n : names) {
            for (Counter c : COUNTERS) {
                if (c.name.equals(n)) {
                    sb.append(' ').append(n).append('=').append(c.of(this));
                }
            }
        }
        return sb.toString();
    }
}
