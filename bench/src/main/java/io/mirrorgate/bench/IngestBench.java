package io.mirrorgate.bench;

import io.mirrorgate.protocol.RecordDirection;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end ingest through a real {@code mirrorgate serve} process over loopback: scripted agents
 * write NCF records as fast as the socket takes them for a fixed time, subscribers read and count,
 * and the collector's own counters (from /metrics) say what it received and dropped.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mirrorgate.bench.IngestBench JAR AGENTS SUBSCRIBERS FRAME SECONDS</pre>
 */
public final class IngestBench {
    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        int agents = Integer.parseInt(args[1]);
        int subscribers = Integer.parseInt(args[2]);
        int frameSize = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        long rate = args.length > 5 ? Long.parseLong(args[5]) : 0;
        int mirror = freePort();
        int client = freePort();
        int metrics = freePort();
        Process p = new ProcessBuilder(mirrorgate(jar, "serve", "--mirror-port", "" + mirror,
                "--client-port", "" + client, "--metrics-port", "" + metrics, "--timezone", "UTC"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Process browser = null;
        Thread events = null;
        try {
            waitForMetrics(metrics);
            // -Dconsole=chromium: the web console open in a headless Chromium for the whole run;
            // -Dconsole=sse: a reader of its event stream (the collector's side of an open page, no rendering)
            String console = System.getProperty("console", "");
            if (console.equals("chromium")) {
                java.nio.file.Path profile = java.nio.file.Files.createTempDirectory("mirrorgate-bench-chromium");
                browser = new ProcessBuilder(java.nio.file.Files.isExecutable(java.nio.file.Paths.get("/usr/lib/chromium/chromium"))
                        ? "/usr/lib/chromium/chromium" : "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-first-run", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                        "http://127.0.0.1:" + metrics + "/").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } else if (console.equals("sse")) {
                events = new Thread(() -> {
                    try (InputStream in = new java.net.URL("http://127.0.0.1:" + metrics + "/api/events").openStream()) {
                        in.transferTo(OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        // the collector stopped
                    }
                });
                events.setDaemon(true);
                events.start();
            }
            if (!console.isEmpty()) {
                Thread.sleep(2000); // the page loaded and streaming before the agents start
            }
            run(agents, subscribers, frameSize, seconds, rate, mirror, client, metrics);
        } finally {
            if (browser != null) {
                browser.destroy();
                browser.waitFor();
            }
            p.destroy();
            p.waitFor();
        }
    }

    private static void run(int agents, int subscribers, int frameSize, int seconds, long rate, int mirror, int client,
                            int metrics) throws Exception {
        byte[] frame = Frames.ipv4Tcp(frameSize);
        int recordSize = NcfHeader.LENGTH + frame.length;
        int perBuffer = Math.max(1, (4 << 20) / recordSize);
        ByteBuf b = Unpooled.buffer(perBuffer * recordSize);
        for (int k = 0; k < perBuffer; k++) {
            NcfHeader.write(b, frame.length, 1_700_000_000_000_000L + k, ZoneOffset.UTC, Medium.ETHERNET, RecordDirection.INBOUND);
            b.writeBytes(frame);
        }
        byte[] buffer = new byte[b.readableBytes()];
        b.readBytes(buffer);

        List<AtomicLong> subBytes = new ArrayList<>();
        List<Socket> subSockets = new ArrayList<>();
        for (int s = 0; s < subscribers; s++) {
            Socket sock = new Socket("127.0.0.1", client);
            sock.setReceiveBufferSize(4 << 20);
            AtomicLong n = new AtomicLong();
            subBytes.add(n);
            subSockets.add(sock);
            Thread t = new Thread(() -> {
                byte[] in = new byte[1 << 20];
                try {
                    InputStream is = sock.getInputStream();
                    int r;
                    while ((r = is.read(in)) >= 0) {
                        n.addAndGet(r);
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(500);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sentBytes = new AtomicLong();
        List<Thread> agentThreads = new ArrayList<>();
        long start = System.nanoTime();
        for (int a = 0; a < agents; a++) {
            Thread t = new Thread(() -> {
                try (Socket sock = new Socket("127.0.0.1", mirror)) {
                    sock.setSendBufferSize(4 << 20);
                    OutputStream os = sock.getOutputStream();
                    // paced: whole records per 1 ms slot, so the agent offers rate/agents records/s
                    long perAgent = rate / agents;
                    int chunk = rate == 0 ? buffer.length
                            : (int) Math.max(recordSize, Math.min(buffer.length, perAgent / 1000 * recordSize));
                    long t0 = System.nanoTime();
                    long sentHere = 0;
                    int off = 0;
                    while (!stop.get()) {
                        int n = Math.min(chunk, buffer.length - off);
                        os.write(buffer, off, n);
                        off = (off + n) % buffer.length;
                        sentBytes.addAndGet(n);
                        sentHere += n / recordSize;
                        if (rate > 0) {
                            long due = t0 + (long) (sentHere * 1e9 / perAgent);
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            agentThreads.add(t);
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : agentThreads) {
            t.join();
        }
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        long sentRecords = sentBytes.get() / recordSize;
        long received;
        long last = -1;
        while (true) {
            received = metric(metrics, "mirrorgate_agent_records_received_total\\{[^}]*\\}");
            if (received == last && received >= sentRecords) {
                break;
            }
            last = received;
            Thread.sleep(200);
        }
        double elapsed = Math.max(sendSeconds, (System.nanoTime() - start) / 1e9 - 0.2); // less the last idle poll
        long subsReceivedMax = 0;
        Thread.sleep(1000);
        long dropped = metric(metrics, "mirrorgate_subscriber_records_dropped_total\\{[^}]*\\}");
        long minSubRecords = Long.MAX_VALUE;
        for (AtomicLong n : subBytes) {
            minSubRecords = Math.min(minSubRecords, n.get() / recordSize);
            subsReceivedMax = Math.max(subsReceivedMax, n.get() / recordSize);
        }
        if (subscribers == 0) {
            minSubRecords = 0;
        }
        System.out.printf("offered_rate=%s agents=%d subscribers=%d frame=%d seconds=%.2f records_sent=%d records_received=%d "
                        + "ingest_records_per_s=%.0f ingest_MB_per_s=%.1f ingest_Gbit_per_s=%.3f subscriber_min_records=%d "
                        + "subscriber_dropped_total=%d%n",
                rate == 0 ? "max" : Long.toString(rate), agents, subscribers, frameSize, elapsed, sentRecords, received, received / elapsed,
                received * (double) recordSize / elapsed / 1e6, received * (double) recordSize * 8 / elapsed / 1e9,
                minSubRecords, dropped);
        for (Socket s : subSockets) {
            s.close();
        }
    }

    /** {@code java} with the launchers' memory settings (README "Memory") running {@code mirrorgate ARGS...}. */
    static java.util.List<String> mirrorgate(String jar, String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("java", "-Xmx256m",
                "-XX:MaxDirectMemorySize=512m", "-jar", jar));
        cmd.addAll(java.util.List.of(args));
        return cmd;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void waitForMetrics(int port) throws InterruptedException {
        for (int k = 0; k < 300; k++) {
            try {
                metric(port, "mirrorgate_agents_connected");
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("collector did not start");
    }

    static long metric(int port, String regex) throws IOException {
        HttpURLConnection h = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
        String body;
        try (InputStream in = h.getInputStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // per-peer series are summed: agents and subscribers are labelled by address
        Matcher m = Pattern.compile("(?m)^" + regex + " ([0-9.E+]+)$").matcher(body);
        long sum = 0; // no series (no subscriber ever connected) sums to 0, as sum() does in Prometheus
        while (m.find()) {
            sum += (long) Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
