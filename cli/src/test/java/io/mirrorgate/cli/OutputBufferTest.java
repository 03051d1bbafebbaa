package io.mirrorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decimal output, written two digits at a time in int arithmetic, is Long.toString's. */
class OutputBufferTest {
    private static String decimal(long v) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputBuffer b = new OutputBuffer(out);
        b.putDecimal(v);
        b.flush();
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void everyEdgeAndRandomValuesAsLongToString() throws IOException {
        long[] edges = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 9_999_999, 10_000_000, 99_999_999, 100_000_000,
            100_000_001, 1_000_000_000_000_000L, 1_700_000_000_123_456L, 9_999_999_999_999_999L, Long.MAX_VALUE, -1, -10,
            -100_000_000, Long.MIN_VALUE + 1, Long.MIN_VALUE};
        for (long v : edges) {
            assertEquals(Long.toString(v), decimal(v), Long.toString(v));
        }
        Random r = new Random(7);
        for (int k = 0; k < 100_000; k++) {
            long v = r.nextLong() >> r.nextInt(64);
            assertEquals(Long.toString(v), decimal(v));
        }
    }
}
