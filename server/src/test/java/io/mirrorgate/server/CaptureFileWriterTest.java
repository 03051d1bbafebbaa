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
        return new RecordRun(b, Dialect.NCF, n, ts, "127.0.0.1:" + (40000 + agent), null);
    }

    private static void offer(CaptureFileWriter w, RecordRun r) throws InterruptedException {
        long before = w.written.get();
        w.offer(r);
        r.records.release();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> w.written.get() + w.skipped.get() + w.dropped.get() >= before + r.count);
    }

    private List<String> names() throws java.io.IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private int inFiles() throws Exception {
        int n = 0;
        for (String f : names()) {
            n += TestAgents.strictlyReadable(tmp.resolve(f));
        }
        return n;
    }

    /** Regression: -G 1 -W 2 wrote 8 files; tcpdump writes 2 and stops. */
    @Test
    void rotateSecondsWithFileCountStopsAfterNFiles() throws Exception {
        StepClock clock = new StepClock(Instant.parse("2026-11-22T10:00:00Z").toEpochMilli());
        CaptureFileWriter w = new CaptureFileWriter(tmp.resolve("g-%H%M%S.pcap").toString(), false, 0, 1, 2, null, clock, null);
        int total = 0;
        for (int round = 0; round < 8; round++) {
            offer(w, run(round + 1, 10));
            total += 10;
            clock.millis += 1000;
        }
        w.close();
        assertEquals(List.of("g-100000.pcap", "g-100001.pcap"), names());
        assertEquals(20, w.written.get());
        assertEquals(total - 20, w.skipped.get());
        assertEquals(0, w.dropped.get());
        assertEquals(20, inFiles());
    }

    /** Regression: one record was dropped at each rotation under -W. */
    @Test
    void noRecordIsLostWhenARingRotates() throws Exception {
        CaptureFileWriter w = new CaptureFileWriter(tmp.resolve("r.pcap").toString(), false, 1, 0, 50, null,
                Clock.systemUTC(), null);
        int n = 0;
        for (int round = 0; round < 20; round++) {
            offer(w, run(round + 1, 250)); // 250 × ~140 bytes a run: a new 1 MB file every ~28 runs... and more
            n += 250;
        }
        for (int round = 0; round < 10; round++) {
            List<byte[]> recs = TestAgents.records(100 + round, 100, 9000);
            ByteBuf b = Unpooled.wrappedBuffer(TestAgents.concat(recs));
            long[] ts = new long[100];
            RecordRun big = new RecordRun(b, Dialect.NCF, 100, ts, "127.0.0.1:40000", null);
            offer(w, big);
            n += 100;
        }
        w.close();
        assertTrue(w.files.get() > 5, "files " + w.files.get());
        assertEquals(n, w.written.get());
        assertEquals(n, inFiles(), "every record is in a file: " + names());
    }

    /** Regression: a second run with the same -C/-W ring silently overwrote the first run's files. */
    @Test
    void aSecondRunNeverOverwritesTheFirstRunsRing() throws Exception {
        for (int runNo = 0; runNo < 2; runNo++) {
            CaptureFileWriter w = new CaptureFileWriter(tmp.resolve("ring.pcap").toString(), false, 1, 0, 2, null,
                    Clock.systemUTC(), null);
            for (int round = 0; round < 3; round++) {
                List<byte[]> recs = TestAgents.records(runNo * 10 + round, 60, 9000); // ~540 KB a run
                offer(w, new RecordRun(Unpooled.wrappedBuffer(TestAgents.concat(recs)), Dialect.NCF, 60, new long[60], "127.0.0.1:40000", null));
            }
            w.close();
            if (runNo == 0) {
                assertEquals(List.of("ring.pcap0", "ring.pcap1"), names());
            }
        }
        List<String> after = names();
        assertEquals(List.of("ring.pcap0", "ring.pcap0.1", "ring.pcap1", "ring.pcap1.1"), after);
    }

    /**
     * Regression (CI): SIGKILL between creating a staging file and giving it its name left a
     * hidden empty {@code .NAME.creating-PID} behind for good. The next start removes those whose
     * process is gone and keeps a live collector's.
     */
    @Test
    void abandonedStagingFilesOfDeadProcessesAreRemovedAtStart() throws Exception {
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            Process dead = new ProcessBuilder("true").start();
            dead.waitFor();
            java.nio.file.Path gone = tmp.resolve(".k.pcap.creating-" + dead.pid());
            java.nio.file.Path kept = tmp.resolve(".k.pcap.creating-" + live.pid());
            java.nio.file.Path other = tmp.resolve(".notes.creating-x");
            java.nio.file.Files.write(gone, new byte[0]);
            java.nio.file.Files.write(kept, new byte[0]);
            java.nio.file.Files.write(other, new byte[0]);
            CaptureFileWriter w = new CaptureFileWriter(tmp.resolve("k.pcap").toString(), false, 0, 0, 0, null,
                    Clock.systemUTC(), null);
            w.close();
            assertTrue(!java.nio.file.Files.exists(gone), "a dead collector's staging file is removed");
            assertTrue(java.nio.file.Files.exists(kept), "a live collector's staging file is kept");
            assertTrue(java.nio.file.Files.exists(other), "a name that is not ours is kept");
        } finally {
            live.destroy();
        }
    }


    @Test
    void clockSteppingBackUnderRotationTruncatesNothing() throws Exception {
        StepClock clock = new StepClock(Instant.parse("2026-11-22T10:00:00Z").toEpochMilli());
        CaptureFileWriter w = new CaptureFileWriter(tmp.resolve("t-%H%M%S.pcap").toString(), false, 0, 1, 0, null, clock, null);
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
        assertEquals(10, TestAgents.readable(tmp.resolve("t-100000.pcap")));
        assertEquals(20, TestAgents.readable(tmp.resolve("t-100002.pcap")));
        assertEquals(30, TestAgents.readable(tmp.resolve("t-100000.pcap.1")));
        assertTrue(w.dropped.get() == 0);
    }

    /** pcapng: a file describes at most 65,536 interfaces; the next source starts a new file, and nothing is lost. */
    @Test
    void aPcapngFileFullOfInterfacesGivesWayToANewOne() throws Exception {
        Path f = tmp.resolve("i.pcapng");
        int sources = CaptureFileWriter.MAX_INTERFACES + 1;
        byte[] record = TestAgents.records(1, 1, 60).get(0);
        try (CaptureFileWriter w = new CaptureFileWriter(f.toString(), false, 0, 0, 0, null, Clock.systemUTC(), null)) {
            for (int k = 0; k < sources; ) {
                int batch = Math.min(2000, sources - k);
                for (int b = 0; b < batch; b++, k++) {
                    RecordRun r = new RecordRun(Unpooled.wrappedBuffer(record), Dialect.NCF, 1, new long[] {k},
                            "10." + (k >> 16) + "." + ((k >> 8) & 255) + "." + (k & 255) + ":5555", null);
                    w.offer(r);
                    r.records.release();
                }
                int done = k;
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> w.written.get() + w.dropped.get() >= done);
            }
            assertEquals(sources, w.written.get());
            assertEquals(0, w.dropped.get());
        }
        assertEquals(List.of("i.pcapng", "i.pcapng.1"), names());
        assertEquals(CaptureFileWriter.MAX_INTERFACES, count(f));
        assertEquals(1, count(tmp.resolve("i.pcapng.1")));
    }

    private static int count(Path p) throws java.io.IOException {
        int n = 0;
        io.mirrorgate.protocol.PacketView v = new io.mirrorgate.protocol.PacketView();
        try (io.mirrorgate.protocol.CaptureReader r = io.mirrorgate.protocol.CaptureFiles.open(p, ZoneOffset.UTC)) {
            while (r.next(v)) {
                n++;
            }
        }
        return n;
    }
}
