package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** An agent's record runs to every subscriber (one shared buffer) and to the capture files. */
final class FanOut implements RecordSink {
    private final SubscriberHub hub;
    private final CaptureFileWriter writer;

    FanOut(SubscriberHub hub, CaptureFileWriter writer) {
        this.hub = hub;
        this.writer = writer;
    }

    @Override
    public boolean wanted() {
        return writer != null || !hub.isEmpty();
    }

    @Override
    public void publish(ByteBuf records, Dialect dialect, int count, long[] timestamps) {
        try {
            RecordRun run = new RecordRun(records, dialect, count, writer == null ? null : Arrays.copyOf(timestamps, count));
            hub.publish(run);
            if (writer != null) {
                writer.offer(run);
            }
        } finally {
            records.release();
        }
    }
}
