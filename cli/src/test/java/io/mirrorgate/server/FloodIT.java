package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The attacks of docs/RELIABILITY.md in a short, bounded form against a real {@code serve}
 * process, with its resident memory and open file descriptors read from /proc: an idle-connection
 * flood on the metrics port, an idle-connection flood on the mirror port, and an
 * {@code --inject-to-agent} agent that never reads its socket.
 */
class FloodIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern METRICS = Pattern.compile("metrics -> http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private static final Pattern CLIENT = Pattern.compile("subscribers -> 127\\.0\\.0\\.1:(\\d+)");

    static long rssKb(long pid) throws IOException {
        for (String l : Files.readAllLines(Paths.get("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS");
    }

    static int fds(long pid) throws IOException {
        try (var s = Files.list(Paths.get("/proc/" + pid + "/fd"))) {
            return (int) s.count();
        }
    }

    private static int find(List<String> lines, Pattern p) {
        return ServeProcessIT.awaitNumber(lines, p);
    }

    static long metric(int port, String name) {
        return SoakIT.metricOrMinusOne(port, name);
    }

    private static List<Socket> open(int port, int n) throws IOException {
        List<Socket> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(new Socket("127.0.0.1", port));
        }
        return out;
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // gone
            }
        }
    }

    /**
     * Regression: 20,000 idle connections on the metrics port exhausted the file descriptors and
     * every port stopped accepting. Here 1,000 idle ones against a cap of 64: the cap holds, the
     * idle ones are closed, the descriptors stay bounded, and an agent still gets in.
     */
    @Test
    void idleFloodsOnTheMetricsAndMirrorPortsStayBounded() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        int[] port = {-1};
        Process p = ServeProcessIT.start(lines, port, "--mirror-port", "0", "--client-port", "0", "--metrics-port", "0",
                "--first-record-timeout", "2", "--max-connections-per-address", "2000");
        List<Socket> idle = new ArrayList<>();
        try {
            int metricsPort = find(lines, METRICS);
            long rss0 = rssKb(p.pid());
            int fds0 = fds(p.pid());
            idle.addAll(open(metricsPort, 1000));
            idle.addAll(open(port[0], 1000));
            await().atMost(WAIT).until(() -> metric(metricsPort, "mirrorgate_connections_refused_total") >= 900);
            int fdsFlooded = fds(p.pid());
            assertTrue(fdsFlooded < fds0 + 64 + 1024 + 50, "descriptors under flood: " + fds0 + " -> " + fdsFlooded);
            // the mirror-port idlers are closed after --first-record-timeout; an agent still gets in
            await().atMost(WAIT).until(() -> metric(metricsPort, "mirrorgate_agent_first_record_timeouts_total{agent=\"127.0.0.1\"}") >= 1000);
            await().atMost(WAIT).until(() -> fds(p.pid()) < fds0 + 64 + 50);
            TestAgents.send(new InetSocketAddress("127.0.0.1", port[0]),
                    Files.readAllBytes(TestAgents.testdata("eth.ncf")), 1);
            await().atMost(WAIT).until(() -> metric(metricsPort, "mirrorgate_agent_records_received_total{agent=\"127.0.0.1\"}") == 39);
            long rss1 = rssKb(p.pid());
            System.out.printf("flood: rss %d -> %d kB, fds %d -> %d (flooded) -> %d%n", rss0, rss1, fds0, fdsFlooded, fds(p.pid()));
            assertTrue(rss1 < rss0 + 200_000, "RSS " + rss0 + " -> " + rss1 + " kB");
            String warnings = String.join("\n", lines);
            assertTrue(warnings.lines().filter(l -> l.contains("--first-record-timeout")).count() == 1,
                    "logged once per address: " + warnings);
        } finally {
            closeAll(idle);
            p.destroyForcibly();
        }
    }

    /**
     * Regression: frames for an --inject-to-agent agent that does not read piled up without limit
     * (3.5 GB in 15 s). Here a subscriber sends 400,000 frames of 1,000 bytes (400 MB) while one
     * agent never reads: the collector's memory stays flat, the frames that do not fit are counted
     * as inject_dropped, and a reading agent keeps its connection and gets frames.
     */
    @Test
    void injectToAgentNonReaderIsBoundedAndCounted() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        int[] port = {-1};
        Process p = ServeProcessIT.start(lines, port, "--mirror-port", "0", "--client-port", "0", "--metrics-port", "0",
                "--inject-to-agent", "--dialect", "ncf", "--subscriber-buffer", "1M");
        try {
            int metricsPort = find(lines, METRICS);
            int client = find(lines, CLIENT);
            long rss0 = rssKb(p.pid());
            int fds0 = fds(p.pid());
            Socket deaf = new Socket();
            deaf.setReceiveBufferSize(4096);
            deaf.connect(new InetSocketAddress("127.0.0.1", port[0]));
            deaf.getOutputStream().write(TestAgents.records(1, 1, 60).get(0)); // a record: it is an agent
            Socket reader = new Socket("127.0.0.1", port[0]);
            reader.getOutputStream().write(TestAgents.records(2, 1, 60).get(0));
            long[] got = {0};
            Thread r = new Thread(() -> {
                byte[] b = new byte[65536];
                try (InputStream in = reader.getInputStream()) {
                    int n;
                    while ((n = in.read(b)) > 0) {
                        synchronized (got) {
                            got[0] += n;
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            r.setDaemon(true);
            r.start();
            await().atMost(WAIT).until(() -> metric(metricsPort, "mirrorgate_agents_connected") == 2);
            byte[] frame = new byte[1000];
            byte[] batch = new byte[1000 * 1002];
            for (int k = 0; k < 1000; k++) {
                batch[k * 1002] = (byte) (1000 & 0xFF);
                batch[k * 1002 + 1] = (byte) (1000 >> 8);
                System.arraycopy(frame, 0, batch, k * 1002 + 2, frame.length);
            }
            try (Socket sub = new Socket("127.0.0.1", client)) {
                OutputStream out = sub.getOutputStream();
                for (int k = 0; k < 400; k++) {
                    out.write(batch);
                }
                out.flush();
                await().atMost(WAIT).until(() -> metric(metricsPort, "mirrorgate_inject_frames_total{outcome=\"sent\"}")
                        + metric(metricsPort, "mirrorgate_inject_frames_total{outcome=\"dropped\"}") >= 400_000);
            }
            long dropped = metric(metricsPort, "mirrorgate_agent_inject_dropped_total{agent=\"127.0.0.1\"}");
            long rss1 = rssKb(p.pid());
            System.out.printf("inject-to-agent non-reader: %d frame copies dropped for the agents (400,000 frames offered), rss %d -> %d kB, reader got %d bytes%n",
                    dropped, rss0, rss1, got[0]);
            assertTrue(dropped > 300_000, "frames for the deaf agent dropped: " + dropped);
            assertTrue(rss1 < rss0 + 150_000, "RSS " + rss0 + " -> " + rss1 + " kB (400 MB were offered)");
            int fds1 = fds(p.pid());
            assertTrue(fds1 <= fds0 + 3 + 10, "descriptors " + fds0 + " -> " + fds1 + " (two agents and a subscriber)");
            await().atMost(WAIT).until(() -> {
                synchronized (got) {
                    return got[0] > 1_000_000;
                }
            });
            assertEquals(2, metric(metricsPort, "mirrorgate_agents_connected"), "the reading agent kept its connection");
            deaf.close();
            reader.close();
        } finally {
            p.destroyForcibly();
        }
    }
}
