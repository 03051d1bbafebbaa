package io.mirrorgate.server;

import io.mirrorgate.protocol.InjectionFrame;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The injection policy, then the injector: frames from a peer outside --inject-allow are refused,
 * frames over --inject-rate (in total or per connection) are discarded, each counted per
 * connection and in total and logged once per connection; the rest go to the adapter or the
 * agents.
 */
final class Injection {
    private static final Logger LOG = LoggerFactory.getLogger(Injection.class);

    /** Totals over every connection, by outcome. */
    final SourceStats totals;
    private final AccessPolicy access;
    private final RateLimit rate;
    private final long ratePerConnection;
    private final long rateTotal;
    private final Injector target;

    Injection(SourceStats totals, AccessPolicy access, long rateTotal, long ratePerConnection, Injector target) {
        this.totals = totals;
        this.access = access;
        this.rateTotal = rateTotal;
        this.rate = new RateLimit(rateTotal);
        this.ratePerConnection = ratePerConnection;
        this.target = target;
    }

    /** An injection frame from a subscriber or the mirror-out receiver; takes ownership. */
    void inject(InjectionFrame frame, InjectContext ctx) {
        SocketAddress remote = ctx.channel.remoteAddress();
        if (!(remote instanceof InetSocketAddress) || !access.mayInject((InetSocketAddress) remote)) {
            frame.release();
            ctx.stats.injectRefused.incrementAndGet();
            totals.injectRefused.incrementAndGet();
            if (ctx.firstTime("inject-allow")) {
                LOG.warn("{}: injection frames refused: not in --inject-allow (default: loopback only)", ctx.stats.name);
            }
            return;
        }
        if (ctx.rate == null) {
            ctx.rate = new RateLimit(ratePerConnection);
        }
        if (frame.content().isReadable() && (!ctx.rate.take() || !rate.take())) {
            frame.release();
            ctx.stats.injectRateLimited.incrementAndGet();
            totals.injectRateLimited.incrementAndGet();
            if (ctx.firstTime("rate")) {
                LOG.warn("{}: injection frames over the rate limit are discarded (--inject-rate {}, per connection {})",
                        ctx.stats.name, rateTotal, ratePerConnection);
            }
            return;
        }
        target.inject(frame, ctx);
    }

    /** End of a socket read on a sending connection: its frames go out. */
    void flush(InjectContext ctx) {
        target.flush(ctx);
    }

    String state() {
        return target.state();
    }

    void close() {
        target.close();
    }
}
