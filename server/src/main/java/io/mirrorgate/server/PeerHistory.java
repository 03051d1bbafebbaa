package io.mirrorgate.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Counters of connections that have closed, per peer address (no port: a reconnect adds to the
 * same series). Bounded: the least recently closed addresses beyond {@code max} are forgotten
 * (their series end, as a restarted exporter's would).
 */
final class PeerHistory {
    private final int max;
    private final Map<String, SourceStats> closed;

    PeerHistory(int max) {
        this.max = max;
        this.closed = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SourceStats> e) {
                return size() > PeerHistory.this.max;
            }
        };
    }

    synchronized void retire(String address, SourceStats s) {
        closed.computeIfAbsent(address, SourceStats::new).add(s);
    }

    /**
     * Per address: the closed connections' counters plus those of the live ones given, summed.
     */
    synchronized Map<String, SourceStats> byAddress(Iterable<SourceStats> live, Function<SourceStats, String> address) {
        Map<String, SourceStats> out = new LinkedHashMap<>();
        for (Map.Entry<String, SourceStats> e : closed.entrySet()) {
            out.computeIfAbsent(e.getKey(), SourceStats::new).add(e.getValue());
        }
        for (SourceStats s : live) {
            out.computeIfAbsent(address.apply(s), SourceStats::new).add(s);
        }
        return out;
    }
}
