package io.mirrorgate.server;

import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrame;
import io.mirrorgate.protocol.InjectionFrameDecoder;
import io.mirrorgate.protocol.InjectionFrameEncoder;
import io.mirrorgate.protocol.WallClock;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector of SPEC section 1: a mirror listener for agents, a client port for subscribers,
 * fan-out, capture files, injection, mirror-out, statistics and /metrics, wired together. Start
 * with {@link #start()}, stop with {@link #close()} (stops accepting, drains, closes files).
 */
public final class Collector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    private static final long DRAIN_MILLIS = 5_000;
    /** Seconds a metrics client may stay connected without completing a request. */
    private static final int METRICS_IDLE_SECONDS = 30;

    private final ServeConfig cfg;
    private final OutputStream stdout;
    private SubscriberHub hub;
    private Backpressure backpressure;
    private final Map<Channel, SourceStats> agents = new ConcurrentHashMap<>();
    private final Map<Channel, Dialect> agentDialects = new ConcurrentHashMap<>();
    private final SourceStats retiredAgents = new SourceStats("closed agents");
    private final SourceStats retiredSubscribers = new SourceStats("closed subscribers");
    /** Closed connections' counters per address, for /metrics (bounded: 1,024 addresses each). */
    private final PeerHistory agentHistory = new PeerHistory(1024);
    private final PeerHistory subscriberHistory = new PeerHistory(1024);
    private MetricsExporter metrics;
    private final SourceStats injection = new SourceStats("injection");
    private final List<Channel> listeners = new ArrayList<>();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Class<? extends ServerChannel> serverChannelClass;
    private Class<? extends SocketChannel> channelClass;
    private PcapInjector injector;
    private CaptureFileWriter writer;
    private MirrorOut mirrorOut;
    private InetSocketAddress mirrorAddress;
    private InetSocketAddress clientAddress;
    private InetSocketAddress metricsAddress;
    private volatile boolean closing;
    private AccessPolicy access;
    private RateLimit injectRate;
    private volatile io.mirrorgate.protocol.Tls tlsServer;
    private volatile io.mirrorgate.protocol.Tls tlsClient;
    private final java.util.concurrent.atomic.AtomicLong tlsRefused = new java.util.concurrent.atomic.AtomicLong();
    /** Metrics connections closed for a bad request, an oversize header, a timeout or a reset. */
    private final java.util.concurrent.atomic.AtomicLong metricsErrors = new java.util.concurrent.atomic.AtomicLong();

    public Collector(ServeConfig cfg, OutputStream stdout) {
        this.cfg = cfg;
        this.stdout = stdout;
    }

    /** Binds the listeners and starts everything; returns once the ports are bound. */
    public Collector start() throws InterruptedException {
        IoHandlerFactory factory;
        if (cfg.epoll && Epoll.isAvailable()) {
            factory = EpollIoHandler.newFactory();
            serverChannelClass = EpollServerSocketChannel.class;
            channelClass = EpollSocketChannel.class;
        } else {
            factory = NioIoHandler.newFactory();
            serverChannelClass = NioServerSocketChannel.class;
            channelClass = NioSocketChannel.class;
        }
        access = new AccessPolicy(cfg.allow, cfg.injectAllow);
        backpressure = new Backpressure(cfg.backpressureBlock);
        hub = new SubscriberHub(backpressure, cfg.subscriberHighWater / 2, 4L * cfg.subscriberHighWater);
        injectRate = new RateLimit(cfg.injectRate);
        if (cfg.tlsCert != null) {
            try {
                tlsServer = io.mirrorgate.protocol.Tls.server(cfg.tlsCert, cfg.tlsKey, cfg.tlsCa);
                tlsClient = io.mirrorgate.protocol.Tls.client(cfg.tlsCa, cfg.tlsCert, cfg.tlsKey);
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("TLS material: " + e.getMessage());
            }
        }
        boss = new MultiThreadIoEventLoopGroup(1, factory);
        workers = new MultiThreadIoEventLoopGroup(factory);
        AccessPolicy.Port agentPort = access.new Port("mirror", cfg.maxConnections, cfg.maxConnectionsPerAddress);
        AccessPolicy.Port subscriberPort = access.new Port("client", cfg.maxSubscribers, cfg.maxConnectionsPerAddress);
        if (cfg.filter != null) {
            new BpfFilter(cfg.filter).close(); // a bad expression fails here, before binding
        }
        injector = new PcapInjector(cfg.injectToAgent ? null : cfg.injectAdapter, injection);
        if (cfg.writeFile != null) {
            try {
                writer = new CaptureFileWriter(cfg.writeFile, cfg.rotateMegabytes, cfg.rotateSeconds, cfg.ringFiles, stdout,
                        java.time.Clock.systemDefaultZone(), backpressure);
            } catch (java.io.IOException e) {
                throw new CannotCreateException("cannot create -w " + cfg.writeFile + ": " + ioReason(e));
            }
        }
        mirrorAddress = bind(cfg.mirrorPort, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(agentPort.gate());
                addTls(ch, "mirror");
                SourceStats s = new SourceStats("agent " + peer(ch));
                BpfFilter f = cfg.filter == null ? null : new BpfFilter(cfg.filter);
                ch.pipeline().addLast("agent", new AgentHandler(Collector.this, s, cfg.dialect, new WallClock(cfg.timezone), f,
                        cfg.firstRecordTimeoutSeconds));
                if (cfg.injectToAgent && cfg.dialect != null) {
                    ch.pipeline().addFirst(new InjectionFrameEncoder(cfg.dialect));
                }
            }
        }, false);
        clientAddress = bind(cfg.clientPort, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(subscriberPort.gate());
                addTls(ch, "client");
                SourceStats s = new SourceStats("subscriber " + peer(ch));
                ch.pipeline().addLast(new InjectionFrameDecoder(cfg.clientDialect),
                        new SubscriberHandler(Collector.this, cfg.clientDialect, s, null, backpressure, stallSeconds()));
            }
        }, true);
        if (cfg.metricsPort >= 0) {
            metrics = new MetricsExporter(metricsSource());
            AccessPolicy.Port metricsPort = access.new Port("metrics", cfg.maxMetricsConnections, cfg.maxConnectionsPerAddress);
            metricsAddress = bind(cfg.metricsPort, new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(metricsPort.gate());
                    addTls(ch, "metrics");
                    // a client idle for --metrics-idle-timeout (no request, or a request that never
                    // ends) is closed; request line and headers are capped at 8 KiB (431 past it)
                    ch.pipeline().addLast(new io.netty.handler.timeout.ReadTimeoutHandler(METRICS_IDLE_SECONDS),
                            new HttpServerCodec(MetricsHandler.MAX_INITIAL_LINE, MetricsHandler.MAX_HEADER_SIZE, 8192),
                            new HttpObjectAggregator(4096), new MetricsHandler(Collector.this, metricsErrors));
                }
            }, false);
        }
        if (cfg.mirrorOut != null) {
            mirrorOut = new MirrorOut(this, cfg.mirrorOut, cfg.mirrorOutRetrySeconds);
            mirrorOut.start();
        }
        return this;
    }

    /** --stall-timeout in seconds (0: off), as the collector applies it. */
    public long stallTimeoutSeconds() {
        return stallSeconds();
    }

    /** --stall-timeout; by default 30 s under block (a dead peer must not stop the collector), off under drop. */
    long stallSeconds() {
        return cfg.stallTimeoutSeconds >= 0 ? cfg.stallTimeoutSeconds : cfg.backpressureBlock ? 30 : 0;
    }

    Backpressure backpressure() {
        return backpressure;
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

    private static String ioReason(java.io.IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null) {
            return ((java.nio.file.FileSystemException) e).getReason();
        }
        return e.getMessage();
    }

    private InetSocketAddress bind(int port, ChannelInitializer<SocketChannel> init, boolean subscribers)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(serverChannelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init);
        // subscribers' record queues, and agents' injection queues under --inject-to-agent
        b.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(cfg.subscriberHighWater / 2, cfg.subscriberHighWater));
        io.netty.channel.ChannelFuture f = b.bind(cfg.bind, port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            Throwable c = f.cause();
            String why = c instanceof java.net.BindException || (c != null && String.valueOf(c.getMessage()).contains("in use"))
                    ? "address already in use" : String.valueOf(c == null ? "unknown" : c.getMessage());
            throw new CannotListenException("cannot listen on " + (cfg.bind.indexOf(':') >= 0 ? "[" + cfg.bind + "]" : cfg.bind)
                    + ":" + port + ": " + why);
        }
        Channel ch = f.channel();
        listeners.add(ch);
        return (InetSocketAddress) ch.localAddress();
    }

    private void addTls(SocketChannel ch, String port) {
        io.mirrorgate.protocol.Tls t = tlsServer;
        if (t != null) {
            ch.pipeline().addLast(t.handler(ch, null), new TlsGuard(tlsRefused, port, logOnce));
        }
    }

    /**
     * SIGHUP: re-reads the TLS certificate, key and CA and takes the new allow lists. Connections
     * already accepted keep what they negotiated; new ones get the new material. A file that no
     * longer reads leaves everything as it was (IllegalArgumentException with the reason).
     */
    public void reload(ServeConfig next) {
        io.mirrorgate.protocol.Tls server = null;
        io.mirrorgate.protocol.Tls client = null;
        if (cfg.tlsCert != null) {
            try {
                server = io.mirrorgate.protocol.Tls.server(next.tlsCert, next.tlsKey, next.tlsCa);
                client = io.mirrorgate.protocol.Tls.client(next.tlsCa, next.tlsCert, next.tlsKey);
            } catch (javax.net.ssl.SSLException | IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("TLS material: " + e.getMessage());
            }
        }
        access.update(next.allow, next.injectAllow);
        if (server != null) {
            tlsServer = server;
            tlsClient = client;
        }
        LOG.info("reloaded: allow {} inject-allow {}{}", next.allow.isEmpty() ? "(anyone)" : next.allow,
                next.injectAllow.isEmpty() ? "(loopback)" : next.injectAllow, server != null ? ", TLS material" : "");
    }

    /** SIGUSR2: closes the capture files and opens new ones (after logrotate moved them away). */
    public void reopenFiles() {
        if (writer != null) {
            writer.reopen();
        }
    }

    /** TLS for connections the collector makes (--mirror-out), or null. */
    io.mirrorgate.protocol.Tls tlsClient() {
        return tlsClient;
    }

    /** TLS handshakes that failed (plaintext peers, untrusted or missing certificates). */
    public long tlsRefused() {
        return tlsRefused.get();
    }

    Bootstrap clientBootstrap() {
        return new Bootstrap().group(workers).channel(channelClass).option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(cfg.subscriberHighWater / 2, cfg.subscriberHighWater));
    }

    static String peer(Channel ch) {
        java.net.SocketAddress a = ch.remoteAddress();
        if (a instanceof InetSocketAddress) {
            InetSocketAddress i = (InetSocketAddress) a;
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    public InetSocketAddress mirrorAddress() {
        return mirrorAddress;
    }

    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    public InetSocketAddress metricsAddress() {
        return metricsAddress;
    }

    public ServeConfig config() {
        return cfg;
    }

    public String injectionStateForCli() {
        if (cfg.injectToAgent) {
            return "back to the agents (--inject-to-agent)";
        }
        if (cfg.injectAdapter == null) {
            return "off (no --inject-adapter)";
        }
        String why = injector.unavailableReason();
        return why == null ? "on adapter " + cfg.injectAdapter : "off: " + why;
    }

    // ---- called by the handlers ----

    void publish(ByteBuf in, int start, int length, int count, Dialect dialect, long[] timestamps) {
        if (hub.isEmpty() && writer == null) {
            return;
        }
        ByteBuf slice = in.retainedSlice(start, length);
        try {
            RecordRun run = new RecordRun(slice, dialect, count, writer == null ? null : Arrays.copyOf(timestamps, count));
            hub.publish(run);
            if (writer != null) {
                writer.offer(run);
            }
        } finally {
            slice.release();
        }
    }

    void agentConnected(Channel ch, SourceStats s) {
        s.connected.incrementAndGet();
        agents.put(ch, s);
        if (cfg.dialect != null) {
            agentDialects.put(ch, cfg.dialect); // a configured dialect is never "decided": the agent can take frames now
        }
        backpressure.agentActive(ch);
        LOG.info("{} connected", s.name);
    }

    /** (address, event) pairs already logged at WARN (bounded: a flood cannot grow it). */
    private final LogOnce logOnce = new LogOnce(4096);

    /**
     * True the first time {@code event} happens for the peer's address (log it at WARN); later
     * ones from the same address are counted and logged at DEBUG only, so an attack cannot flood
     * the log.
     */
    boolean firstTimeFrom(Channel ch, String event) {
        java.net.SocketAddress a = ch.remoteAddress();
        String ip = a instanceof InetSocketAddress ? ((InetSocketAddress) a).getAddress().getHostAddress() : String.valueOf(a);
        return logOnce.first(ip + " " + event);
    }

    void agentDialect(Channel ch, Dialect d) {
        agentDialects.put(ch, d);
        if (cfg.injectToAgent && cfg.dialect == null) {
            ch.pipeline().addFirst(new InjectionFrameEncoder(d));
        }
    }

    void agentClosed(Channel ch, SourceStats s) {
        backpressure.agentInactive(ch);
        if (agents.remove(ch) != null) {
            agentDialects.remove(ch);
            retiredAgents.add(s);
            agentHistory.retire(addressOf(s), s);
            LOG.info("{} closed: {}", s.name, s.line());
        }
    }

    void subscriberConnected(Subscriber s) {
        hub.add(s);
        LOG.info("{} connected", s.stats.name);
    }

    void subscriberClosed(Subscriber s) {
        hub.remove(s);
        retiredSubscribers.add(s.stats);
        subscriberHistory.retire(addressOf(s.stats), s.stats);
        LOG.info("{} closed: {}", s.stats.name, s.stats.line());
    }

    /** End of a socket read on a subscriber: its frames go to the adapter. */
    void injectFlush(InjectContext ctx) {
        if (!cfg.injectToAgent) {
            injector.flush(ctx);
        }
    }

    /** An injection frame from a subscriber or the mirror-out receiver; takes ownership. */
    void inject(InjectionFrame frame, InjectContext ctx) {
        java.net.SocketAddress remote = ctx.channel.remoteAddress();
        if (!(remote instanceof InetSocketAddress) || !access.mayInject((InetSocketAddress) remote)) {
            frame.release();
            ctx.stats.injectRefused.incrementAndGet();
            injection.injectRefused.incrementAndGet();
            if (ctx.firstTime("inject-allow")) {
                LOG.warn("{}: injection frames refused: not in --inject-allow (default: loopback only)", ctx.stats.name);
            }
            return;
        }
        if (ctx.rate == null) {
            ctx.rate = new RateLimit(cfg.injectRatePerConnection);
        }
        if (frame.content().isReadable() && (!ctx.rate.take() || !injectRate.take())) {
            frame.release();
            ctx.stats.injectRateLimited.incrementAndGet();
            injection.injectRateLimited.incrementAndGet();
            if (ctx.firstTime("rate")) {
                LOG.warn("{}: injection frames over the rate limit are discarded (--inject-rate {}, per connection {})",
                        ctx.stats.name, cfg.injectRate, cfg.injectRatePerConnection);
            }
            return;
        }
        if (!cfg.injectToAgent) {
            injector.inject(frame, ctx);
            return;
        }
        try {
            if (frame.content().readableBytes() == 0) {
                ctx.stats.injectEmpty.incrementAndGet();
                injection.injectEmpty.incrementAndGet();
                return;
            }
            int n = 0;
            int full = 0;
            for (Map.Entry<Channel, Dialect> e : agentDialects.entrySet()) {
                Channel agent = e.getKey();
                if (!agent.isActive()) {
                    continue;
                }
                if (!agent.isWritable()) {
                    // an agent that does not read its socket: its queue is bounded like a
                    // subscriber's; what does not fit is dropped and counted, never buffered
                    full++;
                    SourceStats as = agents.get(agent);
                    if (as != null) {
                        as.injectDropped.incrementAndGet();
                    }
                    continue;
                }
                agent.writeAndFlush(frame.retainedDuplicate(), agent.voidPromise());
                n++;
            }
            if (full > 0) {
                ctx.stats.injectDropped.incrementAndGet();
                injection.injectDropped.incrementAndGet();
                if (ctx.firstTime("agent full")) {
                    LOG.warn("{}: injection frames dropped: an agent does not read its socket ({} bytes queued at most)",
                            ctx.stats.name, cfg.subscriberHighWater);
                }
            }
            if (n > 0) {
                ctx.stats.injectSent.incrementAndGet();
                injection.injectSent.incrementAndGet();
            } else if (full > 0) {
                return;
            } else {
                ctx.stats.injectDiscarded.incrementAndGet();
                injection.injectDiscarded.incrementAndGet();
                if (ctx.firstTime("no agent")) {
                    LOG.warn("{}: injection frame discarded: no agent is connected (--inject-to-agent)", ctx.stats.name);
                }
            }
        } finally {
            frame.release();
        }
    }

    // ---- statistics ----

    /** Totals over every agent that was ever connected. */
    public SourceStats agentTotals() {
        SourceStats t = new SourceStats("total");
        t.add(retiredAgents);
        agents.values().forEach(t::add);
        return t;
    }

    public SourceStats subscriberTotals() {
        SourceStats t = new SourceStats("subscribers");
        t.add(retiredSubscribers);
        hub.subscribers().forEach(s -> t.add(s.stats));
        return t;
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
        return injection;
    }

    public long writerWritten() {
        return writer == null ? 0 : writer.written.get();
    }

    public long writerDropped() {
        return writer == null ? 0 : writer.dropped.get();
    }

    /** The statistics as lines: totals, each live agent and subscriber, injection, files. */
    public List<String> statisticsLines() {
        List<String> out = new ArrayList<>();
        out.add("agents " + agentTotals().line());
        agents.values().forEach(s -> out.add("  " + s.line()));
        SourceStats subs = subscriberTotals();
        out.add("subscribers sent=" + subs.sent.get() + " dropped=" + subs.dropped.get() + " connected=" + subs.connected.get());
        hub.subscribers().forEach(s -> out.add("  " + s.stats.line()));
        out.add("injection inject_sent=" + injection.injectSent.get() + " inject_failed=" + injection.injectFailed.get()
                + " inject_discarded=" + injection.injectDiscarded.get() + " inject_empty=" + injection.injectEmpty.get()
                + " inject_refused=" + injection.injectRefused.get() + " inject_rate_limited=" + injection.injectRateLimited.get()
                + " inject_dropped=" + injection.injectDropped.get());
        out.add("connections refused=" + refusedConnections() + " tls_refused=" + tlsRefused()
                + (cfg.metricsPort >= 0 ? " metrics_errors=" + metricsErrors.get() : ""));
        if (writer != null) {
            out.add("files written=" + writer.written.get() + " dropped=" + writer.dropped.get() + " files=" + writer.files.get()
                    + " skipped=" + writer.skipped.get()
                    + (writer.failure() != null ? " failed: " + writer.failure() : ""));
        }
        return out;
    }

    /** The /metrics exporter (Prometheus Java client). */
    MetricsExporter metrics() {
        return metrics;
    }

    /** Address without the port, from a source named "agent ADDRESS:PORT" or "subscriber ADDRESS:PORT". */
    static String addressOf(SourceStats s) {
        String n = s.name.substring(s.name.indexOf(' ') + 1);
        int colon = n.lastIndexOf(':');
        return colon > 0 ? n.substring(0, colon) : n;
    }

    private MetricsExporter.Source metricsSource() {
        return new MetricsExporter.Source() {
            @Override
            public Map<String, SourceStats> agentsByAddress() {
                return agentHistory.byAddress(new ArrayList<>(agents.values()), Collector::addressOf);
            }

            @Override
            public Map<String, SourceStats> subscribersByAddress() {
                List<SourceStats> live = new ArrayList<>();
                hub.subscribers().forEach(s -> live.add(s.stats));
                return subscriberHistory.byAddress(live, Collector::addressOf);
            }

            @Override
            public SourceStats injection() {
                return injection;
            }

            @Override
            public int agentsConnected() {
                return agents.size();
            }

            @Override
            public int subscribersConnected() {
                return hub.subscribers().size();
            }

            @Override
            public long refusedConnections() {
                return Collector.this.refusedConnections();
            }

            @Override
            public long tlsRefused() {
                return Collector.this.tlsRefused();
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
            public long[] files() {
                CaptureFileWriter w = writer;
                return w == null ? null : new long[] {w.written.get(), w.dropped.get(), w.skipped.get(), w.files.get()};
            }
        };
    }

    /** Stops accepting, lets subscribers drain (up to 5 s), closes files and the adapter. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (mirrorOut != null) {
            mirrorOut.stop();
        }
        for (Channel l : listeners) {
            l.close().awaitUninterruptibly();
        }
        for (Channel a : new ArrayList<>(agents.keySet())) {
            a.close().awaitUninterruptibly(1000);
        }
        long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
        for (Subscriber s : new ArrayList<>(hub.subscribers())) {
            long left = deadline - System.currentTimeMillis();
            if (left > 0 && s.channel.isActive()) {
                s.channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).awaitUninterruptibly(left);
            }
            s.channel.close().awaitUninterruptibly(1000);
        }
        if (writer != null) {
            writer.close();
        }
        if (injector != null) {
            injector.close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

}
