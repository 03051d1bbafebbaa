package io.mirrorgate.client;

import io.mirrorgate.protocol.Tls;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrame;
import io.mirrorgate.protocol.InjectionFrameEncoder;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.WallClock;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A subscriber: connects to a collector's client port (or any peer that speaks CommView's
 * sending side) and delivers every record as an immutable {@link IpPacket} — to a listener on a
 * thread of its own, or through {@link #take()}, {@link #poll(Duration)} and {@link #stream()}.
 * Sends injection frames with {@link #inject(byte[])}. Reconnects after a failure or a close
 * (every 15 s by default, as CommView does). A slow application never blocks the network thread:
 * packets wait in a bounded queue, and what does not fit is dropped and counted.
 *
 * <pre>{@code
 * try (MirrorClient c = MirrorClient.builder("127.0.0.1", 5556).build().start()) {
 *     IpPacket p = c.take();
 *     c.inject(frameBytes);
 * }
 * }</pre>
 */
public final class MirrorClient implements AutoCloseable {
    private final InetSocketAddress target;
    private final Dialect dialect;
    private final ZoneId zone;
    private final Duration reconnect;
    /** The shared reconnect policy; what happens is told to the {@link ConnectionListener}, each time. */
    private final io.mirrorgate.protocol.Reconnect policy;
    private final ConnectionListener connectionListener;
    private final PacketDelivery delivery;
    private final Tls tls;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicLong injected = new AtomicLong();
    private final AtomicLong injectFailed = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private volatile Channel channel;
    private volatile boolean closed;
    private volatile CountDownLatch connected = new CountDownLatch(1);

    private MirrorClient(Builder b) {
        this.target = new InetSocketAddress(b.host, b.port);
        this.dialect = b.dialect;
        this.zone = b.zone;
        this.reconnect = b.reconnect;
        this.policy = new io.mirrorgate.protocol.Reconnect("client", b.reconnect, line -> { });
        this.connectionListener = b.connectionListener;
        this.delivery = new PacketDelivery(b.queueCapacity, b.listener, b.handler, "mirrorgate-client-dispatcher");
        this.tls = b.tls;
    }

    /**
     * A builder for a client of {@code host:port} (a collector's client port, default 5556).
     *
     * @param host the collector's address
     * @param port its client port
     * @return a builder
     */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** Options of a {@link MirrorClient}; every one has a default. */
    public static final class Builder {
        private final String host;
        private final int port;
        private Dialect dialect = Dialect.NCF;
        private ZoneId zone = ZoneId.systemDefault();
        private Duration reconnect = Duration.ofSeconds(15);
        private ConnectionListener connectionListener = new ConnectionListener() { };
        private int queueCapacity = 65_536;
        private Consumer<IpPacket> listener;
        private PacketHandler handler;
        private Tls tls;

        private Builder(String host, int port) {
            this.host = Objects.requireNonNull(host);
            this.port = port;
        }

        /**
         * The peer's dialect (default NCF; the collector's {@code --client-dialect}).
         *
         * @param d the dialect
         * @return this builder
         */
        public Builder dialect(Dialect d) {
            this.dialect = Objects.requireNonNull(d);
            return this;
        }

        /**
         * Zone of the records' wall-clock times (default: this system's zone).
         *
         * @param z the zone
         * @return this builder
         */
        public Builder timezone(ZoneId z) {
            this.zone = Objects.requireNonNull(z);
            return this;
        }

        /**
         * Time between connection attempts (default 15 s).
         *
         * @param d the interval
         * @return this builder
         */
        public Builder reconnectEvery(Duration d) {
            this.reconnect = Objects.requireNonNull(d);
            return this;
        }

        /**
         * Packets that may wait for the application before new ones are dropped (default 65,536).
         *
         * @param n packets
         * @return this builder
         */
        public Builder queueCapacity(int n) {
            this.queueCapacity = n;
            return this;
        }

        /**
         * Delivers every packet to {@code l} on a dispatcher thread of the client's own.
         *
         * @param l the listener
         * @return this builder
         */
        public Builder listener(Consumer<IpPacket> l) {
            this.listener = l;
            return this;
        }

        /**
         * Advanced: allocation-free views on the network thread instead of a queue (see {@link PacketHandler}).
         *
         * @param h the handler
         * @return this builder
         */
        public Builder packetHandler(PacketHandler h) {
            this.handler = h;
            return this;
        }

        /** Connect with TLS ({@link Tls#client}): the collector's certificate and host name are verified. */
        /**
         * Told of connects, failed attempts (with the reason) and disconnects; default: nobody.
         *
         * @param l the listener
         * @return this builder
         */
        public Builder connectionListener(ConnectionListener l) {
            this.connectionListener = Objects.requireNonNull(l);
            return this;
        }

        /**
         * Connects with TLS ({@link Tls#client}): the collector's certificate and host name are verified.
         *
         * @param t the client TLS settings
         * @return this builder
         */
        public Builder tls(Tls t) {
            this.tls = t;
            return this;
        }

        /**
         * The client; {@link MirrorClient#start()} connects.
         *
         * @return the client, not started
         */
        public MirrorClient build() {
            return new MirrorClient(this);
        }
    }

    /**
     * Starts connecting (and reconnecting); returns at once.
     *
     * @return this client
     */
    public MirrorClient start() {
        delivery.start();
        connect();
        return this;
    }

    private void connect() {
        if (closed) {
            return;
        }
        policy.attempt();
        new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, io.mirrorgate.protocol.SocketReads.reads())
                .option(ChannelOption.ALLOCATOR, io.mirrorgate.protocol.SocketReads.ALLOCATOR)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        String peer = target.getHostString() + ":" + target.getPort();
                        if (tls != null) {
                            ch.pipeline().addLast(tls.handler(ch, target));
                        }
                        ch.pipeline().addLast(new InjectionFrameEncoder(dialect),
                                new RecordStreamDecoder(dialect, new WallClock(zone), peer, delivery.asHandler()),
                                new Lifecycle());
                    }
                }).connect(target).addListener(f -> {
                    if (!f.isSuccess()) {
                        policy.failed(f.cause());
                        if (!closed) {
                            connectionListener.connectFailed(target, f.cause(), reconnect);
                        }
                        scheduleReconnect();
                    }
                });
    }

    private void scheduleReconnect() {
        if (!closed) {
            policy.schedule(group, this::connect);
        }
    }

    private final class Lifecycle extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            connects.incrementAndGet();
            connected.countDown();
            connectionListener.connected(target);
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            channel = null;
            connected = new CountDownLatch(1);
            if (!closed) {
                connectionListener.disconnected(target, reconnect);
            }
            scheduleReconnect();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Waits until connected; true if connected within the timeout.
     *
     * @param timeout how long to wait
     * @return true if connected within the timeout
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * True while connected.
     *
     * @return whether connected
     */
    public boolean isConnected() {
        Channel c = channel;
        return c != null && c.isActive();
    }

    /**
     * The next packet, waiting for one.
     *
     * @return the next packet
     * @throws InterruptedException when interrupted while waiting
     */
    public IpPacket take() throws InterruptedException {
        return delivery.take();
    }

    /**
     * The next packet, or null after {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the next packet, or null
     * @throws InterruptedException when interrupted while waiting
     */
    public IpPacket poll(Duration timeout) throws InterruptedException {
        return delivery.poll(timeout);
    }

    /**
     * A blocking stream of packets that ends when the client is closed.
     *
     * @return the stream
     */
    public Stream<IpPacket> stream() {
        return delivery.stream();
    }

    /**
     * Sends a frame for injection (NCF dialect: len + frame). False when not connected (counted).
     *
     * @param frame the frame, link layer included
     * @return false when not connected (counted)
     */
    public boolean inject(byte[] frame) {
        return inject(frame, 0);
    }

    /**
     * Sends a frame for injection with a Wi-Fi rate index (used in the NCFX dialect).
     *
     * @param frame the frame, link layer included
     * @param rateIndex the Wi-Fi rate index
     * @return false when not connected (counted)
     */
    public boolean inject(byte[] frame, int rateIndex) {
        if (frame.length > InjectionFrame.MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes (at most " + InjectionFrame.MAX_FRAME_LENGTH + ")");
        }
        Channel c = channel;
        if (c == null || !c.isActive()) {
            injectFailed.incrementAndGet();
            return false;
        }
        c.writeAndFlush(new InjectionFrame(Unpooled.copiedBuffer(frame), rateIndex), c.voidPromise());
        injected.incrementAndGet();
        return true;
    }

    /**
     * Sends the remaining bytes of {@code frame} for injection.
     *
     * @param frame the frame, from its position to its limit
     * @return false when not connected (counted)
     */
    public boolean inject(ByteBuffer frame) {
        byte[] b = new byte[frame.remaining()];
        frame.get(b);
        return inject(b);
    }

    /**
     * Received, malformed, dropped (queue full), injected, injection failures, connections.
     *
     * @return the counters so far
     */
    public ClientStatistics statistics() {
        return new ClientStatistics(delivery.received.get(), delivery.malformed.get(), delivery.dropped.get(), injected.get(),
                injectFailed.get(), connects.get());
    }

    /** Closes the connection and stops reconnecting; flushes what was sent for injection. */
    @Override
    public void close() {
        closed = true;
        Channel c = channel;
        if (c != null) {
            c.writeAndFlush(Unpooled.EMPTY_BUFFER).awaitUninterruptibly(2000);
            c.close().awaitUninterruptibly(2000);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        delivery.close();
    }
}
