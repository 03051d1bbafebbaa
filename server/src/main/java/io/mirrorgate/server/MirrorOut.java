package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrameDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --mirror-out HOST:PORT}: the collector behaves like {@code CV.EXE mirror:host:port} toward
 * a classic receiving application. It connects out, streams every record as NCF, retries every
 * 15 s (or as configured) while the receiver is away, and injects what the receiver sends.
 */
final class MirrorOut {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorOut.class);

    private final Transport transport;
    private final TlsMaterial tls;
    private final SubscriberEvents subscribers;
    private final Injection injection;
    private final Backpressure backpressure;
    private final long stallSeconds;
    private final InetSocketAddress target;
    private final String name;
    /** Attempts and failures counted, one WARN per outage. */
    final io.mirrorgate.protocol.Reconnect reconnect;
    private volatile boolean stopped;
    private volatile Channel channel;

    MirrorOut(Transport transport, TlsMaterial tls, SubscriberEvents subscribers, Injection injection,
              Backpressure backpressure, long stallSeconds, InetSocketAddress target, int retrySeconds) {
        this.transport = transport;
        this.tls = tls;
        this.subscribers = subscribers;
        this.injection = injection;
        this.backpressure = backpressure;
        this.stallSeconds = stallSeconds;
        this.target = target;
        this.name = "mirror-out " + target.getHostString() + ":" + target.getPort();
        this.reconnect = new io.mirrorgate.protocol.Reconnect(name, java.time.Duration.ofSeconds(retrySeconds), LOG::warn);
    }

    void start() {
        connect();
    }

    private void connect() {
        if (stopped) {
            return;
        }
        reconnect.attempt();
        ChannelFuture f = transport.client().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (tls.client() != null) {
                    ch.pipeline().addLast(tls.client().handler(ch, target));
                }
                ch.pipeline().addLast(new InjectionFrameDecoder(Dialect.NCF),
                        new SubscriberHandler(subscribers, injection, Dialect.NCF, new SourceStats(name),
                                MirrorOut.this::closed, backpressure, stallSeconds));
            }
        }).connect(target);
        f.addListener(done -> {
            if (done.isSuccess()) {
                channel = f.channel();
                reconnect.connected();
                LOG.info("{}: connected", name);
            } else {
                reconnect.failed(done.cause());
                schedule();
            }
        });
    }

    private void closed() {
        channel = null;
        if (!stopped) {
            reconnect.lost();
            schedule();
        }
    }

    private void schedule() {
        if (!stopped) {
            transport.schedule(this::connect, reconnect.interval().toSeconds());
        }
    }

    boolean connected() {
        Channel c = channel;
        return c != null && c.isActive();
    }

    void stop() {
        stopped = true;
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(1000);
        }
    }
}
