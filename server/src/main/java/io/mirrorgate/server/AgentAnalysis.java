package io.mirrorgate.server;

import io.mirrorgate.protocol.ConversationTracker;
import io.mirrorgate.protocol.PacketView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --analysis}, one per agent connection, on its event loop: a conversation tracker
 * (mirror rules), its counts added to the agent's {@link SourceStats} once per read, ended
 * conversations to the {@link ConversationLog}, and the capture-loss estimate (ACKs for data the
 * mirror never delivered, as Zeek's capture-loss script computes it) logged once per window of
 * {@link #LOSS_WINDOW_ACKS} ACKs when above {@link #LOSS_WARN_PERCENT}, at most once a minute.
 */
final class AgentAnalysis {
    private static final Logger LOG = LoggerFactory.getLogger(AgentAnalysis.class);
    /** Conversations one agent may have live at once; the least recently seen beyond are evicted (counted). */
    static final int CONVERSATIONS_MAX = 250_000;
    /** Zeek's CaptureLoss::too_much_loss: 10 %. */
    static final double LOSS_WARN_PERCENT = 10.0;
    static final long LOSS_WINDOW_ACKS = 10_000;
    private static final long LOSS_WARN_EVERY_MS = 60_000;

    private final ConversationTracker tracker = new ConversationTracker(CONVERSATIONS_MAX);
    /** The top conversations are renewed at most this often (a walk over the live ones). */
    private static final long TOP_EVERY_MS = 1000;
    private long lastTop;
    /** The console's top conversations (null without the console), and the rows this agent holds of them. */
    private final ConsoleTops tops;
    private int heldRows;
    private boolean leftOut;
    private final SourceStats stats;
    private final String agent;
    private long opened;
    private long retransmissions;
    private long resets;
    private long zeroWindows;
    private long acks;
    private long ackedUnseen;
    private long duplicates;
    private long expired;
    private long evicted;
    private long windowAcks;
    private long windowUnseen;
    private long lastWarn = Long.MIN_VALUE;

    /** Heap one live conversation takes, measured (ConversationTrackerBenchmark: 755 B), rounded up. */
    static final int CONVERSATION_BYTES = 800;

    /**
     * The bound on live conversations over all agents: 40 % of the heap at {@link #CONVERSATION_BYTES}
     * each (134,217 with -Xmx256m), so that analysis cannot run the collector out of memory however
     * many agents and flows there are.
     */
    static ConversationTracker.Budget budget() {
        return new ConversationTracker.Budget(Runtime.getRuntime().maxMemory() * 2 / 5 / CONVERSATION_BYTES);
    }

    AgentAnalysis(SourceStats stats, String agent, ConversationLog log, long[] timeouts, ConversationTracker.Budget budget,
                  ConsoleTops tops) {
        this.tops = tops;
        tracker.budget(budget);
        if (timeouts != null) {
            tracker.timeouts(timeouts[0], timeouts[1], timeouts[2], timeouts[3]);
        }
        this.stats = stats;
        this.agent = agent;
        tracker.listener(new ConversationTracker.Listener() {
            @Override
            public void opened(ConversationTracker.Conversation c) {
                opened++;
            }

            @Override
            public void closed(ConversationTracker.Conversation c) {
                if (log != null) {
                    log.offer(c, agent);
                }
            }
        });
    }

    void add(PacketView v) {
        tracker.add(v);
    }

    /** Adds what changed since the last call to the agent's counters; checks the capture-loss estimate. */
    void publish() {
        if (tops != null) {
            renewTops(System.currentTimeMillis());
        }
        stats.conversations.addAndGet(opened);
        opened = 0;
        stats.conversationsActive.set(tracker.size());
        retransmissions = delta(tracker.retransmissions(), retransmissions, stats.tcpRetransmissions);
        resets = delta(tracker.resets(), resets, stats.tcpResets);
        zeroWindows = delta(tracker.zeroWindows(), zeroWindows, stats.tcpZeroWindows);
        duplicates = delta(tracker.mirrorDuplicates(), duplicates, stats.mirrorDuplicates);
        expired = delta(tracker.expired(), expired, stats.conversationsExpired);
        evicted = delta(tracker.evicted(), evicted, stats.conversationsEvicted);
        long a = tracker.acks();
        long u = tracker.ackedUnseen();
        windowAcks += a - acks;
        windowUnseen += u - ackedUnseen;
        acks = delta(a, acks, stats.tcpAcks);
        ackedUnseen = delta(u, ackedUnseen, stats.tcpAckedUnseen);
        if (windowAcks >= LOSS_WINDOW_ACKS) {
            double loss = 100.0 * windowUnseen / windowAcks;
            long now = System.currentTimeMillis();
            if (loss > LOSS_WARN_PERCENT && now - lastWarn >= LOSS_WARN_EVERY_MS) {
                lastWarn = now;
                LOG.warn("agent {}: capture loss estimate {}% ({} of the last {} ACKs acknowledge data the mirror never "
                        + "delivered): the mirror, not the network, is losing packets", agent,
                        String.format(java.util.Locale.ROOT, "%.1f", loss), windowUnseen, windowAcks);
            }
            windowAcks = 0;
            windowUnseen = 0;
        }
    }

    private static long delta(long now, long before, java.util.concurrent.atomic.AtomicLong into) {
        if (now != before) {
            into.addAndGet(now - before);
        }
        return now;
    }

    /** While the console asks, at most once a second: this agent's top lists, if they fit the console's bound. */
    private void renewTops(long nowMs) {
        if (!tops.wanted(nowMs)) {
            if (heldRows > 0) {
                dropTops();
            }
            return;
        }
        if (nowMs - lastTop < TOP_EVERY_MS) {
            return;
        }
        lastTop = nowMs;
        java.util.List<ConversationRow> bytes = top(ConversationRow.BY_BYTES);
        java.util.List<ConversationRow> retransmissions = top(ConversationRow.BY_RETRANSMISSIONS);
        int next = bytes.size() + retransmissions.size();
        boolean fits = tops.take(heldRows, next);
        if (fits) {
            heldRows = next;
            stats.topByBytes = bytes;
            stats.topByRetransmissions = retransmissions;
        } else {
            heldRows = 0;
            stats.topByBytes = java.util.List.of();
            stats.topByRetransmissions = java.util.List.of();
        }
        if (fits == leftOut) {
            leftOut = !fits;
            tops.leftOut.addAndGet(fits ? -1 : 1);
        }
    }

    private void dropTops() {
        tops.release(heldRows);
        heldRows = 0;
        stats.topByBytes = java.util.List.of();
        stats.topByRetransmissions = java.util.List.of();
    }

    /** The {@link ConversationRow#TOP} heaviest live conversations by {@code order}, as rows the console can read. */
    private java.util.List<ConversationRow> top(java.util.Comparator<ConversationTracker.Conversation> order) {
        java.util.PriorityQueue<ConversationTracker.Conversation> heap = new java.util.PriorityQueue<>(ConversationRow.TOP + 1, order);
        tracker.forEachLive(c -> {
            heap.add(c);
            if (heap.size() > ConversationRow.TOP) {
                heap.poll(); // the lightest goes
            }
        });
        java.util.List<ConversationRow> out = new java.util.ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            out.add(ConversationRow.of(heap.poll(), agent));
        }
        java.util.Collections.reverse(out);
        return java.util.List.copyOf(out);
    }

    /** The agent is gone: its live conversations end (to the log), its gauge falls to 0. */
    void close() {
        tracker.close();
        publish();
        if (tops != null) {
            dropTops();
            if (leftOut) {
                leftOut = false;
                tops.leftOut.decrementAndGet();
            }
        }
        stats.conversationsActive.set(0);
    }
}
