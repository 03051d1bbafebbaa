package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.CaptureFormat;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.PcapFileReader;
import io.mirrorgate.protocol.StreamFormatException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults with exact expected outcomes (issue 5): each test says what must survive. */
class FaultIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern AGENTS = Pattern.compile("agents -> 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    static int readable(Path p) throws Exception {
        return TestAgents.readable(p);
    }

    static int strictlyReadable(Path p) throws Exception {
        return TestAgents.strictlyReadable(p);
    }

    private static Collector collector(ServeConfig cfg) throws InterruptedException {
        return TestAgents.collector(cfg);
    }

    @Test
    void agentKilledMidRecordLosesOnlyThePartialRecord() throws Exception {
        try (Collector c = collector(new ServeConfig())) {
            TestAgents.Reader sub = new TestAgents.Reader(c.clientAddress());
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            List<byte[]> recs = TestAgents.records(1, 3, 200);
            byte[] all = TestAgents.concat(recs);
            try (Socket s = new Socket(c.mirrorAddress().getAddress(), c.mirrorAddress().getPort())) {
                s.getOutputStream().write(all, 0, all.length - 100); // record 3 cut in the middle
                s.getOutputStream().flush();
                await().atMost(WAIT).until(() -> c.agentTotals().received.get() == 2);
                s.setSoLinger(true, 0); // killed: reset, no goodbye
            }
            await().atMost(WAIT).until(() -> c.agentTotals().connected.get() == 1 && sub.size() >= recs.get(0).length * 2);
            // the next connection starts clean on a record boundary
            TestAgents.send(c.mirrorAddress(), all, 3);
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() == 5);
            assertEquals(0, c.agentTotals().closedBadStream.get());
            sub.close();
        }
    }

    @Test
    void subscriberVanishingMidWriteDisturbsNobody() throws Exception {
        try (Collector c = collector(new ServeConfig())) {
            Socket gone = new Socket(c.clientAddress().getAddress(), c.clientAddress().getPort());
            TestAgents.Reader stays = new TestAgents.Reader(c.clientAddress());
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 2);
            byte[] data = TestAgents.concat(TestAgents.records(2, 20_000, 500));
            Thread vanish = new Thread(() -> {
                try {
                    // mid-write: once the collector has sent it something, reset the connection
                    await().atMost(WAIT).until(() -> gone.getInputStream().available() > 0);
                    gone.setSoLinger(true, 0);
                    gone.close();
                } catch (Exception e) {
                    // test thread
                }
            });
            vanish.start();
            TestAgents.send(c.mirrorAddress(), data, 4);
            vanish.join();
            await().atMost(WAIT).until(() -> stays.size() >= data.length);
            assertArrayEquals(data, stays.bytes());
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 2 && cLive(c) == 1);
            stays.close();
        }
    }

    /** Subscribers connected now: their lines in the statistics block. */
    private static long cLive(Collector c) {
        return c.statisticsLines().stream().filter(l -> l.startsWith("  subscriber ")).count();
    }

    @Test
    void diskFullStopsTheWriterWithAnErrorAndFanOutGoesOn() throws Exception {
        Path mnt = tmp.resolve("small");
        Files.createDirectories(mnt);
        assertEquals(null, VethForTests.run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt.toString()),
                "tmpfs needs root, as CI has");
        try {
            ServeConfig cfg = new ServeConfig();
            cfg.writeFile = mnt.resolve("cap.pcap").toString();
            try (Collector c = collector(cfg)) {
                TestAgents.Reader sub = new TestAgents.Reader(c.clientAddress());
                await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
                int n = 2000;
                byte[] data = TestAgents.concat(TestAgents.records(3, n, 500)); // about 1 MB, 4 × the disk
                TestAgents.send(c.mirrorAddress(), data, 5);
                await().atMost(WAIT).until(() -> sub.size() >= data.length);
                assertArrayEquals(data, sub.bytes());
                await().atMost(WAIT).until(() -> c.writerWritten() + c.writerDropped() >= n);
                assertTrue(c.writerDropped() > 0);
                assertEquals(n, c.writerWritten() + c.writerDropped(), "each record written or dropped, once");
                assertTrue(c.statisticsLines().stream().anyMatch(l -> l.contains("failed: No space left on device")),
                        c.statisticsLines().toString());
                sub.close();
                c.close();
                int onDisk = strictlyReadable(mnt.resolve("cap.pcap"));
                assertTrue(onDisk > 100, "records on disk: " + onDisk);
                assertEquals(c.writerWritten(), onDisk, "written = records readable in the file, exactly");
            }
        } finally {
            VethForTests.run("umount", mnt.toString());
        }
    }

    static Process serve(Path pcap, List<String> lines) throws Exception {
        Process p = new ProcessBuilder("java", "-jar", ServeProcessIT.jar().toString(), "serve", "--mirror-port", "0",
                "--client-port", "0", "-w", pcap.toString()).redirectErrorStream(true).start();
        return p;
    }

    static int port(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            Matcher m = AGENTS.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // keep the pipe empty
                        }
                    } catch (java.io.IOException e) {
                        // gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("serve printed no address");
    }

    @Test
    void collectorKilledWhileWritingLeavesReadableFilesAndARestartKeepsThem() throws Exception {
        Path pcap = tmp.resolve("cap.pcap");
        Process first = serve(pcap, null);
        int port = port(first);
        TestAgents.send(new InetSocketAddress("127.0.0.1", port), TestAgents.concat(TestAgents.records(4, 3000, 300)), 6);
        await().atMost(WAIT).until(() -> readable(pcap) == 3000); // whole records reach the disk when the writer is idle
        assertEquals(0, new ProcessBuilder("kill", "-KILL", Long.toString(first.pid())).start().waitFor());
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        int before = readable(pcap);
        assertTrue(before >= 2900, "records readable after SIGKILL: " + before);
        byte[] kept = Files.readAllBytes(pcap);

        Process second = serve(pcap, null);
        int port2 = port(second);
        // send() returns once the collector read every record; SIGTERM then writes what is queued
        TestAgents.send(new InetSocketAddress("127.0.0.1", port2), TestAgents.concat(TestAgents.records(5, 10, 300)), 7);
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(second.pid())).start().waitFor());
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertArrayEquals(kept, Files.readAllBytes(pcap), "the first run's file is untouched");
        assertEquals(10, readable(tmp.resolve("cap.pcap.1")));
    }

    /**
     * Regression: after SIGKILL the file being written ended mid-packet (a 64 KiB buffer reached
     * the disk at arbitrary offsets). Records now reach write(2) whole (PcapWriterTest), so every
     * file reads whole to its end; only a kill inside a multi-page write(2) can cut the one record
     * that write was appending (Linux checks for a fatal signal between pages), and then libpcap
     * reports that last record alone. Three kills mid-stream.
     */
    @Test
    void sigkillMidWriteLeavesFilesWholeUpToTheirLastRecord() throws Exception {
        int torn = 0;
        int files = 0;
        for (Path f : filesLeftByThreeKills(tmp, "k.pcap")) {
            files++;
            try {
                strictlyReadable(f);
            } catch (StreamFormatException e) {
                // allowed only for a last record that runs past the end of the file
                long size = Files.size(f);
                byte[] all = Files.readAllBytes(f);
                long at = e.offset();
                assertTrue(at > 0 && at + 16 <= size || at + 16 > size, "error at " + at + " in " + f);
                long caplen = at + 16 <= size ? java.nio.ByteBuffer.wrap(all, (int) at + 8, 4)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL : Long.MAX_VALUE;
                assertTrue(at + 16 + caplen > size, f + ": damage before the last record, at " + at + ": "
                        + e.getMessage());
                torn++;
            }
        }
        System.out.println("SIGKILL mid-write: " + torn + " of " + files + " files end in a cut record, 3 kills");
        assertTrue(files >= 6, "files " + files);
    }

    /**
     * Three runs of {@link #killWhileWriting} into {@code kill0..2} under {@code tmp}: the capture
     * files they left (not a staging file a kill caught before it got its name).
     */
    static java.util.List<Path> filesLeftByThreeKills(Path tmp, String name) throws Exception {
        java.util.List<Path> out = new java.util.ArrayList<>();
        for (int run = 0; run < 3; run++) {
            Path dir = Files.createDirectories(tmp.resolve("kill" + run));
            killWhileWriting(dir.resolve(name), run);
            try (java.util.stream.Stream<Path> st = Files.list(dir)) {
                st.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Starts serve writing {@code file} with {@code -C 1}, streams ~2.8 MB chunks of 1,424-byte
     * records into it, and SIGKILLs it once the files hold 3 MB + run × 1.7 MB (a different moment
     * of the stream each run).
     */
    static void killWhileWriting(Path file, int run) throws Exception {
        Process p = new ProcessBuilder("java", "-jar", ServeProcessIT.jar().toString(), "serve", "--mirror-port", "0",
                "--client-port", "0", "-w", file.toString(), "-C", "1").redirectErrorStream(true).start();
        try {
            int port = port(p);
            byte[] chunk = TestAgents.concat(TestAgents.records(8, 2000, 1400));
            Thread agent = new Thread(() -> {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    for (int k = 0; k < 200; k++) {
                        s.getOutputStream().write(chunk);
                    }
                } catch (java.io.IOException e) {
                    // the collector was killed under it
                }
            });
            agent.setDaemon(true);
            agent.start();
            long want = 3_000_000L + run * 1_700_000L;
            await().atMost(WAIT).until(() -> totalSize(file.getParent()) > want);
            assertEquals(0, new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly(); // a failed assertion must not leave the collector running
        }
    }

    static long totalSize(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> st = Files.list(dir)) {
            long n = 0;
            for (Path f : (Iterable<Path>) st::iterator) {
                if (f.getFileName().toString().startsWith(".")) {
                    continue; // a staging file: linked under its name, then removed, while we look
                }
                n += Files.size(f);
            }
            return n;
        }
    }

    @Test
    void unwritableWriteFileIsAnErrorAtStartWithExit73() throws Exception {
        for (String path : List.of(tmp.resolve("no/such/dir/x.pcap").toString(), "/proc/x.pcap")) {
            Process p = new ProcessBuilder("java", "-jar", ServeProcessIT.jar().toString(), "serve", "--mirror-port", "0",
                    "--client-port", "0", "-w", path).redirectErrorStream(true).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(73, p.exitValue(), out);
            assertEquals(1, out.lines().count(), out);
            assertTrue(out.contains(path), out);
        }
    }

    /**
     * Without libpcap, injection goes through AF_PACKET, which needs no libpcap; asked for
     * pcap_sendpacket, serve runs without injection and says why; capture files read without it.
     */
    @Test
    void withoutLibpcapServeRunsWithoutInjectionAndSaysSo() throws Exception {
        Process af = new ProcessBuilder("java", "-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.0.8", "-jar",
                ServeProcessIT.jar().toString(), "serve", "--mirror-port", "0", "--client-port", "0", "--inject-adapter", "lo")
                .redirectErrorStream(true).start();
        try (BufferedReader ar = new BufferedReader(new InputStreamReader(af.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            StringBuilder seen = new StringBuilder();
            while ((l = ar.readLine()) != null && !l.contains("injection ")) {
                seen.append(l).append('\n');
            }
            assertEquals("mirrorgate serve: injection on adapter lo through AF_PACKET sendmmsg", l, seen.toString());
        } finally {
            af.destroy();
            assertTrue(af.waitFor(30, TimeUnit.SECONDS));
        }
        List<String> cmd = List.of("java", "-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.0.8", "-jar",
                ServeProcessIT.jar().toString(), "serve", "--mirror-port", "0", "--client-port", "0", "--inject-adapter", "lo",
                "--inject-method", "pcap");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int port = -1;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.contains("injection ")) {
                    break;
                }
                Matcher m = AGENTS.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(out.toString().contains("mirrorgate serve: injection off: libpcap is not available"), out.toString());
            TestAgents.send(new InetSocketAddress("127.0.0.1", port), Files.readAllBytes(TestAgents.testdata("eth.ncf")), 1);
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out.toString());
        } finally {
            p.destroyForcibly(); // a failed assertion must not leave the collector running
        }
        assertTrue(out.toString().contains("agents total received=39 "), out.toString());

        // capture files, pcap and pcapng alike, are read in Java: no libpcap needed
        for (String f : new String[] {"eth.pcap", "eth.pcapng"}) {
            Process read = new ProcessBuilder("java", "-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.0.8", "-jar",
                    ServeProcessIT.jar().toString(), "read", "--count", "3", TestAgents.testdata(f).toString())
                    .redirectErrorStream(true).start();
            String readOut = new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(read.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, read.exitValue(), readOut);
            assertEquals(3, readOut.lines().count(), readOut);
        }
    }

    @Test
    void adapterRemovedAndReaddedDuringInjectionIsUsedAgain() throws Exception {
        VethForTests veth = new VethForTests("mgr");
        try {
            ServeConfig cfg = new ServeConfig();
            cfg.injectAdapter = veth.a();
            try (Collector c = collector(cfg);
                 Socket s = new Socket(c.clientAddress().getAddress(), c.clientAddress().getPort())) {
                InjectionIT.sendFrames(s, io.mirrorgate.protocol.Dialect.NCF, List.of(InjectionIT.frame(100, 1)));
                await().atMost(WAIT).until(() -> c.injectionTotals().injectSent.get() == 1);
                veth.close(); // the adapter disappears
                InjectionIT.sendFrames(s, io.mirrorgate.protocol.Dialect.NCF, List.of(InjectionIT.frame(100, 2)));
                await().atMost(WAIT).until(() -> c.injectionTotals().injectFailed.get() == 1);
                veth = new VethForTests("mgr"); // and comes back with the same name
                try (VethForTests.Capture cap = veth.capture()) {
                    InjectionIT.sendFrames(s, io.mirrorgate.protocol.Dialect.NCF, List.of(InjectionIT.frame(100, 3)));
                    await().atMost(WAIT).until(() -> c.injectionTotals().injectSent.get() == 2);
                    await().atMost(WAIT).until(() -> cap.frames().size() == 1);
                    assertArrayEquals(InjectionIT.frame(100, 3), cap.frames().get(0));
                }
            }
        } finally {
            veth.close();
        }
    }
}
