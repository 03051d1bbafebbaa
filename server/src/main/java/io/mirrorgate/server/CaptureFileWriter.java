package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.LinkType;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.NcfxHeader;
import io.mirrorgate.protocol.PcapWriter;
import io.netty.buffer.ByteBuf;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -w FILE}: writes every record that passed the filter as pcap, one file per link type
 * (Ethernet records go to FILE; 802.11 to FILE with {@code .802_11} and Token Ring with
 * {@code .token_ring} inserted before the rotation suffix), with tcpdump's rotation: {@code -C MB}
 * starts a new file when the next record would pass MB × 1,000,000 bytes (FILE, FILE1, FILE2, ...;
 * with {@code -W N} a ring FILE0 .. FILE(N-1)), {@code -G SEC} every SEC seconds with strftime
 * conversions in the name (with {@code -W N}: stop after N files). {@code -w -} writes one stream
 * to stdout. Runs on its own thread behind a bounded queue: when the queue is full, or after a
 * write error (disk full), records are dropped and counted, and fan-out carries on.
 */
final class CaptureFileWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureFileWriter.class);
    /** Runs waiting for the disk; each is at most one socket read of records. */
    private static final int QUEUE_RUNS = 4096;
    private static final long FLUSH_EVERY_MS = 1000;

    private final java.time.Clock clock;
    private final String pattern;
    private final long maxBytes;
    private final long rotateSeconds;
    private final int ring;
    private final OutputStream stdout;
    private final BlockingQueue<RecordRun> queue = new ArrayBlockingQueue<>(QUEUE_RUNS);
    private final Thread thread;
    private final Map<Integer, Output> outputs = new HashMap<>();
    final AtomicLong written = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong files = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean reopen;
    private volatile String failure;

    /** One open pcap per link type. */
    private final class Output {
        final int linkType;
        PcapWriter writer;
        Path path;
        long size;
        long openedAt;
        int index;
        int opened;

        Output(int linkType) {
            this.linkType = linkType;
        }
    }

    CaptureFileWriter(String pattern, long maxMegabytes, long rotateSeconds, int ring, OutputStream stdout) {
        this(pattern, maxMegabytes, rotateSeconds, ring, stdout, java.time.Clock.systemDefaultZone());
    }

    /** With the clock -G reads (tests step it back). */
    CaptureFileWriter(String pattern, long maxMegabytes, long rotateSeconds, int ring, OutputStream stdout,
                      java.time.Clock clock) {
        this.clock = clock;
        this.pattern = pattern;
        this.maxBytes = maxMegabytes * 1_000_000L;
        this.rotateSeconds = rotateSeconds;
        this.ring = ring;
        this.stdout = stdout;
        this.thread = new Thread(this::loop, "mirrorgate-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a run (retained here); if the writer cannot keep up, the run is dropped and counted. */
    void offer(RecordRun run) {
        if (failure != null || stopping) {
            dropped.addAndGet(run.count);
            return;
        }
        run.records.retain();
        if (!queue.offer(run)) {
            run.records.release();
            dropped.addAndGet(run.count);
        }
    }

    String failure() {
        return failure;
    }

    private void loop() {
        long lastFlush = System.currentTimeMillis();
        while (true) {
            RecordRun run;
            try {
                run = queue.poll(FLUSH_EVERY_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (reopen) {
                reopen = false;
                closeAll();
            }
            if (run != null) {
                try {
                    if (failure == null) {
                        write(run);
                    } else {
                        dropped.addAndGet(run.count);
                    }
                } catch (IOException e) {
                    fail(e);
                    dropped.addAndGet(run.count);
                } finally {
                    run.records.release();
                }
            }
            long now = System.currentTimeMillis();
            if (now - lastFlush >= FLUSH_EVERY_MS) {
                flushAll();
                lastFlush = now;
            }
            if (run == null && stopping && queue.isEmpty()) {
                break;
            }
        }
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = e.getMessage();
            LOG.error("capture file: {}; -w stops here, further records are counted as dropped", e.getMessage());
        }
    }

    private void flushAll() {
        for (Output o : outputs.values()) {
            if (o.writer != null) {
                try {
                    o.writer.flush();
                } catch (IOException e) {
                    fail(e);
                }
            }
        }
    }

    private void write(RecordRun run) throws IOException {
        ByteBuf b = run.records;
        int i = b.readerIndex();
        int end = b.writerIndex();
        for (int k = 0; k < run.count && i < end; k++) {
            int len;
            int frame;
            int frameLen;
            int medium;
            boolean skip = false;
            if (run.dialect == Dialect.NCF) {
                frameLen = NcfHeader.dataLength(b, i);
                len = NcfHeader.LENGTH + frameLen;
                frame = i + NcfHeader.LENGTH;
                medium = NcfHeader.medium(b, i);
                skip = (NcfHeader.flags(b, i) & NcfHeader.FLAG_COMPRESSED) != 0;
            } else {
                len = (int) NcfxHeader.dataLength(b, i);
                medium = NcfxHeader.medium(b, i);
                int radio = medium == Medium.WIFI ? b.getUnsignedShortLE(i + NcfxHeader.LENGTH) : 0;
                frame = i + NcfxHeader.LENGTH + radio;
                frameLen = len - NcfxHeader.LENGTH - radio;
            }
            if (skip) {
                dropped.incrementAndGet();
            } else {
                Output o = output(Medium.linkType(medium), 16 + frameLen);
                if (o == null) {
                    dropped.incrementAndGet();
                } else {
                    o.writer.write(run.timestamps[k], b, frame, frameLen, frameLen);
                    o.size += 16 + frameLen;
                    written.incrementAndGet();
                }
            }
            i += len;
        }
    }

    /** The output for a link type, rotated as needed for a record of {@code recordBytes}. */
    private Output output(int linkType, int recordBytes) throws IOException {
        Output o = outputs.computeIfAbsent(linkType, Output::new);
        if (pattern.equals("-")) {
            if (o.writer == null) {
                if (!outputs.isEmpty() && outputs.size() > 1) {
                    return null; // stdout carries one link type: the first one seen
                }
                o.writer = new PcapWriter(stdout, linkType);
            }
            return o;
        }
        long now = clock.millis();
        boolean rotate = o.writer == null
                || (maxBytes > 0 && o.size + recordBytes > maxBytes && o.size > 24)
                || (rotateSeconds > 0 && Math.abs(now - o.openedAt) >= rotateSeconds * 1000);
        if (rotate) {
            if (o.writer != null) {
                o.writer.close();
                o.writer = null;
                if (rotateSeconds > 0 && maxBytes == 0 && ring > 0 && o.opened >= ring) {
                    return null; // -G with -W: N files, then stop (as tcpdump does)
                }
                o.index = ring > 0 ? (o.index + 1) % ring : o.index + 1;
            }
            o.path = unused(Paths.get(name(linkType, o, now)));
            Path parent = o.path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            o.writer = new PcapWriter(new BufferedOutputStream(Files.newOutputStream(o.path), 1 << 16), linkType);
            o.size = 24;
            o.openedAt = now;
            o.opened++;
            files.incrementAndGet();
        }
        return o;
    }

    /**
     * Never truncates an existing file: a previous run's capture (kept after a crash), or one of
     * this run's own finished files whose name comes round again (a clock that stepped back under
     * -G): FILE becomes FILE.1, FILE.2, ... Only a -W ring reuses its own N names; that is what a
     * ring is.
     */
    private Path unused(Path p) {
        if (ring > 0 || !Files.exists(p)) {
            return p;
        }
        for (int k = 1; ; k++) {
            Path q = Paths.get(p + "." + k);
            if (!Files.exists(q)) {
                LOG.warn("capture file {} exists: writing {} instead", p, q);
                return q;
            }
        }
    }

    private String name(int linkType, Output o, long now) {
        String base = rotateSeconds > 0 ? Strftime.format(pattern, ZonedDateTime.now(clock)) : pattern;
        if (linkType == LinkType.IEEE802_11) {
            base = base + ".802_11";
        } else if (linkType == LinkType.TOKEN_RING) {
            base = base + ".token_ring";
        } else if (linkType != LinkType.ETHERNET) {
            base = base + ".linktype" + linkType;
        }
        if (maxBytes > 0) {
            if (ring > 0) {
                int width = Integer.toString(ring - 1).length();
                return base + String.format("%0" + width + "d", o.index);
            }
            return o.index == 0 ? base : base + o.index;
        }
        return base;
    }

    /** Closes the current files; the next record opens new ones (a file still there gets a suffix). */
    void reopen() {
        reopen = true;
    }

    private void closeAll() {
        for (Output o : outputs.values()) {
            if (o.writer != null && !pattern.equals("-")) {
                try {
                    o.writer.close();
                } catch (IOException e) {
                    fail(e);
                }
                o.writer = null;
            }
        }
        LOG.info("capture files closed; new ones open with the next record");
    }

    /** Writes everything queued, closes every file (complete, readable), and stops the thread. */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Output o : outputs.values()) {
            if (o.writer != null) {
                try {
                    if (pattern.equals("-")) {
                        o.writer.flush();
                    } else {
                        o.writer.close();
                    }
                } catch (IOException e) {
                    fail(e);
                }
            }
        }
        RecordRun r;
        while ((r = queue.poll()) != null) {
            dropped.addAndGet(r.count);
            r.records.release();
        }
    }
}
