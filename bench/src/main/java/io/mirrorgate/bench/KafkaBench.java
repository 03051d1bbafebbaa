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
 * Publishing to Kafka through a real {@code mirrorgate serve} process: one scripted agent writes
 * RECORDS NCF records of FRAME bytes (1,024 TCP flows, so keys spread over the partitions) as fast
 * as the socket takes them; the time runs from the first byte to the collector's
 * {@code mirrorgate_kafka_published_total} reaching RECORDS (every record acknowledged by the
 * broker). With a CONSUMER, a {@code watch --kafka-bootstrap} process started before the agent
 * must print all of them too: the end-to-end time agent → serve → Kafka → watch.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mirrorgate.bench.KafkaBench JAR BOOTSTRAP FRAME RECORDS COMPRESSION [consumer]</pre>
 */
public final class KafkaBench {
    private KafkaBench() {
    }

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        String bootstrap = args[1];
        int frameSize = Integer.parseInt(args[2]);
        long records = Long.parseLong(args[3]);
        String compression = args[4];
        boolean consumer = args.length > 5 && args[5].equals("consumer");
        String topic = "bench-" + frameSize + "-" + compression + "-" + System.nanoTime();
        int mirror = IngestBench.freePort();
        int metrics = IngestBench.freePort();
        Process serve = new ProcessBuilder(IngestBench.mirrorgate(jar, "serve", "--mirror-port", "" + mirror,
                "--client-port", "" + IngestBench.freePort(), "--metrics-port", "" + metrics, "--timezone", "UTC",
                "--backpressure", "block", "--kafka-bootstrap", bootstrap, "--kafka-topic", topic,
                "--kafka-property", "compression.type=" + compression))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        Process watch = null;
        try {
            IngestBench.waitForMetrics(metrics);
            if (consumer) {
                watch = new ProcessBuilder("java", "-jar", jar, "watch", "--kafka-bootstrap", bootstrap, "--kafka-topic",
                        topic, "--group", "bench", "--from", "earliest", "--count", Long.toString(records), "-w", "/dev/null")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            }
            byte[] frame = Frames.ipv4Tcp(frameSize);
            int recordSize = NcfHeader.LENGTH + frame.length;
            int batch = 1024;
            ByteBuf chunk = Unpooled.buffer(recordSize * batch);
            for (int k = 0; k < batch; k++) {
                NcfHeader.write(chunk, frame.length, 1_764_000_000_000_000L + k, ZoneOffset.UTC, Medium.ETHERNET,
                        RecordDirection.INBOUND);
                int at = chunk.writerIndex();
                chunk.writeBytes(frame);
                chunk.setShort(at + 34, 1024 + k); // the source port: 1,024 flows
            }
            byte[] bytes = new byte[chunk.readableBytes()];
            chunk.getBytes(0, bytes);
            long start = System.nanoTime();
            try (Socket s = new Socket("127.0.0.1", mirror)) {
                OutputStream out = s.getOutputStream();
                for (long sent = 0; sent < records; sent += batch) {
                    int n = (int) Math.min(batch, records - sent);
                    out.write(bytes, 0, n * recordSize);
                }
                out.flush();
                while (IngestBench.metric(metrics, "mirrorgate_kafka_published_total") < records) {
                    if (IngestBench.metric(metrics, "mirrorgate_kafka_failed_total")
                            + IngestBench.metric(metrics, "mirrorgate_kafka_dropped_total") > 0) {
                        throw new IllegalStateException("records failed or dropped");
                    }
                    TimeUnit.MILLISECONDS.sleep(20); // polling the collector's own counter, not a test
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("serve -> Kafka, %d-byte frames (%d-byte records), %s: %d records in %.2f s: %.0f records/s, %.1f MB/s%n",
                    frameSize, recordSize, compression, records, secs, records / secs, records * (double) recordSize / secs / 1e6);
            if (watch != null) {
                if (!watch.waitFor(600, TimeUnit.SECONDS) || watch.exitValue() != 0) {
                    throw new IllegalStateException("watch did not print every record");
                }
                double e2e = (System.nanoTime() - start) / 1e9;
                System.out.printf("agent -> serve -> Kafka -> watch, %d-byte frames, %s: %d records in %.2f s: %.0f records/s%n",
                        frameSize, compression, records, e2e, records / e2e);
            }
        } finally {
            if (watch != null) {
                watch.destroy();
            }
            serve.destroy();
            serve.waitFor();
        }
    }
}
