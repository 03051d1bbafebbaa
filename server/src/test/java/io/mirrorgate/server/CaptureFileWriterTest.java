package io.mirrorgate.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.Dialect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -G rotation with a clock that steps back: no file is ever truncated. */
class CaptureFileWriterTest {
    @TempDir
    Path tmp;

    /** A clock the test moves. */
    static final class StepClock extends Clock {
        volatile long millis;

        StepClock(long millis) {
            this.millis = millis;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private static RecordRun run(int agent, int n) {
        List<byte[]> recs = TestAgents.records(agent, n, 100);
        ByteBuf b = Unpooled.wrappedBuffer(TestAgents.concat(recs));
        long[] ts = new long[n];
        for (int k = 0; k < n; k++) {
            ts[k] = 1_700_000_000_000_000L + k;
        }
        return new RecordRun(b, Dialect.NCF, n, ts);
    }

    private static void offer(CaptureFileWriter w, RecordRun r) throws InterruptedException {
        long before = w.written.get();
        w.offer(r);
        r.records.release();
        for (int k = 0; k < 500 && w.written.get() < before + r.count; k++) {
            Thread.sleep(10);
        }
    }

    @Test
    void clockSteppingBackUnderRotationTruncatesNothing() throws Exception {
        StepClock clock = new StepClock(Instant.parse("2026-11-22T10:00:00Z").toEpochMilli());
        CaptureFileWriter w = new CaptureFileWriter(tmp.resolve("t-%H%M%S.pcap").toString(), 0, 1, 0, null, clock);
        offer(w, run(1, 10));                 // t-100000.pcap
        clock.millis += 2000;
        offer(w, run(2, 20));                 // t-100002.pcap
        byte[] first = Files.readAllBytes(tmp.resolve("t-100000.pcap"));
        clock.millis -= 2000;                 // the clock steps back: the first name comes round again
        offer(w, run(3, 30));
        w.close();
        List<String> names;
        try (Stream<Path> s = Files.list(tmp)) {
            names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        assertEquals(List.of("t-100000.pcap", "t-100000.pcap.1", "t-100002.pcap"), names);
        assertArrayEquals(first, Files.readAllBytes(tmp.resolve("t-100000.pcap")), "the first file was not touched");
        assertEquals(10, FaultIT.readable(tmp.resolve("t-100000.pcap")));
        assertEquals(20, FaultIT.readable(tmp.resolve("t-100002.pcap")));
        assertEquals(30, FaultIT.readable(tmp.resolve("t-100000.pcap.1")));
        assertTrue(w.dropped.get() == 0);
    }
}
