package io.mirrorgate.bench;

import io.mirrorgate.protocol.LinkType;
import io.mirrorgate.protocol.PcapWriter;
import io.netty.buffer.Unpooled;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Injection rate through a real {@code mirrorgate serve --inject-adapter IF}: one subscriber sends
 * N injection frames as fast as the socket takes them; the time until the collector's
 * {@code inject_sent} reaches N gives frames/s. Also writes the same frames to a pcap, for
 * {@code tcpreplay --topspeed} on the same adapter (bench/scripts/inject.sh).
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mirrorgate.bench.InjectBench JAR IF FRAMES SIZE OUT.pcap</pre>
 */
public final class InjectBench {
    private InjectBench() {
    }

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        String adapter = args[1];
        int frames = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        byte[] frame = Frames.ipv4Tcp(size);
        try (PcapWriter w = new PcapWriter(new BufferedOutputStream(Files.newOutputStream(Paths.get(args[4]))), LinkType.ETHERNET)) {
            for (int k = 0; k < frames; k++) {
                w.write(k, Unpooled.wrappedBuffer(frame), 0, frame.length, frame.length);
            }
        }
        int client = IngestBench.freePort();
        int metrics = IngestBench.freePort();
        Process p = new ProcessBuilder(IngestBench.mirrorgate(jar, "serve", "--mirror-port", "" + IngestBench.freePort(),
                "--client-port", "" + client, "--metrics-port", "" + metrics, "--inject-adapter", adapter))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            IngestBench.waitForMetrics(metrics);
            byte[] wire = new byte[frames * (2 + frame.length)];
            for (int k = 0, off = 0; k < frames; k++) {
                wire[off++] = (byte) frame.length;
                wire[off++] = (byte) (frame.length >> 8);
                System.arraycopy(frame, 0, wire, off, frame.length);
                off += frame.length;
            }
            long start;
            long sent;
            long failed;
            try (Socket s = new Socket("127.0.0.1", client)) {
                OutputStream os = s.getOutputStream();
                // warm-up: the same frames once, so the JIT has compiled the path before we time it
                os.write(wire);
                os.flush();
                while (metric(metrics, "inject_sent") + metric(metrics, "inject_failed") < frames) {
                    Thread.sleep(20);
                }
                long before = metric(metrics, "inject_sent") + metric(metrics, "inject_failed");
                start = System.nanoTime();
                os.write(wire);
                os.flush();
                do {
                    Thread.sleep(5);
                    sent = metric(metrics, "inject_sent");
                    failed = metric(metrics, "inject_failed");
                } while (sent + failed - before < frames);
                sent -= before;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("mirrorgate frames=%d size=%d seconds=%.3f inject_sent=%d inject_failed=%d frames_per_s=%.0f%n",
                    frames, size, secs, sent, failed, sent / secs);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    /** The collector's count of injection frames with one outcome (sent, failed). */
    private static long metric(int port, String name) throws IOException {
        return IngestBench.metric(port, "mirrorgate_inject_frames_total\\{outcome=\"" + name.substring("inject_".length()) + "\"\\}");
    }
}
