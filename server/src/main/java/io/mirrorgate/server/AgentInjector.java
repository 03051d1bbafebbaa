package io.mirrorgate.server;

import io.mirrorgate.protocol.InjectionFrame;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * --inject-to-agent: each frame goes back to every agent whose dialect is known, as CommView's
 * receiving application would send it. The virtual agents of UDP mirror inputs have no way back:
 * a frame that only they could have taken is counted as {@code inject_refused}, and said once. An agent that does not read its socket has a bounded
 * queue like a subscriber's; what does not fit is dropped and counted, never buffered.
 */
final class AgentInjector implements Injector {
    private static final Logger LOG = LoggerFactory.getLogger(AgentInjector.class);

    private final Agents agents;
    private final SourceStats totals;
    private final int queueBytes;

    AgentInjector(Agents agents, SourceStats totals, int queueBytes) {
        this.agents = agents;
        this.totals = totals;
        this.queueBytes = queueBytes;
    }

    @Override
    public void inject(InjectionFrame frame, InjectContext ctx) {
        try {
            if (frame.content().readableBytes() == 0) {
                ctx.stats.injectEmpty.incrementAndGet();
                totals.injectEmpty.incrementAndGet();
                return;
            }
            int sent = 0;
            int full = 0;
            for (Channel agent : agents.withDialect()) {
                if (!agent.isActive()) {
                    continue;
                }
                if (!agent.isWritable()) {
                    full++;
                    SourceStats as = agents.stats(agent);
                    if (as != null) {
                        as.injectDropped.incrementAndGet();
                    }
                    continue;
                }
                agent.writeAndFlush(frame.retainedDuplicate(), agent.voidPromise());
                sent++;
            }
            count(ctx, sent, full);
        } finally {
            frame.release();
        }
    }

    private void count(InjectContext ctx, int sent, int full) {
        if (full > 0) {
            ctx.stats.injectDropped.incrementAndGet();
            totals.injectDropped.incrementAndGet();
            if (ctx.firstTime("agent full")) {
                LOG.warn("{}: injection frames dropped: an agent does not read its socket ({} bytes queued at most)",
                        ctx.stats.name, queueBytes);
            }
        }
        int virtual = agents.virtualCount();
        if (virtual > 0 && ctx.firstTime("virtual agents")) {
            LOG.warn("{}: injection frames go to CommView agents only: the {} virtual agents of the UDP mirror inputs "
                    + "have no way back{}", ctx.stats.name, virtual, sent > 0 ? "" : "; frames no agent takes are counted as inject_refused");
        }
        if (sent > 0) {
            ctx.stats.injectSent.incrementAndGet();
            totals.injectSent.incrementAndGet();
        } else if (full == 0 && virtual > 0) {
            ctx.stats.injectRefused.incrementAndGet(); // only virtual agents, which cannot take it: refused, not lost quietly
            totals.injectRefused.incrementAndGet();
        } else if (full == 0) {
            ctx.stats.injectDiscarded.incrementAndGet();
            totals.injectDiscarded.incrementAndGet();
            if (ctx.firstTime("no agent")) {
                LOG.warn("{}: injection frame discarded: no agent is connected (--inject-to-agent)", ctx.stats.name);
            }
        }
    }

    @Override
    public void flush(InjectContext ctx) {
        // written and flushed frame by frame
    }

    @Override
    public String state() {
        return "back to the agents (--inject-to-agent)";
    }

    @Override
    public void close() {
        // the agents' channels close with the collector
    }
}
