package io.mirrorgate.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ipfilter.AbstractRemoteAddressFilter;
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
     * The first handler of every accepted connection on one port: allow list, a cap on connections
     * at once and a cap per address ({@code --max-connections-per-address}); over-cap connections
     * are closed at accept, counted, and logged once per address and reason.
     */
    @ChannelHandler.Sharable
    final class Gate extends AbstractRemoteAddressFilter<InetSocketAddress> {
        private final String port;
        private final int max;
        private final int maxPerAddress;
        private final AtomicInteger open = new AtomicInteger();
        private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

        Gate(String port, int max, int maxPerAddress) {
            this.port = port;
            this.max = max;
            this.maxPerAddress = maxPerAddress;
        }

        @Override
        protected boolean accept(ChannelHandlerContext ctx, InetSocketAddress remote) {
            if (!mayConnect(remote)) {
                refuse(remote, "not in --allow");
                return false;
            }
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                refuse(remote, "more than " + max + " connections on the " + port + " port");
                return false;
            }
            InetAddress a = remote.getAddress();
            AtomicInteger n = perAddress.compute(a, (k, v) -> {
                AtomicInteger c = v == null ? new AtomicInteger() : v;
                c.incrementAndGet();
                return c;
            });
            if (n.get() > maxPerAddress) {
                release(a);
                refuse(remote, "more than " + maxPerAddress + " connections from one address on the " + port
                        + " port (--max-connections-per-address)");
                return false;
            }
            ctx.channel().closeFuture().addListener(f -> release(a));
            return true;
        }

        private void release(InetAddress a) {
            open.decrementAndGet();
            perAddress.computeIfPresent(a, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
        }

        private void refuse(InetSocketAddress remote, String why) {
            refused.incrementAndGet();
            String who = remote.getAddress().getHostAddress();
            if (logged.first(who + " " + why)) {
                LOG.warn("refused {}:{} on the {} port: {}", who, remote.getPort(), port, why);
            }
        }
    }
}
