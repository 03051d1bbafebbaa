package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class WallClockTest {
    private static long micros(String isoInstant) {
        return java.time.Instant.parse(isoInstant).toEpochMilli() * 1000;
    }

    @Test
    void utc() {
        WallClock c = new WallClock(ZoneOffset.UTC);
        assertEquals(1_700_000_000_123_456L, c.toEpochMicros(2023, 11, 14, 22, 13, 20, 123_456));
        assertEquals(0, c.toEpochMicros(1970, 1, 1, 0, 0, 0, 0));
        assertEquals(micros("2099-12-31T23:59:59Z") + 999_999, c.toEpochMicros(2099, 12, 31, 23, 59, 59, 999_999));
    }

    @Test
    void leapSecondCountsAsTheNextSecondsStart() {
        WallClock c = new WallClock(ZoneOffset.UTC);
        assertEquals(micros("2017-01-01T00:00:00Z") + 5, c.toEpochMicros(2016, 12, 31, 23, 59, 60, 5));
    }

    @Test
    void daysNormaliseLikeMktime() {
        WallClock c = new WallClock(ZoneOffset.UTC);
        assertEquals(micros("2023-03-03T00:00:00Z"), c.toEpochMicros(2023, 2, 31, 0, 0, 0, 0));
        assertEquals(micros("2024-03-02T00:00:00Z"), c.toEpochMicros(2024, 2, 31, 0, 0, 0, 0));
    }

    @Test
    void everyLocalTimeOfAYearMatchesJavaTime() {
        ZoneId zone = ZoneId.of("America/New_York");
        WallClock c = new WallClock(zone);
        for (LocalDateTime t = LocalDateTime.of(2021, 1, 1, 0, 17, 3); t.getYear() < 2022; t = t.plusMinutes(97)) {
            long want = t.atZone(zone).toInstant().toEpochMilli() * 1000 + 42;
            assertEquals(want, c.toEpochMicros(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(),
                    t.getMinute(), t.getSecond(), 42), t.toString());
        }
    }

    @Test
    void repeatedHourTakesTheLaterOffsetOnceTheStreamStepsBack() {
        WallClock c = new WallClock(ZoneId.of("Europe/Berlin"));
        // 2023-10-29: 03:00 CEST becomes 02:00 CET; 02:00..02:59 happen twice
        assertEquals(micros("2023-10-28T23:59:00Z"), c.toEpochMicros(2023, 10, 29, 1, 59, 0, 0));
        assertEquals(micros("2023-10-29T00:30:00Z"), c.toEpochMicros(2023, 10, 29, 2, 30, 0, 0));
        assertEquals(micros("2023-10-29T00:59:59Z"), c.toEpochMicros(2023, 10, 29, 2, 59, 59, 0));
        assertEquals(micros("2023-10-29T01:00:00Z"), c.toEpochMicros(2023, 10, 29, 2, 0, 0, 0)); // stepped back
        assertEquals(micros("2023-10-29T01:30:00Z"), c.toEpochMicros(2023, 10, 29, 2, 30, 0, 0));
        assertEquals(micros("2023-10-29T02:00:00Z"), c.toEpochMicros(2023, 10, 29, 3, 0, 0, 0));
    }

    @Test
    void streamThatStartsInsideTheRepeatedHourTakesTheEarlierOffset() {
        WallClock c = new WallClock(ZoneId.of("Europe/Berlin"));
        assertEquals(micros("2023-10-29T00:15:00Z"), c.toEpochMicros(2023, 10, 29, 2, 15, 0, 0));
    }

    @Test
    void skippedHourTakesTheOffsetBeforeTheChange() {
        WallClock c = new WallClock(ZoneId.of("Europe/Berlin"));
        assertEquals(micros("2023-03-26T01:30:00Z"), c.toEpochMicros(2023, 3, 26, 2, 30, 0, 0));
    }
}
