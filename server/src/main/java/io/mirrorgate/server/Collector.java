package io.mirrorgate.server;

import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.InjectionFrameDecoder;
import io.mirrorgate.protocol.InjectionFrameEncoder;
import io.mirrorgate.protocol.WallClock;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector of SPEC section 1, wired: a mirror listener for agents, a client port for
 * subscribers, fan-out, capture files, injection, mirror-out, statistics and /metrics. Each part
 * is its own class (docs/ARCHITECTURE.md); this one only connects them. Start with
 * {@link #start()}, stop with {@link #close()} (stops accepting, drains, closes files).
 */
public final class Collector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    private static final long DRAIN_MILLIS = 5_000;
    /** Seconds a metrics client may stay connected without completing a request. */
    private static final int METRICS_IDLE_SECONDS = 30;

    private final ServeConfig cfg;
    private final OutputStream stdout;
    /** (address, event) pairs already logged at WARN (bounded: a flood cannot grow it). */
    private final LogOnce logOnce = new LogOnce(4096);
    private final AtomicLong metricsErrors = new AtomicLong();
    private Transport transport;
    private TlsMaterial tls;
    private AccessPolicy access;
    private Backpressure backpressure;
    private Agents agents;
    private Subscribers subscribers;
    private CaptureFileWriter writer;
    private Injection injection;
    private CollectorStatistics statistics;
    private MirrorOut mirrorOut;
    private ConversationLog conversationLog;
    /** Live conversations over all agents under --analysis (bounded by the heap). */
    private final io.mirrorgate.protocol.ConversationTracker.Budget conversationBudget = AgentAnalysis.budget();
    private KafkaPublisher kafka;
    private InetSocketAddress mirrorAddress;
    private InetSocketAddress clientAddress;
    private InetSocketAddress pcapAddress;
    /** The UDP mirror inputs' sockets and handlers. */
    private final java.util.Map<io.mirrorgate.protocol.Decapsulation.Kind, io.netty.channel.socket.DatagramChannel> udpInputs =
            new java.util.EnumMap<>(io.mirrorgate.protocol.Decapsulation.Kind.class);
    private final java.util.List<UdpMirrorInput> udpHandlers = new java.util.ArrayList<>();
    private InetSocketAddress metricsAddress;
    /** The web console's API and its once-a-second sampler (with --metrics-port). */
    private ConsoleApi console;
    /** The console's top conversations: what they may cost (with --metrics-port and --analysis). */
    private final ConsoleTops tops = new ConsoleTops();
    private java.util.concurrent.ScheduledThreadPoolExecutor consoleSampler;
    private volatile boolean closing;

    public Collector(ServeConfig cfg, OutputStream stdout) {
        this.cfg = cfg;
        this.stdout = stdout;
    }

    /** A port that cannot be bound (in use, or an address this machine does not have). */
    public static final class CannotListenException extends RuntimeException {
        CannotListenException(String message) {
            super(message);
        }
    }

    /** An output file that cannot be created (exit status 73). */
    public static final class CannotCreateException extends RuntimeException {
        CannotCreateException(String message) {
            super(message);
        }
    }

    /** Binds the listeners and starts everything; returns once the ports are bound. */
    public Collector start() throws InterruptedException {
        try {
            wire();
        } catch (RuntimeException e) {
            close(); // nothing half-started stays behind: event loops, the injector, a file
            throw e;
        }
        return this;
    }

    private void wire() {
        tls = new TlsMaterial(cfg.tlsCert, cfg.tlsKey, cfg.tlsCa, logOnce);
        if (cfg.filter != null) {
            new BpfFilter(cfg.filter).close(); // a bad expression fails here, before binding
        }
        access = new AccessPolicy(cfg.allow, cfg.injectAllow);
        backpressure = new Backpressure(cfg.backpressureBlock);
        agents = new Agents(backpressure, logOnce, cfg.dialect, cfg.injectToAgent);
        transport = new Transport(cfg.epoll, cfg.subscriberHighWater);
        subscribers = new Subscribers(new SubscriberHub(backpressure, cfg.subscriberHighWater / 2, 4L * cfg.subscriberHighWater,
                transport.workerThreads(), cfg.subscriberBudget));
        SourceStats injected = new SourceStats("injection");
        Injector target = cfg.injectToAgent ? new AgentInjector(agents, injected, cfg.subscriberHighWater)
                : new PcapInjector(cfg.injectAdapter, cfg.injectMethod, injected);
        injection = new Injection(injected, access, cfg.injectRate, cfg.injectRatePerConnection, target);
        writer = cfg.writeFile == null ? null : CaptureFileWriter.open(cfg, stdout, backpressure);
        statistics = new CollectorStatistics(agents, subscribers, injected, writer, access.refused::get, tls, metricsErrors,
                backpressure, cfg.metricsPort >= 0);
        kafka = cfg.kafkaBootstrap == null ? null
                : new KafkaPublisher(cfg.kafkaBootstrap, cfg.kafkaTopic, cfg.kafkaProperties, backpressure, cfg.timezone);
        statistics.kafka = kafka;
        RecordSink fanOut = new FanOut(subscribers.hub, writer, kafka);
        io.mirrorgate.protocol.MirrorDuplicates dedup = cfg.dedup ? new io.mirrorgate.protocol.MirrorDuplicates() : null;
        conversationLog = cfg.conversationsLog == null ? null
                : new ConversationLog(cfg.conversationsLog, cfg.rotateSeconds, java.time.Clock.systemDefaultZone());
        boolean analysis = cfg.analysis || conversationLog != null;
        AccessPolicy.Port agentPort = access.new Port("mirror", cfg.maxConnections, cfg.maxConnectionsPerAddress);
        mirrorAddress = transport.listen(cfg.bind, cfg.mirrorPort, Transport.pipeline(ch -> {
            ch.config().setOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, true); // see AgentHandler.userEventTriggered
            ch.pipeline().addLast(agentPort.gate());
            tls.accept(ch, "mirror");
            BpfFilter f = cfg.filter == null ? null : BpfFilter.alreadyChecked(cfg.filter);
            SourceStats stats = new SourceStats("agent " + Peers.peer(ch));
            AgentAnalysis a = analysis ? new AgentAnalysis(stats, Peers.peer(ch), conversationLog, cfg.conversationTimeouts,
                    conversationBudget, tops) : null;
            ch.pipeline().addLast("agent", new AgentHandler(agents, fanOut, stats, cfg.dialect, new WallClock(cfg.timezone), f,
                    cfg.firstRecordTimeoutSeconds, backpressure::full, dedup, a));
            if (cfg.injectToAgent && cfg.dialect != null) {
                ch.pipeline().addFirst(new InjectionFrameEncoder(cfg.dialect));
            }
        }));
        int[] udpPorts = {cfg.vxlanPort, cfg.genevePort, cfg.tzspPort};
        for (io.mirrorgate.protocol.Decapsulation.Kind kind : io.mirrorgate.protocol.Decapsulation.Kind.values()) {
            int port = udpPorts[kind.ordinal()];
            if (port < 0) {
                continue;
            }
            UdpMirrorInput in = new UdpMirrorInput(kind, cfg.timezone, agents, logOnce, st -> new SourcePath(fanOut, st,
                    UdpMirrorInput.dialect(), new WallClock(cfg.timezone), cfg.filter == null ? null : BpfFilter.alreadyChecked(cfg.filter),
                    dedup, analysis ? new AgentAnalysis(st, st.name.substring("agent ".length()), conversationLog,
                            cfg.conversationTimeouts, conversationBudget, tops) : null));
            io.netty.channel.socket.DatagramChannel udp = transport.listenUdp(cfg.bind, port, UdpMirrorInput.RECEIVE_BUFFER, in);
            udpInputs.put(kind, udp);
            udpHandlers.add(in);
        }
        statistics.udpSourcesRefused = () -> udpHandlers.stream().mapToLong(in -> in.overflow.get()).sum();
        AccessPolicy.Port subscriberPort = access.new Port("client", cfg.maxSubscribers, cfg.maxConnectionsPerAddress);
        clientAddress = transport.listen(cfg.bind, cfg.clientPort, Transport.pipeline(ch -> {
            ch.pipeline().addLast(subscriberPort.gate());
            tls.accept(ch, "client");
            ch.pipeline().addLast(new InjectionFrameDecoder(cfg.clientDialect), new SubscriberHandler(subscribers, injection,
                    cfg.clientDialect, new SourceStats("subscriber " + Peers.peer(ch)), null, backpressure, stallTimeoutSeconds()));
        }));
        if (cfg.pcapPort >= 0) {
            AccessPolicy.Port pcapPort = access.new Port("pcap", cfg.maxSubscribers, cfg.maxConnectionsPerAddress);
            pcapAddress = transport.listen(cfg.pcapBind == null ? cfg.bind : cfg.pcapBind, cfg.pcapPort,
                    Transport.pipeline(ch -> {
                        ch.pipeline().addLast(pcapPort.gate());
                        tls.accept(ch, "pcap");
                        ch.pipeline().addLast(new SubscriberHandler(subscribers, injection, null,
                                new SourceStats("pcap client " + Peers.peer(ch)), null, backpressure, stallTimeoutSeconds())
                                .pcap(cfg.pcapMedium));
                    }));
        }
        if (cfg.metricsPort >= 0) {
            MetricsExporter metrics = new MetricsExporter(statistics);
            console = new ConsoleApi(statistics, agents, subscribers, writer, injection::state, analysis ? tops : null);
            consoleSampler = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "mirrorgate-console");
                t.setDaemon(true);
                return t;
            });
            ConsoleApi api = console;
            consoleSampler.scheduleAtFixedRate(() -> {
                try {
                    api.sample(System.currentTimeMillis());
                } catch (RuntimeException e) { // a task that throws is never run again: the console would freeze
                    LOG.warn("web console: a sample failed: {}", e.toString());
                }
            }, 0, 1,
                    java.util.concurrent.TimeUnit.SECONDS);
            AccessPolicy.Port metricsPort = access.new Port("metrics", cfg.maxMetricsConnections, cfg.maxConnectionsPerAddress);
            metricsAddress = transport.listen(cfg.bind, cfg.metricsPort, Transport.pipeline(ch -> {
                ch.pipeline().addLast(metricsPort.gate());
                tls.accept(ch, "metrics");
                // a client idle for METRICS_IDLE_SECONDS (no request, or one that never ends) is
                // closed; request line and headers are capped at 8 KiB (431 past it)
                ch.pipeline().addLast(new ReadTimeoutHandler(METRICS_IDLE_SECONDS),
                        new HttpServerCodec(MetricsHandler.MAX_INITIAL_LINE, MetricsHandler.MAX_HEADER_SIZE, 8192),
                        new HttpObjectAggregator(4096), new MetricsHandler(metrics, console, metricsErrors));
            }));
        }
        if (cfg.mirrorOut != null) {
            mirrorOut = new MirrorOut(transport, tls, subscribers, injection, backpressure, stallTimeoutSeconds(), cfg.mirrorOut,
                    cfg.mirrorOutRetrySeconds);
            statistics.mirrorOut = mirrorOut;
            mirrorOut.start();
        }
    }

    /** --stall-timeout in seconds (0: off); by default 30 s under block (a dead peer must not stop the collector), off under drop. */
    public long stallTimeoutSeconds() {
        return cfg.stallTimeoutSeconds >= 0 ? cfg.stallTimeoutSeconds : cfg.backpressureBlock ? 30 : 0;
    }

    /**
     * SIGHUP: re-reads the TLS certificate, key and CA and takes the new allow lists. Connections
     * already accepted keep what they negotiated; new ones get the new material. A file that no
     * longer reads leaves everything as it was (IllegalArgumentException with the reason).
     */
    public void reload(ServeConfig next) {
        boolean tlsOn = tls.reload(next.tlsCert, next.tlsKey, next.tlsCa);
        access.update(next.allow, next.injectAllow);
        LOG.info("reloaded: allow {} inject-allow {}{}", next.allow.isEmpty() ? "(anyone)" : next.allow,
                next.injectAllow.isEmpty() ? "(loopback)" : next.injectAllow, tlsOn ? ", TLS material" : "");
    }

    /** SIGUSR2: closes the capture files and opens new ones (after logrotate moved them away). */
    public void reopenFiles() {
        if (writer != null) {
            writer.reopen();
        }
        if (conversationLog != null) {
            conversationLog.reopen();
        }
    }

    /** Conversations written to --conversations-log, and those lost to it (a full queue, a failed write). */
    public long[] conversationsLogged() {
        return conversationLog == null ? new long[2] : new long[] {conversationLog.written.get(), conversationLog.dropped.get()};
    }

    public InetSocketAddress mirrorAddress() {
        return mirrorAddress;
    }

    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    /** A UDP mirror input's address, or null when it is off. */
    public InetSocketAddress udpAddress(io.mirrorgate.protocol.Decapsulation.Kind kind) {
        io.netty.channel.socket.DatagramChannel c = udpInputs.get(kind);
        return c == null ? null : c.localAddress();
    }

    /** The receive buffer the kernel gave a UDP mirror input (it caps what was asked at net.core.rmem_max). */
    public int udpReceiveBuffer(io.mirrorgate.protocol.Decapsulation.Kind kind) {
        io.netty.channel.socket.DatagramChannel c = udpInputs.get(kind);
        return c == null ? 0 : c.config().getReceiveBufferSize();
    }

    /** The PCAP-over-IP port's address, or null without --pcap-port. */
    public InetSocketAddress pcapAddress() {
        return pcapAddress;
    }

    public InetSocketAddress metricsAddress() {
        return metricsAddress;
    }

    public ServeConfig config() {
        return cfg;
    }

    /** Where injection frames go, for the start-up banner. */
    public String injectionStateForCli() {
        return injection.state();
    }

    /** TLS handshakes that failed (plaintext peers, untrusted or missing certificates). */
    public long tlsRefused() {
        return tls.refused();
    }

    /** The collector's statistics and metrics source (tests read counters not on a per-source line). */
    CollectorStatistics statistics() {
        return statistics;
    }

    /** Record runs that found the subscribers' memory budget reached. */
    public long subscriberBudgetReached() {
        return subscribers.hub.budgetReached.get();
    }

    /** Totals over every agent that was ever connected. */
    public SourceStats agentTotals() {
        return agents.totals();
    }

    public SourceStats subscriberTotals() {
        return subscribers.totals();
    }

    /** Times reading from the agents was paused (--backpressure block). */
    public long backpressurePauses() {
        return backpressure.pauses.get();
    }

    /** Connections closed at accept: not in --allow, or over a connection cap. */
    public long refusedConnections() {
        return access == null ? 0 : access.refused.get();
    }

    public SourceStats injectionTotals() {
        return injection.totals;
    }

    public long writerWritten() {
        return writer == null ? 0 : writer.written.get();
    }

    /** Kafka records {published, failed, dropped}, or null without --kafka-bootstrap. */
    public long[] kafkaTotals() {
        return kafka == null ? null : new long[] {kafka.published.get(), kafka.failed.get(), kafka.dropped.get()};
    }

    public long writerDropped() {
        return writer == null ? 0 : writer.dropped.get();
    }

    /** The statistics as lines: totals, each live agent and subscriber, injection, files. */
    public List<String> statisticsLines() {
        return statistics.lines();
    }

    /** Stops accepting, lets subscribers drain (up to 5 s), closes files and the adapter. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (consoleSampler != null) {
            consoleSampler.shutdownNow();
        }
        if (mirrorOut != null) {
            mirrorOut.stop();
        }
        for (UdpMirrorInput in : udpHandlers) { // their virtual agents' conversations end before the log closes
            io.netty.channel.socket.DatagramChannel udp = udpInputs.get(in.kind());
            udp.eventLoop().submit(in::closeSources).awaitUninterruptibly(5000);
        }
        if (transport != null) {
            transport.stopListening();
            agents.closeAll();
            subscribers.drainAndClose(System.currentTimeMillis() + DRAIN_MILLIS);
        }
        if (writer != null) {
            writer.close();
        }
        if (conversationLog != null) {
            conversationLog.close(); // after the agents: their live conversations end into it
        }
        if (kafka != null) {
            kafka.close(); // what was queued is sent (up to 10 s for the broker to take it)
        }
        if (injection != null) {
            injection.close();
        }
        if (transport != null) {
            transport.shutdown();
        }
    }
}
