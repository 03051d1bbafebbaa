package io.mirrorgate.client;

import io.mirrorgate.protocol.CaptureDirection;
import io.mirrorgate.protocol.Tls;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrame;
import io.mirrorgate.protocol.InjectionFrameDecoder;
import io.mirrorgate.protocol.Libpcap;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.NcfxHeader;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

/**
 * An agent, as CommView is one: connects out to a collector's mirror port and streams NCF (or
 * NCFX) records of a live adapter captured with libpcap, or of records the application hands it
 * ({@link #send}). Retries every 15 s while the collector is away; meanwhile keeps what it
 * captures in a bounded buffer and counts what did not fit. Injects the frames the collector
 * sends back onto its adapter with {@code pcap_sendpacket}. Never captures its own stream: the
 * collector connection is excluded from the capture filter.
 */
public final class MirrorAgent implements AutoCloseable {

    private final InetSocketAddress target;
    private final Dialect dialect;
    private final ZoneId zone;
    private final Duration retry;
    private final long bufferBytes;
    private final String adapter;
    private final int snaplen;
    private final boolean promiscuous;
    private final String filter;
    private final CaptureDirection direction;
    private final int kernelBuffer;
    private final Tls tls;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private long pendingBytes;
    private boolean drainScheduled;
    private final AtomicLong captured = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong bufferDropped = new AtomicLong();
    private final AtomicLong injectDiscarded = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private volatile Channel channel;
    private volatile boolean closed;
    private volatile PcapHandle capture;
    /** pcap_sendpacket on a thread of its own: never on the event loop that read the frame. */
    private io.mirrorgate.protocol.inject.FrameSender injector;
    /** Injection frames of the current socket read (event loop only), sent in one batch at read complete. */
    private io.mirrorgate.protocol.inject.FrameBatch injectBatch;
    private Thread captureThread;
    private volatile PcapStat lastStats;
    /** Attempts counted, one WARN per outage. */
    private final io.mirrorgate.protocol.Reconnect reconnect;

    private MirrorAgent(Builder b) {
        this.target = b.target;
        this.dialect = b.dialect;
        this.zone = b.zone;
        this.retry = b.retry;
        this.bufferBytes = b.bufferBytes;
        this.adapter = b.adapter;
        this.snaplen = b.snaplen;
        this.promiscuous = b.promiscuous;
        this.filter = b.filter;
        this.direction = b.direction;
        this.kernelBuffer = b.kernelBuffer;
        this.tls = b.tls;
        this.reconnect = new io.mirrorgate.protocol.Reconnect("agent to " + target.getHostString() + ":" + target.getPort(),
                retry, org.slf4j.LoggerFactory.getLogger(MirrorAgent.class)::warn);
    }

    /**
     * An agent streaming to {@code host:port} (a collector's mirror port, default 5555).
     *
     * @param host the collector's address
     * @param port its mirror port
     * @return a builder
     */
    public static Builder builder(String host, int port) {
        return new Builder(new InetSocketAddress(host, port));
    }

    /** Options of a {@link MirrorAgent}. */
    public static final class Builder {
        private final InetSocketAddress target;
        private Dialect dialect = Dialect.NCF;
        private ZoneId zone = ZoneId.systemDefault();
        private Duration retry = Duration.ofSeconds(15);
        private long bufferBytes = 64L << 20;
        private String adapter;
        private int snaplen = 65_535;
        private boolean promiscuous = true;
        private String filter;
        private CaptureDirection direction = CaptureDirection.BOTH;
        /**
         * 32 MiB: libpcap's 2 MiB default holds only about 30 full-snaplen frames in immediate
         * mode (one ring slot per snaplen), and a burst overflows it (measured: 15 of 50 dropped).
         */
        private int kernelBuffer = 32 << 20;
        private Tls tls;

        private Builder(InetSocketAddress target) {
            this.target = target;
        }

        /**
         * What to send: NCF (default) or NCFX.
         *
         * @param d the dialect
         * @return this builder
         */
        public Builder dialect(Dialect d) {
            this.dialect = Objects.requireNonNull(d);
            return this;
        }

        /**
         * Zone the records' wall-clock times are written in (default: this system's zone).
         *
         * @param z the zone
         * @return this builder
         */
        public Builder timezone(ZoneId z) {
            this.zone = Objects.requireNonNull(z);
            return this;
        }

        /**
         * Time between connection attempts (default 15 s, as CommView).
         *
         * @param d the interval
         * @return this builder
         */
        public Builder retryEvery(Duration d) {
            this.retry = Objects.requireNonNull(d);
            return this;
        }

        /**
         * Record bytes kept while the collector is away or slow (default 64 MiB).
         *
         * @param n bytes
         * @return this builder
         */
        public Builder bufferBytes(long n) {
            this.bufferBytes = n;
            return this;
        }

        /**
         * Capture this adapter live (and inject onto it).
         *
         * @param name the adapter's libpcap name
         * @return this builder
         */
        public Builder adapter(String name) {
            this.adapter = name;
            return this;
        }

        /**
         * Bytes captured of each frame (default 65,535).
         *
         * @param n bytes of each frame
         * @return this builder
         */
        public Builder snaplen(int n) {
            this.snaplen = n;
            return this;
        }

        /**
         * Capture in promiscuous mode (default true).
         *
         * @param p true for promiscuous mode
         * @return this builder
         */
        public Builder promiscuous(boolean p) {
            this.promiscuous = p;
            return this;
        }

        /**
         * A libpcap filter expression; the agent's own connection is always left out.
         *
         * @param bpf a libpcap filter expression
         * @return this builder
         */
        public Builder filter(String bpf) {
            this.filter = bpf;
            return this;
        }

        /**
         * Capture direction (default both).
         *
         * @param d the direction
         * @return this builder
         */
        public Builder direction(CaptureDirection d) {
            this.direction = Objects.requireNonNull(d);
            return this;
        }

        /**
         * Kernel capture buffer in bytes (default 32 MiB; 0: libpcap's default of 2 MiB).
         *
         * @param n bytes
         * @return this builder
         */
        public Builder kernelBufferBytes(int n) {
            this.kernelBuffer = n;
            return this;
        }

        /**
         * Connect with TLS ({@link Tls#client}): the collector's certificate and host name are verified.
         *
         * @param t the client TLS settings
         * @return this builder
         */
        public Builder tls(Tls t) {
            this.tls = t;
            return this;
        }

        /**
         * The agent; {@link MirrorAgent#start()} opens the adapter and connects.
         *
         * @return the agent, not started
         */
        public MirrorAgent build() {
            return new MirrorAgent(this);
        }
    }

    /**
     * Opens the adapter (if any), starts capturing and connecting.
     *
     * @return this agent
     * @throws PcapNativeException when libpcap cannot open the adapter or compile the filter
     */
    public MirrorAgent start() throws PcapNativeException {
        if (adapter != null) {
            Libpcap.require();
            PcapNetworkInterface nif = Pcaps.getDevByName(adapter);
            if (nif == null) {
                throw new PcapNativeException("no such adapter: " + adapter);
            }
            PcapHandle.Builder hb = new PcapHandle.Builder(adapter).snaplen(snaplen).timeoutMillis(50).immediateMode(true)
                    .promiscuousMode(promiscuous ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                            : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO);
            if (kernelBuffer > 0) {
                hb.bufferSize(kernelBuffer);
            }
            capture = hb.build();
            try {
                capture.setFilter(captureFilter(), BpfProgram.BpfCompileMode.OPTIMIZE);
                if (direction != CaptureDirection.BOTH) {
                    capture.setDirection(direction.pcap());
                }
            } catch (org.pcap4j.core.NotOpenException e) {
                throw new PcapNativeException(e.getMessage());
            }
            try {
                injector = new io.mirrorgate.protocol.inject.FrameSender(adapter,
                        io.mirrorgate.protocol.inject.InjectMethod.AUTO, 8L << 20, "mirrorgate-agent-injector",
                        io.mirrorgate.protocol.inject.FrameSender.Listener.COUNTS_ONLY);
            } catch (java.io.IOException e) {
                throw new PcapNativeException(adapter + ": injection: " + e.getMessage());
            }
            captureThread = new Thread(this::captureLoop, "mirrorgate-agent-capture");
            captureThread.setDaemon(true);
            captureThread.start();
        }
        connect();
        return this;
    }

    /**
     * The filter actually compiled: the user's, and never our own connection to the collector.
     *
     * @return the filter expression given to libpcap
     */
    public String captureFilter() {
        InetAddress a = target.getAddress();
        String self = "tcp and host " + (a == null ? target.getHostString() : a.getHostAddress()) + " and port "
                + target.getPort();
        return filter == null || filter.isBlank() ? "not (" + self + ")" : "(" + filter + ") and not (" + self + ")";
    }

    private void captureLoop() {
        int linkType = capture.getDlt().value();
        int m = Medium.ofLinkType(linkType);
        int medium = m < 0 ? Medium.ETHERNET : m;
        try {
            // pcap_loop, not pcap_next: pcap_breakloop (close()) wakes it up even with no traffic
            capture.loop(-1, (org.pcap4j.core.RawPacketListener) data -> {
                java.sql.Timestamp ts = capture.getTimestamp();
                long micros = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
                send(data, micros, medium);
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the handle was closed or broke: capture ends
        }
    }

    /**
     * Streams every frame of a capture file (pcap, pcapng, NCF, NCFX) as if captured now, in file
     * order, at most {@code recordsPerSecond} (0: as fast as the buffer takes them). Frames whose
     * link type has no NCF medium are skipped. Returns the number of frames handed over.
     *
     * @param file a capture file: NCF, NCFX, pcap or pcapng
     * @param recordsPerSecond the pace, or 0 for as fast as the buffer takes them
     * @return the number of frames handed over
     * @throws java.io.IOException when the file cannot be read
     */
    public long sendFile(java.nio.file.Path file, long recordsPerSecond) throws java.io.IOException {
        io.mirrorgate.protocol.PacketView v = new io.mirrorgate.protocol.PacketView();
        long n = 0;
        io.mirrorgate.protocol.Pacer pacer = new io.mirrorgate.protocol.Pacer(recordsPerSecond);
        try (io.mirrorgate.protocol.CaptureReader in = io.mirrorgate.protocol.CaptureFiles.open(file, zone)) {
            while (in.next(v)) {
                int medium = Medium.ofLinkType(v.linkType());
                if (medium < 0 || v.compressed()) {
                    continue;
                }
                byte[] frame = new byte[v.capturedLength()];
                v.buffer().getBytes(v.frameOffset(), frame);
                send(frame, v.timestampMicros(), medium);
                n++;
                pacer.await(n, null);
            }
        }
        return n;
    }

    /**
     * Encodes and sends (or buffers) one frame; for applications that capture themselves.
     *
     * @param frame the frame, link layer included
     * @param timestampMicros its capture time, microseconds since the epoch
     * @param medium its NCF medium ({@code Medium.ETHERNET}, {@code WIFI}, {@code TOKEN_RING})
     */
    public void send(byte[] frame, long timestampMicros, int medium) {
        captured.incrementAndGet();
        int len = Math.min(frame.length, dialect.maxFrameLength());
        ByteBuf rec = Unpooled.buffer(NcfHeader.LENGTH + NcfxHeader.RADIO_LENGTH + len);
        dialect.writeHeader(rec, len, timestampMicros, zone, Math.min(medium, dialect.maxMedium()), 0, null);
        rec.writeBytes(frame, 0, len);
        enqueue(rec);
    }

    /**
     * Every record goes through the buffer and is written by the event loop, in order: a record
     * never overtakes one that waited. A full buffer drops the new record, counted.
     */
    private void enqueue(ByteBuf rec) {
        boolean schedule;
        synchronized (this) {
            if (pendingBytes + rec.readableBytes() > bufferBytes) {
                rec.release();
                bufferDropped.incrementAndGet();
                return;
            }
            pending.add(rec);
            pendingBytes += rec.readableBytes();
            schedule = !drainScheduled;
            drainScheduled = true;
        }
        Channel c = channel;
        if (schedule && c != null) {
            c.eventLoop().execute(this::drain);
        } else if (schedule) {
            synchronized (this) {
                drainScheduled = false;
            }
        }
    }

    /** Sends what waited, in order, while the connection takes it (event loop). */
    private void drain() {
        Channel c = channel;
        boolean wrote = false;
        while (true) {
            ByteBuf rec;
            synchronized (this) {
                if (c == null || !c.isActive() || !c.isWritable() || pending.isEmpty()) {
                    drainScheduled = false;
                    break;
                }
                rec = pending.poll();
                pendingBytes -= rec.readableBytes();
            }
            c.write(rec, c.voidPromise());
            sent.incrementAndGet();
            wrote = true;
        }
        if (wrote) {
            c.flush();
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        reconnect.attempt();
        new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .option(ChannelOption.ALLOCATOR, io.mirrorgate.protocol.SocketReads.ALLOCATOR)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.handler(ch, target));
                        }
                        ch.pipeline().addLast(new InjectionFrameDecoder(dialect), new Connection());
                    }
                }).connect(target).addListener(f -> {
                    if (!f.isSuccess()) {
                        reconnect.failed(f.cause());
                        schedule();
                    }
                });
    }

    private void schedule() {
        if (!closed) {
            reconnect.schedule(group, this::connect);
        }
    }

    private final class Connection extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            connects.incrementAndGet();
            reconnect.connected();
            drain();
            super.channelActive(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().isWritable()) {
                drain();
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof InjectionFrame) {
                inject(ctx, (InjectionFrame) msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            flushInjected();
            super.channelReadComplete(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            flushInjected();
            channel = null;
            if (!closed) {
                reconnect.lost();
            }
            schedule();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void inject(ChannelHandlerContext ctx, InjectionFrame f) {
        try {
            int len = f.content().readableBytes();
            if (len == 0) {
                return;
            }
            if (injector == null) {
                injectDiscarded.incrementAndGet();
                return;
            }
            if (injectBatch == null) {
                injectBatch = new io.mirrorgate.protocol.inject.FrameBatch(ctx.alloc(), 64 << 10, null);
            }
            injectBatch.add(f.content()); // sent, failed or dropped: counted by the sender
        } finally {
            f.release();
        }
    }

    private void flushInjected() {
        io.mirrorgate.protocol.inject.FrameBatch b = injectBatch;
        if (b != null) {
            injectBatch = null;
            injector.offer(b);
        }
    }

    /**
     * True while connected to the collector.
     *
     * @return whether connected
     */
    public boolean isConnected() {
        Channel c = channel;
        return c != null && c.isActive();
    }

    /**
     * The agent's counters, libpcap's kernel and interface drops included.
     *
     * @return the counters so far
     */
    public AgentStatistics statistics() {
        long kernel = 0;
        long ifc = 0;
        PcapHandle h = capture;
        if (h != null && h.isOpen()) {
            try {
                lastStats = h.getStats();
            } catch (Exception e) {
                // keep the last figures
            }
        }
        if (lastStats != null) {
            kernel = lastStats.getNumPacketsDropped();
            ifc = lastStats.getNumPacketsDroppedByIf();
        }
        io.mirrorgate.protocol.inject.FrameSender s = injector;
        long injSent = s == null ? 0 : s.sent.get();
        long injFailed = s == null ? 0 : s.failed.get() + s.dropped.get();
        return new AgentStatistics(captured.get(), sent.get(), bufferDropped.get(), kernel, ifc, injSent,
                injFailed, injectDiscarded.get(), connects.get());
    }

    /** Stops capturing, sends what is buffered if connected (up to 2 s), closes. */
    @Override
    public void close() {
        closed = true;
        if (captureThread != null) {
            try {
                capture.breakLoop();
            } catch (Exception e) {
                // not looping
            }
            try {
                captureThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Channel c = channel;
        if (c != null) {
            c.eventLoop().submit(this::drain).awaitUninterruptibly(2000);
            c.writeAndFlush(Unpooled.EMPTY_BUFFER).awaitUninterruptibly(2000);
            c.close().awaitUninterruptibly(2000);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        if (capture != null) {
            try {
                lastStats = capture.getStats();
            } catch (Exception e) {
                // closed
            }
            capture.close();
        }
        if (injector != null) {
            injector.close();
        }
        synchronized (this) {
            pending.forEach(ByteBuf::release);
            pending.clear();
        }
    }
}
