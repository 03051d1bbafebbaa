package io.mirrorgate.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect and who may inject (SPEC section 7): {@code --allow CIDR} for agents and
 * subscribers (empty: anyone who can reach the bound address), {@code --inject-allow CIDR} for
 * injection (default: loopback only), and a cap on connections per port. A refused connection is
 * closed at accept and counted; its address is logged once.
 */
final class AccessPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(AccessPolicy.class);

    private volatile List<IpSubnetFilterRule> allow;
    private volatile List<IpSubnetFilterRule> injectAllow;
    final AtomicLong refused = new AtomicLong();
    /** Addresses and reasons already logged (bounded: a flood cannot grow it). */
    private final LogOnce logged = new LogOnce(1024);

    AccessPolicy(List<String> allow, List<String> injectAllow) {
        update(allow, injectAllow);
    }

    /** New lists (SIGHUP); connections already accepted stay, new ones meet the new lists. */
    void update(List<String> allow, List<String> injectAllow) {
        List<IpSubnetFilterRule> a = rules(allow);
        List<IpSubnetFilterRule> i = rules(injectAllow == null || injectAllow.isEmpty()
                ? List.of("127.0.0.0/8", "::1/128") : injectAllow);
        this.allow = a;
        this.injectAllow = i;
    }

    /** Parses {@code address[/prefix]}; throws IllegalArgumentException with a one-line reason. */
    static IpSubnetFilterRule rule(String cidr) {
        int slash = cidr.indexOf('/');
        String addr = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + cidr + "' is not an address or CIDR block");
        }
        int max = bytes.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? max : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("'" + cidr + "': prefix length must be 0.." + max);
        }
        try {
            return new IpSubnetFilterRule(InetAddress.getByAddress(bytes), prefix, IpFilterRuleType.ACCEPT);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not an address or CIDR block");
        }
    }

    private static List<IpSubnetFilterRule> rules(List<String> cidrs) {
        List<IpSubnetFilterRule> out = new ArrayList<>();
        if (cidrs != null) {
            for (String c : cidrs) {
                out.add(rule(c.trim()));
            }
        }
        return out;
    }

    private static boolean matches(List<IpSubnetFilterRule> rules, InetSocketAddress a) {
        for (IpSubnetFilterRule r : rules) {
            if (r.matches(a)) {
                return true;
            }
        }
        return false;
    }

    boolean mayConnect(InetSocketAddress a) {
        return allow.isEmpty() || matches(allow, a);
    }

    boolean mayInject(InetSocketAddress a) {
        return a != null && matches(injectAllow, a);
    }

    /**
     * One listening port's admission: the allow list, a cap on connections at once and a cap per
     * address. Each accepted connection gets its own {@link Gate} ({@link #gate()}) as first handler.
     *
     * <p>A connection over a cap waits, unread by the rest of the pipeline, for a slot: at most
     * {@link #MAX_HELD} at once, each for at most {@link #HOLD_SECONDS} and {@link #MAX_HELD_BYTES}
     * of what it sends meanwhile; past any of these it is closed and counted ({@code refused}). The
     * wait matters: a client that closed and connected again must not be refused because the
     * server has not yet processed its close, and a connection that closes while waiting takes no
     * slot at all: it is admitted as it closes, and what it sent is delivered.
     */
    final class Port {
        static final int MAX_HELD = 4096;
        static final int HOLD_SECONDS = 2;
        static final int MAX_HELD_BYTES = 256 * 1024;
        private final String name;
        private final int max;
        private final int maxPerAddress;
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicInteger heldCount = new AtomicInteger();
        private final java.util.concurrent.ConcurrentLinkedQueue<Gate> held = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

        Port(String name, int max, int maxPerAddress) {
            this.name = name;
            this.max = max;
            this.maxPerAddress = maxPerAddress;
        }

        AccessPolicy owner() {
            return AccessPolicy.this;
        }

        /** The first handler of a new connection on this port. */
        Gate gate() {
            return new Gate(this);
        }

        /** Connections counted against the cap now. */
        int open() {
            return open.get();
        }

        /** Counts a connection in; null, or why it is over a cap (nothing counted then). */
        private String take(InetAddress a) {
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                return "more than " + max + " connections on the " + name + " port";
            }
            AtomicInteger n = perAddress.compute(a, (k, v) -> {
                AtomicInteger c = v == null ? new AtomicInteger() : v;
                c.incrementAndGet();
                return c;
            });
            if (n.get() > maxPerAddress) {
                untake(a);
                return "more than " + maxPerAddress + " connections from one address on the " + name
                        + " port (--max-connections-per-address)";
            }
            return null;
        }

        private void untake(InetAddress a) {
            open.decrementAndGet();
            perAddress.computeIfPresent(a, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
        }

        /** A counted connection closed: its slot goes to the oldest waiting connection that fits. */
        private void release(InetAddress a) {
            untake(a);
            retryHeld();
        }

        /** Waiting connections looked at per freed slot: a release costs O(1), not O(waiting). */
        private static final int RETRY_SCAN = 64;

        private void retryHeld() {
            int scanned = 0;
            for (Gate g : held) {
                if (open.get() >= max || ++scanned > RETRY_SCAN) {
                    return;
                }
                if (g.waiting() && take(g.address) == null) {
                    if (g.finishWaiting()) {
                        g.admitLater();
                    } else {
                        untake(g.address); // it timed out or closed meanwhile
                    }
                }
            }
        }

        private void refuse(InetSocketAddress remote, String why) {
            refused.incrementAndGet();
            String who = remote.getAddress().getHostAddress();
            if (logged.first(who + " " + name + " " + why)) {
                LOG.warn("refused {}:{} on the {} port: {}", who, remote.getPort(), name, why);
            }
        }
    }

    /** A connection's admission: see {@link Port}. Not shared: one per connection. */
    static final class Gate extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final Port port;
        private ChannelHandlerContext ctx;
        private InetSocketAddress remote;
        private InetAddress address;
        /** Waiting for a slot; cleared once by whoever ends the wait ({@link #finishWaiting}). */
        private final java.util.concurrent.atomic.AtomicBoolean waiting = new java.util.concurrent.atomic.AtomicBoolean();
        private boolean admitted;
        private io.netty.util.concurrent.ScheduledFuture<?> timeout;
        private final List<Object> pending = new ArrayList<>();
        private int pendingBytes;

        Gate(Port port) {
            this.port = port;
        }

        boolean waiting() {
            return waiting.get();
        }

        /** True for the one caller that ends the wait (a slot, the timeout or the close). */
        boolean finishWaiting() {
            if (!waiting.compareAndSet(true, false)) {
                return false;
            }
            port.held.remove(this);
            port.heldCount.decrementAndGet();
            if (timeout != null) {
                timeout.cancel(false);
            }
            return true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            java.net.SocketAddress sa = ctx.channel().remoteAddress();
            if (!(sa instanceof InetSocketAddress)) {
                close();
                return;
            }
            remote = (InetSocketAddress) sa;
            address = remote.getAddress();
            if (!port.owner().mayConnect(remote)) {
                port.refuse(remote, "not in --allow");
                close();
                return;
            }
            String over = port.take(address);
            if (over == null) {
                admit(true);
                return;
            }
            if (port.heldCount.incrementAndGet() > Port.MAX_HELD) {
                port.heldCount.decrementAndGet();
                port.refuse(remote, over);
                close();
                return;
            }
            // wait for a slot, not read by the rest of the pipeline (HeadContext reads after
            // channelActive only with auto-read on; a peer's FIN is still read, see channelRead)
            ctx.channel().config().setAutoRead(false);
            waiting.set(true);
            timeout = ctx.executor().schedule(() -> {
                if (finishWaiting()) {
                    port.refuse(remote, over + ", for " + Port.HOLD_SECONDS + " s");
                    close();
                }
            }, Port.HOLD_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            port.held.add(this);
            port.retryHeld(); // a slot may have freed while this one was queued
        }

        /** A slot was taken for this waiting connection on another thread: admit it on its own. */
        void admitLater() {
            ctx.executor().execute(() -> {
                if (ctx.channel().isActive()) {
                    admit(true);
                } else {
                    port.untake(address); // closed meanwhile: channelInactive delivered it
                }
            });
        }

        /** Lets the connection through; {@code counted}: it holds a slot until it closes. */
        private void admit(boolean counted) {
            if (admitted) {
                return;
            }
            admitted = true;
            if (counted) {
                ctx.channel().closeFuture().addListener(f -> port.release(address));
            }
            ctx.fireChannelActive();
            if (!pending.isEmpty()) {
                for (Object m : pending) {
                    ctx.fireChannelRead(m);
                }
                pending.clear();
                ctx.fireChannelReadComplete();
            }
            if (ctx.channel().isActive()) {
                ctx.pipeline().remove(this);
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (admitted) {
                ctx.fireChannelRead(msg);
                return;
            }
            // a waiting connection's bytes (read when its FIN arrived): kept, in order, bounded
            if (msg instanceof io.netty.buffer.ByteBuf) {
                pendingBytes += ((io.netty.buffer.ByteBuf) msg).readableBytes();
            }
            pending.add(msg);
            if (pendingBytes > Port.MAX_HELD_BYTES && finishWaiting()) {
                port.refuse(remote, "sent more than " + Port.MAX_HELD_BYTES + " bytes while waiting for a slot");
                close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (admitted) {
                ctx.fireChannelReadComplete();
            }
        }

        /**
         * A waiting connection that closes takes no slot: it is admitted as it closes and what it
         * sent is delivered (also when a slot was just granted and its admission has not run yet:
         * that task finds the channel closed and gives the slot back).
         */
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!admitted && !refusedHere) {
                finishWaiting();
                admit(false);
            }
            if (admitted) {
                ctx.fireChannelInactive();
            }
            release();
        }

        private boolean refusedHere;

        private void close() {
            refusedHere = true;
            release();
            ctx.close();
        }

        private void release() {
            for (Object m : pending) {
                io.netty.util.ReferenceCountUtil.release(m);
            }
            pending.clear();
        }
    }
}
