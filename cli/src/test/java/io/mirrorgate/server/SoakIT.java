package io.mirrorgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak: a real {@code serve} process with 4 agents (paced), 4 subscribers (one never reads until
 * the end), capture files rotated every 10 s, and injection at 1,000 frames/s onto a veth pair.
 * Asserts no loss to well-behaved subscribers or files, an exact drop count for the slow one, and
 * RSS growth under 10% after warm-up. CI runs 60 s; {@code scripts/soak.sh SECONDS} runs longer
 * (the duration comes from {@code -Dmirrorgate.soak.seconds}).
 */
class SoakIT {
    private static final int AGENTS = 4;
    private static final int RATE_PER_AGENT = 4000;
    private static final int FRAME = 300;
    private static final int RECORD = 24 + FRAME;
    private static final int INJECT_RATE = 1000;

    @TempDir
    Path tmp;

    static long rssKb(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    static long metric(int port, String regex) throws Exception {
        HttpURLConnection h = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
        String body;
        try (InputStream in = h.getInputStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("(?m)^" + regex + " ([0-9.E+]+)$").matcher(body);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    /** The value of a sample named exactly {@code name} (with its labels), or -1 (also when the port does not answer). */
    static long metricOrMinusOne(int port, String name) {
        try {
            HttpURLConnection h = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
            try (InputStream in = h.getInputStream()) {
                for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (l.startsWith(name + " ")) {
                        return (long) Double.parseDouble(l.substring(name.length() + 1));
                    }
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void fourAgentsFourSubscribersRotationAndInjection() throws Exception {
        long seconds = Long.getLong("mirrorgate.soak.seconds", 60);
        try (VethForTests veth = new VethForTests("mgs"); VethForTests.Capture cap = veth.capture()) {
            int mirror = freePort();
            int client = freePort();
            int metrics = freePort();
            Path files = tmp.resolve("files");
            Files.createDirectories(files);
            Process p = new ProcessBuilder("java", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-jar",
                    ServeProcessIT.jar().toString(), "serve", "--mirror-port", "" + mirror, "--client-port", "" + client,
                    "--metrics-port", "" + metrics, "--inject-adapter", veth.a(), "-w", files.resolve("soak-%H%M%S.pcap").toString(),
                    "-G", "10").redirectErrorStream(true).redirectOutput(tmp.resolve("serve.log").toFile()).start();
            try {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> metric0(metrics) >= 0);
                // subscribers: three read everything, one never reads until the end
                List<TestAgents.Reader> good = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    good.add(new TestAgents.Reader(new InetSocketAddress("127.0.0.1", client), false));
                }
                Socket slow = new Socket();
                slow.setReceiveBufferSize(8192);
                slow.bind(new InetSocketAddress("127.0.0.2", 0)); // its own address: /metrics labels subscribers by address
                slow.connect(new InetSocketAddress("127.0.0.1", client));
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> metric(metrics, "mirrorgate_subscribers_connected") >= 4);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                AtomicLong sent = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                for (int a = 1; a <= AGENTS; a++) {
                    byte[] block = TestAgents.concat(TestAgents.records(a, RATE_PER_AGENT / 100, FRAME)); // 10 ms of records
                    Thread t = new Thread(() -> {
                        try (Socket s = new Socket("127.0.0.1", mirror)) {
                            OutputStream out = s.getOutputStream();
                            long next = System.nanoTime();
                            while (System.nanoTime() < end) {
                                out.write(block);
                                sent.addAndGet(block.length / RECORD);
                                next += 10_000_000L;
                                LockSupport.parkNanos(next - System.nanoTime());
                            }
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    t.start();
                    threads.add(t);
                }
                AtomicLong injected = new AtomicLong();
                Thread injector = new Thread(() -> {
                    try (Socket s = new Socket("127.0.0.1", client)) {
                        OutputStream out = s.getOutputStream();
                        byte[] f = TestAgents.experimentalFrame(100, 1);
                        byte[] wire = new byte[2 + f.length];
                        wire[0] = (byte) f.length;
                        System.arraycopy(f, 0, wire, 2, f.length);
                        long next = System.nanoTime();
                        while (System.nanoTime() < end) {
                            out.write(wire);
                            injected.incrementAndGet();
                            next += 1_000_000_000L / INJECT_RATE;
                            LockSupport.parkNanos(next - System.nanoTime());
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                injector.start();
                long warm = System.nanoTime() + Math.max(0, end - System.nanoTime()) / 4; // a quarter into the run
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(seconds + 30))
                        .until(() -> System.nanoTime() - warm >= 0);
                long rssWarm = rssKb(p.pid());
                for (Thread t : threads) {
                    t.join();
                }
                injector.join();
                long total = sent.get();
                long wantBytes = total * RECORD;
                for (TestAgents.Reader r : good) {
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> r.size() >= wantBytes);
                    assertEquals(wantBytes, r.size(), "a well-behaved subscriber lost records");
                }
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> metric(metrics, "mirrorgate_inject_frames_total\\{outcome=\"sent\"\\}") >= injected.get());
                String slowPeer = "127.0.0.2"; // its own loopback address: subscribers are labelled by address
                long slowSent = metric(metrics, "mirrorgate_subscriber_records_sent_total\\{subscriber=\"" + slowPeer + "\"\\}");
                long slowDropped = metric(metrics, "mirrorgate_subscriber_records_dropped_total\\{subscriber=\"" + slowPeer + "\"\\}");
                long rssEnd = rssKb(p.pid());
                // now the slow one reads what was queued for it: exactly what was counted as sent
                slow.setSoTimeout(2000);
                long slowBytes = 0;
                byte[] buf = new byte[1 << 16];
                try {
                    InputStream in = slow.getInputStream();
                    int n;
                    while (slowBytes < slowSent * RECORD && (n = in.read(buf)) > 0) {
                        slowBytes += n;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // all there was
                }
                assertTrue(slowDropped > 0, "the slow subscriber lost nothing: not slow enough");
                assertEquals(total, slowSent + slowDropped, "slow subscriber: sent + dropped = records");
                assertEquals(slowSent * RECORD, slowBytes, "slow subscriber received exactly what was counted as sent");
                assertEquals(injected.get(), metric(metrics, "mirrorgate_inject_frames_total\\{outcome=\"sent\"\\}"));
                assertEquals(0, metric(metrics, "mirrorgate_inject_frames_total\\{outcome=\"failed\"\\}"));
                long seen = cap.frames().size();
                assertTrue(seen + cap.kernelDropped() >= injected.get(), "frames on the veth peer: " + seen + " seen, "
                        + cap.kernelDropped() + " dropped by the test's own capture, of " + injected.get());
                assertTrue(rssEnd < rssWarm * 110 / 100, "RSS grew from " + rssWarm + " kB to " + rssEnd + " kB");
                assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
                long inFiles = 0;
                long fileCount;
                try (Stream<Path> s = Files.list(files)) {
                    List<Path> all = s.collect(java.util.stream.Collectors.toList());
                    fileCount = all.size();
                    for (Path f : all) {
                        inFiles += FaultIT.readable(f);
                    }
                }
                assertEquals(total, inFiles, "records in the capture files");
                assertTrue(fileCount >= Math.max(1, seconds / 10), "files: " + fileCount);
                System.out.printf("soak: %d s, %d agents, records in %d, to each good subscriber %d, slow subscriber sent %d"
                        + " dropped %d, injected %d, files %d with %d records, RSS %d kB after warm-up, %d kB at end%n",
                        seconds, AGENTS, total, total, slowSent, slowDropped, injected.get(), fileCount, inFiles, rssWarm, rssEnd);
                for (TestAgents.Reader r : good) {
                    r.close();
                }
                slow.close();
            } finally {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }

    private static long metric0(int port) {
        try {
            return metric(port, "mirrorgate_agents_connected");
        } catch (Exception e) {
            return -1;
        }
    }
}
