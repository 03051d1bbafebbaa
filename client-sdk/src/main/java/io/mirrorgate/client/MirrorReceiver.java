package io.mirrorgate.client;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrame;
import io.mirrorgate.protocol.InjectionFrameEncoder;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.WallClock;
import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An embedded receiver: listens on a port and accepts CommView ({@code CV.EXE mirror:host:port})
 * or mirrorgate agents directly, with no collector. Every packet carries its agent's address as
 * {@link IpPacket#source()}; {@link #inject(String, byte[])} sends an injection frame back to a
 * chosen agent, in that agent's dialect (decided from its first header). Slow applications never
 * block the network: packets wait in a bounded queue, and what does not fit is dropped and counted.
 */
public final class MirrorReceiver implements AutoCloseable {
    private final String bind;
    private final int port;
    private final Dialect dialect;
    private final ZoneId zone;
    private final PacketDelivery delivery;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, Channel> agents = new ConcurrentHashMap<>();
    private final Map<String, Dialect> dialects = new ConcurrentHashMap<>();
    private final AtomicLong injected = new AtomicLong();
    private final AtomicLong injectFailed = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private Channel server;

    private MirrorReceiver(Builder b) {
        this.bind = b.bind;
        this.port = b.port;
        this.dialect = b.dialect;
        this.zone = b.zone;
        this.delivery = new PacketDelivery(b.queueCapacity, b.listener, b.handler, "mirrorgate-receiver-dispatcher");
    }

    /**
     * A receiver on {@code bind:port} (port 0: any free port, see {@link #address()}).
     *
     * @param bind the address to listen on
     * @param port the port (0: any free port)
     * @return a builder
     */
    public static Builder builder(String bind, int port) {
        return new Builder(bind, port);
    }

    /** Options of a {@link MirrorReceiver}. */
    public static final class Builder {
        private final String bind;
        private final int port;
        private Dialect dialect;
        private ZoneId zone = ZoneId.systemDefault();
        private int queueCapacity = 65_536;
        private Consumer<IpPacket> listener;
        private PacketHandler handler;

        private Builder(String bind, int port) {
            this.bind = Objects.requireNonNull(bind);
            this.port = port;
        }

        /**
         * Fix the agents' dialect (default: decided per connection from its first header).
         *
         * @param d the dialect
         * @return this builder
         */
        public Builder dialect(Dialect d) {
            this.dialect = d;
            return this;
        }

        /**
         * Zone of the agents' wall-clock times (default: this system's zone).
         *
         * @param z the zone
         * @return this builder
         */
        public Builder timezone(ZoneId z) {
            this.zone = Objects.requireNonNull(z);
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
         * Delivers every packet to {@code l} on a dispatcher thread of the receiver's own.
         *
         * @param l the listener
         * @return this builder
         */
        public Builder listener(Consumer<IpPacket> l) {
            this.listener = l;
            return this;
        }

        /**
         * Advanced: allocation-free views on the network thread (see {@link PacketHandler}).
         *
         * @param h the handler
         * @return this builder
         */
        public Builder packetHandler(PacketHandler h) {
            this.handler = h;
            return this;
        }

        /**
         * The receiver; {@link MirrorReceiver#start()} binds.
         *
         * @return the receiver, not started
         */
        public MirrorReceiver build() {
            return new MirrorReceiver(this);
        }
    }

    /**
     * Binds and starts accepting agents.
     *
     * @return this receiver
     * @throws InterruptedException when interrupted while binding
     */
    public MirrorReceiver start() throws InterruptedException {
        delivery.start();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true).childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, io.mirrorgate.protocol.SocketReads.reads())
                .childOption(ChannelOption.ALLOCATOR, io.mirrorgate.protocol.SocketReads.ALLOCATOR)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress a = ch.remoteAddress();
                        String peer = a.getAddress().getHostAddress() + ":" + a.getPort();
                        ch.pipeline().addLast(new RecordStreamDecoder(dialect, new WallClock(zone), peer, delivery.asHandler()), new Agent(peer));
                    }
                }).bind(bind, port).sync().channel();
        return this;
    }

    private final class Agent extends ChannelInboundHandlerAdapter {
        private final String peer;

        Agent(String peer) {
            this.peer = peer;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            agents.put(peer, ctx.channel());
            connects.incrementAndGet();
            if (dialect != null) {
                dialects.put(peer, dialect);
                ctx.pipeline().addFirst(new InjectionFrameEncoder(dialect));
            }
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Dialect) {
                dialects.put(peer, (Dialect) evt);
                ctx.pipeline().addFirst(new InjectionFrameEncoder((Dialect) evt));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            agents.remove(peer);
            dialects.remove(peer);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * The bound address (for port 0).
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /**
     * Agents connected now, as {@code address:port} (the {@link IpPacket#source()} of their packets).
     *
     * @return the agents' {@code address:port}
     */
    public Set<String> agents() {
        return Set.copyOf(agents.keySet());
    }

    /**
     * The next packet from any agent, waiting for one.
     *
     * @return the next packet
     * @throws InterruptedException when interrupted while waiting
     */
    public IpPacket take() throws InterruptedException {
        return delivery.take();
    }

    /**
     * The next packet from any agent, or null after {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the next packet, or null
     * @throws InterruptedException when interrupted while waiting
     */
    public IpPacket poll(Duration timeout) throws InterruptedException {
        return delivery.poll(timeout);
    }

    /**
     * Sends a frame for injection to one agent, which puts it on its own adapter. False (and
     * counted) when that agent is not connected or has not sent a first record yet (its dialect
     * is not known).
     *
     * @param agent the agent, as {@code address:port}
     * @param frame the frame, link layer included
     * @return false when the frame could not be sent (counted)
     */
    public boolean inject(String agent, byte[] frame) {
        Channel c = agents.get(agent);
        if (c == null || !c.isActive() || !dialects.containsKey(agent)) {
            injectFailed.incrementAndGet();
            return false;
        }
        c.writeAndFlush(new InjectionFrame(Unpooled.copiedBuffer(frame), 0), c.voidPromise());
        injected.incrementAndGet();
        return true;
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

    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly(2000);
        }
        for (Channel c : agents.values()) {
            c.writeAndFlush(Unpooled.EMPTY_BUFFER).awaitUninterruptibly(1000);
            c.close().awaitUninterruptibly(1000);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        delivery.close();
    }
}
