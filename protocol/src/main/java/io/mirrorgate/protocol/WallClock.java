package io.mirrorgate.protocol;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * Turns an agent's local wall-clock time (NCF/NCFX carry no zone) into microseconds since the Unix
 * epoch, for one source (one connection or one file): SPEC section 2.
 *
 * <ul>
 *   <li>Day numbers normalise as {@code mktime} does (February 31 is March 3); second 60 is a leap
 *   second and counts as the start of the next second.</li>
 *   <li>In a local hour that a DST change repeats, the first pass takes the earlier (summer)
 *   offset; once the stream's local time steps back into that hour it takes the later one.</li>
 *   <li>A local time that does not exist (the hour skipped in spring) takes the offset before
 *   the change, as {@code java.time} does.</li>
 * </ul>
 *
 * <p>Not thread-safe: one instance per source. The offset of the current period is cached, so the
 * conversion allocates nothing except around a zone transition.
 */
public final class WallClock {
    private static final long SECONDS_PER_DAY = 86_400L;

    private final ZoneId zone;
    private final ZoneRules rules;
    private final boolean fixed;
    private final long fixedOffset;

    /** Local-second range [cacheFrom, cacheTo) in which {@link #cacheOffset} holds unambiguously. */
    private long cacheFrom = 1;
    private long cacheTo = 0;
    private long cacheOffset;

    private long lastLocal = Long.MIN_VALUE;
    /** Transition instant (epoch seconds) whose repeated hour the stream has stepped back into. */
    private long steppedBackAt = Long.MIN_VALUE;

    public WallClock(ZoneId zone) {
        this.zone = zone;
        this.rules = zone.getRules();
        this.fixed = rules.isFixedOffset();
        this.fixedOffset = fixed ? rules.getOffset(Instant.EPOCH).getTotalSeconds() : 0;
    }

    public ZoneId zone() {
        return zone;
    }

    /**
     * Microseconds since the epoch for a local date and time. The fields must already be in the
     * header ranges (month 1..12, day 1..31, hours 0..23, minutes 0..59, seconds 0..60,
     * usecs 0..999999).
     */
    public long toEpochMicros(int year, int month, int day, int hours, int minutes, int seconds, long usecs) {
        long local = (daysFromCivil(year, month, 1) + day - 1) * SECONDS_PER_DAY
                + hours * 3600L + minutes * 60L + seconds;
        return (local - offsetFor(local)) * 1_000_000L + usecs;
    }

    private long offsetFor(long local) {
        if (fixed) {
            return fixedOffset;
        }
        if (local >= cacheFrom && local < cacheTo) {
            lastLocal = local;
            return cacheOffset;
        }
        return slowOffset(local);
    }

    private long slowOffset(long local) {
        java.time.LocalDateTime ldt = java.time.LocalDateTime.ofEpochSecond(local, 0, ZoneOffset.UTC);
        ZoneOffsetTransition t = rules.getTransition(ldt);
        long offset;
        if (t == null) {
            offset = rules.getOffset(ldt).getTotalSeconds();
            cache(local, offset);
        } else if (t.isGap()) {
            offset = t.getOffsetBefore().getTotalSeconds();
        } else {
            long at = t.toEpochSecond();
            if (steppedBackAt != at && lastLocal != Long.MIN_VALUE && lastLocal > local) {
                steppedBackAt = at;
            }
            offset = steppedBackAt == at ? t.getOffsetAfter().getTotalSeconds() : t.getOffsetBefore().getTotalSeconds();
        }
        lastLocal = local;
        return offset;
    }

    /** Caches the unambiguous local range around {@code local} in which {@code offset} holds. */
    private void cache(long local, long offset) {
        Instant instant = Instant.ofEpochSecond(local - offset);
        ZoneOffsetTransition prev = rules.previousTransition(instant.plusSeconds(1));
        ZoneOffsetTransition next = rules.nextTransition(instant);
        cacheFrom = prev == null ? Long.MIN_VALUE
                : prev.toEpochSecond() + Math.max(prev.getOffsetBefore().getTotalSeconds(), prev.getOffsetAfter().getTotalSeconds());
        cacheTo = next == null ? Long.MAX_VALUE
                : next.toEpochSecond() + Math.min(next.getOffsetBefore().getTotalSeconds(), next.getOffsetAfter().getTotalSeconds());
        cacheOffset = offset;
        if (local < cacheFrom || local >= cacheTo) {
            cacheFrom = 1;
            cacheTo = 0;
        }
    }

    /** Days from 1970-01-01 to a proleptic Gregorian date (month 1..12); H. Hinnant's algorithm. */
    static long daysFromCivil(long y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }
}
