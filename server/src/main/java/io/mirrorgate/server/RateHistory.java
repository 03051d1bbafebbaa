package io.mirrorgate.server;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per-second rates of the last {@link #SECONDS} seconds, in memory and bounded, for the web
 * console: records/s and drops/s over all agents, and records/s of each agent (at most
 * {@link #MAX_AGENTS} series; later agents are counted in {@link #untracked}, their records still
 * in the total). Sampled once a second off the hot path, from the counters the statistics read.
 * A drop is a record lost on its way out: a subscriber's, a capture file's, or Kafka's.
 */
final class RateHistory {
    static final int SECONDS = 600;
    static final int MAX_AGENTS = 256;

    /** One agent's series. */
    static final class Series {
        final SourceStats stats;
        final float[] records = new float[SECONDS];
        long lastReceived;
        long lastBytes;
        float bytesRate;
        /** Samples since the agent was last seen live: it leaves the history once its series is all past. */
        int gone;

        Series(SourceStats stats) {
            this.stats = stats;
            this.lastReceived = stats.received.get();
            this.lastBytes = stats.bytes.get();
        }
    }

    private final Supplier<List<SourceStats>> agents;
    private final Supplier<long[]> totals;
    private final long[] times = new long[SECONDS];
    private final float[] records = new float[SECONDS];
    private final float[] drops = new float[SECONDS];
    private final Map<SourceStats, Series> series = new IdentityHashMap<>();
    private int head;
    private int count;
    private long lastReceived = -1;
    private long lastDropped;
    private long lastTime;
    /** Agents seen while {@link #MAX_AGENTS} series were kept. */
    long untracked;

    /**
     * @param agents the live agents (virtual ones included)
     * @param totals {received over every agent ever, dropped on the way out} now
     */
    RateHistory(Supplier<List<SourceStats>> agents, Supplier<long[]> totals) {
        this.agents = agents;
        this.totals = totals;
    }

    /** Takes one sample at {@code nowMillis}. */
    synchronized void sample(long nowMillis) {
        long[] t = totals.get();
        double seconds = lastReceived < 0 ? 1 : Math.max(0.001, (nowMillis - lastTime) / 1000.0);
        int at = head;
        times[at] = nowMillis;
        records[at] = lastReceived < 0 ? 0 : (float) ((t[0] - lastReceived) / seconds);
        drops[at] = lastReceived < 0 ? 0 : (float) ((t[1] - lastDropped) / seconds);
        lastReceived = t[0];
        lastDropped = t[1];
        for (Series s : series.values()) {
            s.gone++;
            s.records[at] = 0;
        }
        for (SourceStats a : agents.get()) {
            Series s = series.get(a);
            if (s == null) {
                if (series.size() >= MAX_AGENTS) {
                    untracked++;
                    continue;
                }
                s = new Series(a);
                series.put(a, s);
            }
            long r = a.received.get();
            s.records[at] = (float) ((r - s.lastReceived) / seconds);
            s.lastReceived = r;
            long b = a.bytes.get();
            s.bytesRate = (float) ((b - s.lastBytes) / seconds);
            s.lastBytes = b;
            s.gone = 0;
        }
        for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
            if (it.next().gone >= SECONDS) {
                it.remove();
            }
        }
        lastTime = nowMillis;
        head = (head + 1) % SECONDS;
        count = Math.min(SECONDS, count + 1);
    }

    /** The latest {records/s, bytes/s} of an agent (0 when it has no series yet). */
    synchronized double[] rate(SourceStats a) {
        Series s = series.get(a);
        return s == null || count == 0 ? new double[2] : new double[] {s.records[(head + SECONDS - 1) % SECONDS], s.bytesRate};
    }

    /** The latest {records/s, drops/s} over all agents. */
    synchronized double[] latest() {
        int last = (head + SECONDS - 1) % SECONDS;
        return count == 0 ? new double[2] : new double[] {records[last], drops[last]};
    }

    /** What {@code /api/rates} returns: oldest first. */
    record Snapshot(long[] times, float[] records, float[] drops, List<String> agents, List<float[]> agentRecords,
                    List<Boolean> agentLive, long untracked) {
    }

    synchronized Snapshot snapshot() {
        long[] ts = new long[count];
        float[] r = new float[count];
        float[] d = new float[count];
        int start = (head + SECONDS - count) % SECONDS;
        for (int k = 0; k < count; k++) {
            int i = (start + k) % SECONDS;
            ts[k] = times[i];
            r[k] = records[i];
            d[k] = drops[i];
        }
        List<String> names = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        List<Boolean> live = new ArrayList<>();
        for (Series s : series.values()) {
            float[] v = new float[count];
            for (int k = 0; k < count; k++) {
                v[k] = s.records[(start + k) % SECONDS];
            }
            names.add(Peers.nameOf(s.stats));
            values.add(v);
            live.add(s.gone == 0);
        }
        return new Snapshot(ts, r, d, names, values, live, untracked);
    }
}
