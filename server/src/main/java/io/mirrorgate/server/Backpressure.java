package io.mirrorgate.server;

import io.netty.channel.Channel;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --backpressure drop|block} (SPEC section 7). With {@code drop} an output that cannot
 * keep up loses records, counted per output, and nobody waits. With {@code block} an output above
 * its high-water mark {@link #block blocks}: the collector stops reading every agent (TCP
 * backpressure to the agents; memory stays bounded by what was already read), and resumes when
 * the last blocked output has drained below its low-water mark. A dead peer cannot hold the
 * collector for ever: subscribers that take nothing for {@code --stall-timeout} are disconnected.
 */
final class Backpressure {
    private static final Logger LOG = LoggerFactory.getLogger(Backpressure.class);

    private final boolean block;
    private final Set<Object> blockers = new HashSet<>();
    private final Set<Channel> agents = new HashSet<>();
    /** Times reading from agents was paused. */
    final AtomicLong pauses = new AtomicLong();
    /** True while some output is above its high-water mark (block mode): agents hold their records. */
    private volatile boolean full;

    Backpressure(boolean block) {
        this.block = block;
    }

    /** True under {@code --backpressure block}. */
    boolean blocking() {
        return block;
    }

    /** {@code who} is above its high-water mark: stop reading agents (block mode only). */
    synchronized void block(Object who) {
        if (block && blockers.add(who) && blockers.size() == 1) {
            full = true;
            pauses.incrementAndGet();
            LOG.debug("{} is full: agents paused", who);
            for (Channel a : agents) {
                autoRead(a, false);
            }
        }
    }

    /**
     * Blocks for {@code who} if {@code ch} is still unwritable, checked under the same lock the
     * writability event's {@link #unblock} takes: a subscriber that drained in between is not
     * left blocking for ever.
     */
    synchronized void blockWhileUnwritable(Object who, Channel ch) {
        if (!ch.isWritable() && ch.isActive()) {
            block(who);
        }
    }

    /** {@code who} drained below its low-water mark, or went away. */
    synchronized void unblock(Object who) {
        if (blockers.remove(who) && blockers.isEmpty()) {
            full = false;
            LOG.debug("{} drained: agents resumed", who);
            for (Channel a : agents) {
                autoRead(a, true);
                AgentHandler h = a.pipeline().get(AgentHandler.class);
                if (h != null) {
                    h.resume();
                }
            }
        }
    }

    /** True while an output is full under {@code block}: agents hand on no more records. */
    boolean full() {
        return full;
    }

    synchronized void agentActive(Channel ch) {
        agents.add(ch);
        if (!blockers.isEmpty()) {
            autoRead(ch, false);
        }
    }

    /**
     * Pauses reading an agent at once, or resumes it on its event loop. An agent that ended its
     * stream (half-closed, its held records still waiting) has nothing more to read, and asking
     * Netty's epoll transport to read such a socket fails (epoll_ctl: ENOENT) and closes it; only
     * its event loop knows for sure whether the stream has ended. A resume that reaches the event
     * loop after the next pause began is skipped.
     */
    private void autoRead(Channel a, boolean on) {
        if (!on) {
            a.config().setAutoRead(false); // stops the read loop in progress too
        } else if (a.eventLoop().inEventLoop()) {
            resumeReading(a);
        } else {
            a.eventLoop().execute(() -> resumeReading(a));
        }
    }

    private synchronized void resumeReading(Channel a) {
        if (full) {
            return;
        }
        if (!(a instanceof io.netty.channel.socket.DuplexChannel) || !((io.netty.channel.socket.DuplexChannel) a).isInputShutdown()) {
            a.config().setAutoRead(true);
        }
    }

    synchronized void agentInactive(Channel ch) {
        agents.remove(ch);
    }
}
