package io.mirrorgate.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
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
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The event loops (epoll where it runs, else NIO), the listening sockets and outgoing connections,
 * with the socket options every connection of the collector has: keep-alive, no Nagle, and the
 * write-queue high-water mark that bounds what waits for a slow peer.
 */
final class Transport {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends SocketChannel> channelClass;
    private final Class<? extends io.netty.channel.socket.DatagramChannel> datagramClass;
    private final WriteBufferWaterMark waterMark;
    private final List<Channel> listeners = new ArrayList<>();

    Transport(boolean epoll, int highWater) {
        IoHandlerFactory factory;
        if (epoll && Epoll.isAvailable()) {
            factory = EpollIoHandler.newFactory();
            serverChannelClass = EpollServerSocketChannel.class;
            channelClass = EpollSocketChannel.class;
            datagramClass = io.netty.channel.epoll.EpollDatagramChannel.class;
        } else {
            factory = NioIoHandler.newFactory();
            serverChannelClass = NioServerSocketChannel.class;
            channelClass = NioSocketChannel.class;
            datagramClass = io.netty.channel.socket.nio.NioDatagramChannel.class;
        }
        boss = new MultiThreadIoEventLoopGroup(1, factory);
        workers = new MultiThreadIoEventLoopGroup(factory);
        waterMark = new WriteBufferWaterMark(highWater / 2, highWater);
    }


    /** The worker event loops: how many connections' handlers may run at once. */
    int workerThreads() {
        return ((io.netty.util.concurrent.MultithreadEventExecutorGroup) workers).executorCount();
    }

    /**
     * The most a mirror datagram may carry when datagrams are read many at a time (epoll, recvmmsg):
     * a 9,216-byte jumbo frame and its encapsulation fit with room to spare. A longer one fills its
     * slot and is cut there; {@link UdpMirrorInput} counts it as malformed.
     */
    static final int DATAGRAM_SLOT = 16 << 10;
    static final int DATAGRAMS_PER_READ = 32;

    /** Listens on {@code host:port}; returns the bound address, or throws {@link Collector.CannotListenException}. */
    InetSocketAddress listen(String host, int port, ChannelInitializer<SocketChannel> init) {
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(serverChannelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, io.mirrorgate.protocol.SocketReads.reads())
                .childOption(ChannelOption.ALLOCATOR, io.mirrorgate.protocol.SocketReads.ALLOCATOR)
                .childHandler(init);
        ChannelFuture f = b.bind(host, port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            Throwable c = f.cause();
            String why = c instanceof java.net.BindException || (c != null && String.valueOf(c.getMessage()).contains("in use"))
                    ? "address already in use" : String.valueOf(c == null ? "unknown" : c.getMessage());
            throw new Collector.CannotListenException("cannot listen on " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                    + ":" + port + ": " + why);
        }
        listeners.add(f.channel());
        return (InetSocketAddress) f.channel().localAddress();
    }

    /** A channel initializer that builds each accepted connection's pipeline with {@code pipeline}. */
    static ChannelInitializer<SocketChannel> pipeline(java.util.function.Consumer<SocketChannel> pipeline) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                pipeline.accept(ch);
            }
        };
    }

    /**
     * Binds a UDP socket on {@code host:port} with a receive buffer of {@code receiveBuffer} bytes
     * (forced past net.core.rmem_max where permitted, {@link ReceiveBuffer}); with epoll, datagrams
     * are read up to {@link #DATAGRAMS_PER_READ} per call, else one at a time of up to 64 KiB;
     * returns the channel, or throws {@link Collector.CannotListenException}.
     */
    io.netty.channel.socket.DatagramChannel listenUdp(String host, int port, int receiveBuffer, ChannelHandler handler) {
        Bootstrap b = new Bootstrap().group(workers).channel(datagramClass).option(ChannelOption.SO_RCVBUF, receiveBuffer)
                .option(ChannelOption.ALLOCATOR, io.mirrorgate.protocol.SocketReads.ALLOCATOR);
        if (datagramClass == io.netty.channel.epoll.EpollDatagramChannel.class) {
            // recvmmsg: up to DATAGRAMS_PER_READ datagrams of at most DATAGRAM_SLOT bytes per system call
            b.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM_SLOT)
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new io.netty.channel.FixedRecvByteBufAllocator(DATAGRAM_SLOT * DATAGRAMS_PER_READ));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new io.netty.channel.FixedRecvByteBufAllocator(65_536));
        }
        ChannelFuture f = b.handler(handler).bind(host, port).awaitUninterruptibly();
        if (f.isSuccess() && f.channel() instanceof io.netty.channel.epoll.EpollDatagramChannel e) {
            ReceiveBuffer.force(e.fd().intValue(), receiveBuffer);
        }
        if (!f.isSuccess()) {
            Throwable c = f.cause();
            throw new Collector.CannotListenException("cannot listen on UDP " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                    + ":" + port + ": " + (c == null ? "unknown" : String.valueOf(c.getMessage())));
        }
        listeners.add(f.channel());
        return (io.netty.channel.socket.DatagramChannel) f.channel();
    }

    /** For connections the collector makes (--mirror-out). */
    Bootstrap client() {
        return new Bootstrap().group(workers).channel(channelClass).option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .option(ChannelOption.ALLOCATOR, io.mirrorgate.protocol.SocketReads.ALLOCATOR);
    }

    /** Runs {@code task} on an event loop after a delay (reconnects). */
    void schedule(Runnable task, long seconds) {
        workers.schedule(task, seconds, TimeUnit.SECONDS);
    }

    void stopListening() {
        for (Channel l : listeners) {
            l.close().awaitUninterruptibly();
        }
    }

    void shutdown() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
