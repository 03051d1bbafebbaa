package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** An agent's record runs to every subscriber (one shared buffer), to the capture files and to Kafka. */
final class FanOut implements RecordSink {
    private final SubscriberHub hub;
    private final CaptureFileWriter writer;
    private final KafkaPublisher kafka;

    FanOut(SubscriberHub hub, CaptureFileWriter writer, KafkaPublisher kafka) {
        this.hub = hub;
        this.writer = writer;
        this.kafka = kafka;
    }

    @Override
    public int maxRunBytes() {
        return hub.maxRunBytes();
    }

    @Override
    public boolean wanted() {
        return writer != null || kafka != null || !hub.isEmpty();
    }

    @Override
    public void publish(ByteBuf records, Dialect dialect, int count, long[] timestamps, String agent, String description) {
        try {
            // subscribers (PCAP-over-IP clients use the times) take the run during this call: the agent's own
            // array will do; the writer queues it for its thread, so it gets a copy
            RecordRun run = new RecordRun(records, dialect, count, writer == null ? timestamps : Arrays.copyOf(timestamps, count),
                    agent, description);
            hub.publish(run);
            if (writer != null) {
                writer.offer(run);
            }
            if (kafka != null) {
                kafka.offer(run, agent);
            }
        } finally {
            records.release();
        }
    }
}
