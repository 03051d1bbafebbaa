package io.mirrorgate.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers which keys (an address and what happened) were already logged, so that each is
 * logged once at WARN and counted after that. Bounded: past {@code max} keys every further event
 * is treated as already logged (counted, not logged) — an attacker with many addresses cannot
 * grow the set or flood the log.
 */
final class LogOnce {
    private final int max;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    LogOnce(int max) {
        this.max = max;
    }

    /** True the first time {@code key} is seen, while fewer than {@code max} keys are remembered. */
    boolean first(String key) {
        return seen.size() < max && seen.add(key);
    }
}
