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
import java.util.Set;
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
    /** Addresses whose refusal we remember having logged (bounded: a flood cannot grow it). */
    private static final int LOGGED_MAX = 1024;

    private volatile List<IpSubnetFilterRule> allow;
    private volatile List<IpSubnetFilterRule> injectAllow;
    final AtomicLong refused = new AtomicLong();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

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
     * The first handler of every accepted connection on one port: allow list, a cap on
     * connections at once and a cap per address. A connection over a cap is held, not read, until
     * every event loop has processed the closes already in flight (a client that closed and
     * connected again must not be refused because the server had not yet read its FIN); then it
     * is admitted, or closed and counted. Addresses are logged once per reason.
     */
    @ChannelHandler.Sharable
    final class Gate extends io.netty.channel.ChannelInboundHandlerAdapter {
        /** Connections held for a re-check at once; past it, over-cap connections are refused at once. */
        private static final int MAX_HELD = 256;
        private final String port;
        private final int max;
        private final int maxPerAddress;
        private final io.netty.channel.EventLoopGroup loops;
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicInteger held = new AtomicInteger();
        private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

        Gate(String port, int max, int maxPerAddress, io.netty.channel.EventLoopGroup loops) {
            this.port = port;
            this.max = max;
            this.maxPerAddress = maxPerAddress;
            this.loops = loops;
        }

        /** Connections counted against the cap now. */
        int open() {
            return open.get();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            java.net.SocketAddress sa = ctx.channel().remoteAddress();
            if (!(sa instanceof InetSocketAddress)) {
                ctx.close();
                return;
            }
            InetSocketAddress remote = (InetSocketAddress) sa;
            if (!mayConnect(remote)) {
                refuse(remote, "not in --allow");
                ctx.close();
                return;
            }
            // not read until admitted (HeadContext reads after channelActive only when auto-read is on)
            ctx.channel().config().setAutoRead(false);
            admit(ctx, remote, false);
        }

        private void admit(ChannelHandlerContext ctx, InetSocketAddress remote, boolean rechecked) {
            if (!ctx.channel().isActive()) {
                return;
            }
            String over = take(remote.getAddress());
            if (over == null) {
                ctx.channel().closeFuture().addListener(f -> release(remote.getAddress()));
                ctx.pipeline().remove(this);
                ctx.channel().config().setAutoRead(true);
                ctx.fireChannelActive();
                return;
            }
            if (!rechecked && held.incrementAndGet() <= MAX_HELD) {
                afterPendingCloses().addListener(f -> ctx.executor().execute(() -> {
                    held.decrementAndGet();
                    admit(ctx, remote, true);
                }));
                return;
            }
            if (!rechecked) {
                held.decrementAndGet();
            }
            refuse(remote, over);
            ctx.close();
        }

        /** Counts the connection in; null, or why it is over a cap (nothing counted then). */
        private String take(InetAddress a) {
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                return "more than " + max + " connections on the " + port + " port";
            }
            AtomicInteger n = perAddress.compute(a, (k, v) -> {
                AtomicInteger c = v == null ? new AtomicInteger() : v;
                c.incrementAndGet();
                return c;
            });
            if (n.get() > maxPerAddress) {
                release(a);
                return "more than " + maxPerAddress + " connections from one address on the " + port
                        + " port (--max-connections-per-address)";
            }
            return null;
        }

        private void release(InetAddress a) {
            open.decrementAndGet();
            perAddress.computeIfPresent(a, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
        }

        /**
         * Completes once every event loop has done an I/O pass after now: a task scheduled 1 ms
         * ahead runs only after the loop has processed the events ready before it (FINs included).
         */
        private io.netty.util.concurrent.Future<Void> afterPendingCloses() {
            io.netty.util.concurrent.EventExecutor any = loops.next();
            io.netty.util.concurrent.Promise<Void> done = any.newPromise();
            java.util.List<io.netty.util.concurrent.EventExecutor> all = new ArrayList<>();
            loops.forEach(all::add);
            AtomicInteger left = new AtomicInteger(all.size());
            for (io.netty.util.concurrent.EventExecutor e : all) {
                e.schedule(() -> {
                    if (left.decrementAndGet() == 0) {
                        done.trySuccess(null);
                    }
                }, 1, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return done;
        }

        private void refuse(InetSocketAddress remote, String why) {
            refused.incrementAndGet();
            String who = remote.getAddress().getHostAddress();
            if (logged.size() < LOGGED_MAX && logged.add(who + why)) {
                LOG.warn("refused {}:{} on the {} port: {}", who, remote.getPort(), port, why);
            }
        }
    }
}
