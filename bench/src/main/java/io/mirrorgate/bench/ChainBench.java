package io.mirrorgate.bench;

import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.RecordDirection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.OutputStream;
import java.net.Socket;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * The subscriber chain as a user runs it: one scripted agent → a real {@code mirrorgate serve
 * --backpressure block} → a real {@code mirrorgate watch --connect ... -w OUTPUT --count RECORDS}
 * (started first). Every record must arrive (block: nothing is dropped); the time runs from the
 * agent's first byte until {@code watch} exits with all of them.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mirrorgate.bench.ChainBench JAR FRAME RECORDS [OUTPUT [FORMAT]]</pre>
 */
public final class ChainBench {
    private ChainBench() {
    }

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        int frameSize = Integer.parseInt(args[1]);
        long records = Long.parseLong(args[2]);
        String output = args.length > 3 ? args[3] : "/dev/null";
        String format = args.length > 4 ? args[4] : null;
        int mirror = IngestBench.freePort();
        int client = IngestBench.freePort();
        int metrics = IngestBench.freePort();
        java.util.List<String> serveCmd = IngestBench.mirrorgate(jar, "serve", "--mirror-port", "" + mirror, "--client-port",
                "" + client, "--metrics-port", "" + metrics, "--timezone", "UTC", "--backpressure", "block");
        String jvm = System.getProperty("serve.jvm", "").trim(); // e.g. -Dserve.jvm=-XX:StartFlightRecording=filename=s.jfr
        if (!jvm.isEmpty()) {
            serveCmd.addAll(3, java.util.List.of(jvm.split("\\s+"))); // after java and the memory settings, before -jar
        }
        String extra = System.getProperty("serve.args", "").trim(); // e.g. -Dserve.args="--subscriber-buffer 32M"
        if (!extra.isEmpty()) {
            serveCmd.addAll(java.util.List.of(extra.split("\\s+")));
        }
        String serveLog = System.getProperty("serve.log"); // e.g. -Dserve.log=/tmp/serve.log
        Process serve = new ProcessBuilder(serveCmd).redirectErrorStream(true)
                .redirectOutput(serveLog == null ? ProcessBuilder.Redirect.DISCARD
                        : ProcessBuilder.Redirect.to(new java.io.File(serveLog))).start();
        Process watch = null;
        try {
            IngestBench.waitForMetrics(metrics);
            ProcessBuilder pb = format == null
                    ? new ProcessBuilder(IngestBench.mirrorgate(jar, "watch", "--connect", "127.0.0.1:" + client, "--count",
                            Long.toString(records), "-w", output))
                    : new ProcessBuilder(IngestBench.mirrorgate(jar, "watch", "--connect", "127.0.0.1:" + client, "--count",
                            Long.toString(records), "--format", format, "--timezone", "UTC"));
            if (format != null) {
                pb.redirectOutput(new java.io.File(output));
            }
            watch = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
            while (IngestBench.metric(metrics, "mirrorgate_subscribers_connected") < 1) {
                TimeUnit.MILLISECONDS.sleep(20); // polling the collector's own gauge
            }
            byte[] frame = Frames.ipv4Tcp(frameSize);
            int recordSize = NcfHeader.LENGTH + frame.length;
            int perBuffer = Math.max(1, (4 << 20) / recordSize);
            ByteBuf b = Unpooled.buffer(perBuffer * recordSize);
            for (int k = 0; k < perBuffer; k++) {
                NcfHeader.write(b, frame.length, 1_700_000_000_000_000L + k, ZoneOffset.UTC, Medium.ETHERNET,
                        RecordDirection.INBOUND);
                b.writeBytes(frame);
            }
            // the agent stands in for CommView on another machine: it writes from one direct buffer through a
            // SocketChannel, so it takes as little of this box's CPU as it can (a heap array would be copied once more)
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(b.readableBytes());
            b.readBytes(buffer);
            buffer.flip();
            long start = System.nanoTime();
            try (java.nio.channels.SocketChannel s = java.nio.channels.SocketChannel.open(
                    new java.net.InetSocketAddress("127.0.0.1", mirror))) {
                s.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4 << 20);
                long left = records;
                while (left > 0) {
                    int n = (int) Math.min(left, perBuffer);
                    java.nio.ByteBuffer part = buffer.duplicate();
                    part.limit(n * recordSize);
                    while (part.hasRemaining()) {
                        s.write(part);
                    }
                    left -= n;
                }
                if (!watch.waitFor(600, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("watch did not get every record");
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            long dropped = IngestBench.metric(metrics, "mirrorgate_subscriber_records_dropped_total\\{[^}]*\\}");
            System.out.printf("agent -> serve --backpressure block -> watch %s, %d-byte frames: %d records in %.2f s: "
                            + "%.0f records/s, %.1f MB/s, %.3f Gbit/s (dropped %d, watch exit %d)%n",
                    format == null ? "-w " + output : "--format " + format, frameSize, records, secs, records / secs,
                    records * (double) recordSize / secs / 1e6, records * (double) recordSize * 8 / secs / 1e9, dropped,
                    watch.exitValue());
        } finally {
            if (watch != null) {
                watch.destroy();
            }
            serve.destroy();
            serve.waitFor();
        }
    }
}
