package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.CaptureFormat;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.PcapFileReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --backpressure with real processes: a CommView-like agent streams 1,000,000 64-byte records into
 * {@code serve}, a {@code mirrorgate watch -w FILE} process subscribes. With {@code block} every
 * record is in the file, in order; with {@code drop} what the collector received is exactly what
 * the subscriber was sent plus what it dropped, and the file holds exactly what was sent.
 */
class BackpressureIT {
    private static final int RECORDS = 1_000_000;
    private static final int FRAME = 64;
    private static final int RECORD = 24 + FRAME;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern CLIENT = Pattern.compile("subscribers -> 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern SENT = Pattern.compile("subscribers sent=(\\d+) dropped=(\\d+)");

    @TempDir
    Path tmp;

    /** Streams {@code n} records numbered 0..n-1 (UDP payload and IP id) and waits for the collector to close. */
    static void agent(int port, int n) throws Exception {
        byte[] one = TestAgents.records(1, 1, FRAME).get(0);
        int batch = 4096;
        byte[] buf = new byte[batch * RECORD];
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            for (int base = 0; base < n; base += batch) {
                int k = Math.min(batch, n - base);
                for (int i = 0; i < k; i++) {
                    int seq = base + i;
                    int o = i * RECORD;
                    System.arraycopy(one, 0, buf, o, RECORD);
                    buf[o + 24 + 18] = (byte) (seq >>> 8);
                    buf[o + 24 + 19] = (byte) seq;
                    buf[o + 24 + 42] = (byte) (seq >>> 24);
                    buf[o + 24 + 43] = (byte) (seq >>> 16);
                    buf[o + 24 + 44] = (byte) (seq >>> 8);
                    buf[o + 24 + 45] = (byte) seq;
                }
                out.write(buf, 0, k * RECORD);
            }
            s.shutdownOutput();
            s.getInputStream().readAllBytes(); // until the collector has read everything and closed
        }
    }

    /** Sequence numbers of the records in a pcap file, in file order. */
    static int[] sequence(Path pcap) throws Exception {
        List<Integer> out = new ArrayList<>();
        PacketView v = new PacketView();
        try (PcapFileReader r = new PcapFileReader(pcap, CaptureFormat.PCAP)) {
            while (r.next(v)) {
                out.add(v.buffer().getInt(v.frameOffset() + 42));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Process watch(int clientPort, Path file) throws Exception {
        return new ProcessBuilder("java", "-jar", ServeProcessIT.jar().toString(), "watch", "--connect",
                "127.0.0.1:" + clientPort, "-w", file.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static int clientPort(List<String> lines) {
        return ServeProcessIT.awaitNumber(lines, CLIENT);
    }

    private static boolean subscriberConnected(List<String> lines) {
        synchronized (lines) {
            return lines.stream().anyMatch(l -> l.contains("subscriber 127.0.0.1:") && l.contains("connected"));
        }
    }

    /**
     * Starts serve (free ports, INFO logging, {@code extra} options) and a watch -w {@code file}
     * subscriber, waits until it is connected, and streams the 1,000,000 records as one agent.
     * Returns serve and watch.
     */
    private static Process[] serveAndWatch(List<String> lines, Path file, String... extra) throws Exception {
        int[] port = {-1};
        List<String> args = new ArrayList<>(List.of("--mirror-port", "0", "--client-port", "0", "--log-level", "info"));
        args.addAll(List.of(extra));
        Process serve = ServeProcessIT.start(lines, port, args.toArray(new String[0]));
        Process watch = watch(clientPort(lines), file);
        try {
            await().atMost(WAIT).until(() -> subscriberConnected(lines));
            agent(port[0], RECORDS);
        } catch (Exception | AssertionError e) {
            watch.destroyForcibly();
            serve.destroyForcibly();
            throw e;
        }
        return new Process[] {serve, watch};
    }

    @Test
    void blockDeliversEveryRecordInOrderToARealWatchProcess() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Path file = tmp.resolve("block.pcap");
        Process[] serveAndWatch = serveAndWatch(lines, file, "--backpressure", "block");
        Process serve = serveAndWatch[0];
        Process watch = serveAndWatch[1];
        try {
            long want = 24L + (long) RECORDS * (16 + FRAME);
            await().atMost(WAIT).until(() -> Files.exists(file) && Files.size(file) >= want);
            ServeProcessIT.signal(watch, "TERM");
            assertTrue(watch.waitFor(30, TimeUnit.SECONDS));
            int[] seq = sequence(file);
            assertEquals(RECORDS, seq.length);
            for (int k = 0; k < seq.length; k++) {
                assertEquals(k, seq[k], "record " + k + " in order");
            }
            ServeProcessIT.signal(serve, "TERM");
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
            String all = String.join("\n", lines);
            assertTrue(all.contains("subscribers sent=" + RECORDS + " dropped=0"), all);
        } finally {
            watch.destroyForcibly();
            serve.destroyForcibly();
        }
    }

    @Test
    void dropAccountsForEveryRecordExactly() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Path file = tmp.resolve("drop.pcap");
        Process[] serveAndWatch = serveAndWatch(lines, file, "--subscriber-buffer", "64K");
        Process serve = serveAndWatch[0];
        Process watch = serveAndWatch[1];
        try {
            ServeProcessIT.signal(serve, "TERM");
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
            String all = String.join("\n", lines);
            Matcher m = SENT.matcher(all);
            assertTrue(m.find(), all);
            long sent = Long.parseLong(m.group(1));
            long dropped = Long.parseLong(m.group(2));
            assertTrue(all.contains("agents total received=" + RECORDS + " "), all);
            assertEquals(RECORDS, sent + dropped, "received = sent + dropped");
            long want = 24L + sent * (16 + FRAME);
            await().atMost(WAIT).until(() -> Files.exists(file) && Files.size(file) >= want);
            ServeProcessIT.signal(watch, "TERM");
            assertTrue(watch.waitFor(30, TimeUnit.SECONDS));
            int[] seq = sequence(file);
            assertEquals(sent, seq.length, "the file holds what the subscriber was sent");
            for (int k = 1; k < seq.length; k++) {
                assertTrue(seq[k] > seq[k - 1], "in order at " + k);
            }
            System.out.println("drop: sent " + sent + " dropped " + dropped + " of " + RECORDS);
        } finally {
            watch.destroyForcibly();
            serve.destroyForcibly();
        }
    }
}
