package io.mirrorgate.server;

import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.WallClock;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * What happens to the records of one source, a CommView agent's connection ({@link AgentHandler})
 * or a virtual agent of a UDP mirror input ({@link UdpMirrorInput}): each is decoded with the
 * shared decoder, counted, filtered ({@code --filter}), checked for mirror copies ({@code --dedup}),
 * analysed ({@code --analysis}), and contiguous runs of the received bytes go to the collector's
 * {@link RecordSink} for fan-out, files and Kafka. Counters reach the source's {@link SourceStats}
 * once per read. Not thread-safe: one event loop drives it.
 */
final class SourcePath {
    private final RecordSink sink;
    private final SourceStats stats;
    private final WallClock clock;
    private final BpfFilter filter;
    private final PacketView view = new PacketView();
    private Dialect dialect;
    private ByteBuf current;
    private int runStart = -1;
    private int runLength;
    private int runCount;
    private long[] timestamps = new long[256];
    private long received;
    private long bytes;
    private long decoded;
    private long malformed;
    private long nonIp;
    private long compressed;
    private long filtered;
    private long deduplicated;
    /** Media seen, a bit each; reaches the statistics when it grows. */
    private int media;
    /** --dedup: one table shared by every source (copies come from several), locked per lookup. */
    private final io.mirrorgate.protocol.MirrorDuplicates dedup;
    /** Names the source for outputs that carry it (Kafka's agent header). */
    private String peer = "";
    /** Describes a source that is not a CommView agent's connection (capture files' interface descriptions). */
    private String description;
    /** --analysis: this source's conversations, or null. */
    private final AgentAnalysis analysis;
    /** The sink's {@link RecordSink#maxRunBytes}. */
    private final int maxRun;

    SourcePath(RecordSink sink, SourceStats stats, Dialect dialect, WallClock clock, BpfFilter filter,
               io.mirrorgate.protocol.MirrorDuplicates dedup, AgentAnalysis analysis) {
        this.sink = sink;
        this.stats = stats;
        this.dialect = dialect;
        this.clock = clock;
        this.filter = filter;
        this.dedup = dedup;
        this.analysis = analysis;
        this.maxRun = sink.maxRunBytes();
    }

    /** The source's dialect, once decided. */
    void dialect(Dialect d) {
        this.dialect = d;
    }

    void peer(String p) {
        this.peer = p;
    }

    void description(String d) {
        this.description = d;
    }

    /** The end of a read: the run so far goes out, the counters are added. */
    void endOfRead() {
        flushRun();
        publishCounters();
        current = null;
    }

    /** The source went away: its conversations end; its filter is freed. */
    void close() {
        if (analysis != null) {
            analysis.close();
        }
        if (filter != null) {
            filter.close();
        }
    }

    /**
     * One complete record at {@code index} of {@code buf} (valid until {@link #endOfRead}), at
     * {@code streamOffset} of its source's stream.
     */
    void record(ByteBuf buf, int index, int length, long streamOffset) {
        if (current != buf || runCount > 0 && (index != runStart + runLength || runLength + length > maxRun)) {
            flushRun(); // runs never span buffers, nor gaps (a datagram batch interleaves sources), nor pass the cap
            current = buf;
        }
        received++;
        bytes += length;
        dialect.decode(buf, index, streamOffset, clock, view);
        media |= 1 << (view.medium() & 31);
        if (view.compressed()) {
            compressed++;
        } else if (view.isMalformed()) {
            malformed++;
        } else if (view.ipVersion() == 0) {
            nonIp++;
        } else {
            decoded++;
        }
        if (filter != null && !view.compressed() && !filter.matches(view)) {
            filtered++;
            flushRun();
            return;
        }
        if (dedup != null && !view.compressed() && duplicate()) {
            deduplicated++;
            flushRun();
            return;
        }
        if (analysis != null && !view.compressed()) {
            analysis.add(view);
        }
        if (runCount == 0) {
            runStart = index;
        }
        if (runCount == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, runCount * 2);
        }
        timestamps[runCount++] = view.timestampMicros();
        runLength += length;
    }

    private boolean duplicate() {
        synchronized (dedup) {
            return dedup.isDuplicate(view);
        }
    }

    private void flushRun() {
        if (runCount > 0) {
            if (sink.wanted()) {
                sink.publish(current.retainedSlice(runStart, runLength), dialect, runCount, timestamps, peer, description);
            }
            runCount = 0;
            runLength = 0;
            runStart = -1;
        }
    }

    private void publishCounters() {
        if (received != 0) {
            stats.received.addAndGet(received);
            stats.bytes.addAndGet(bytes);
            stats.decoded.addAndGet(decoded);
            stats.malformed.addAndGet(malformed);
            stats.nonIp.addAndGet(nonIp);
            stats.compressed.addAndGet(compressed);
            stats.filtered.addAndGet(filtered);
            stats.deduplicated.addAndGet(deduplicated);
            received = bytes = decoded = malformed = nonIp = compressed = filtered = deduplicated = 0;
            if ((stats.media.get() | media) != stats.media.get()) {
                stats.media.accumulateAndGet(media, (a, b) -> a | b);
            }
            if (analysis != null) {
                analysis.publish();
            }
        }
    }
}
