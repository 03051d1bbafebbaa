package io.mirrorgate.server;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mirrorgate.protocol.ConversationTracker.Conversation;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --conversations-log FILE}: every conversation that ends (closed, idle, evicted, or
 * its agent gone) as one Zeek {@code conn.log} JSON line ({@link ConnRecords}). Appends; rotates
 * with the capture files: reopened on SIGUSR2 (after logrotate moved it), and with {@code -G SEC}
 * a new file every SEC seconds, FILE taking strftime conversions as {@code -w} does. Runs on its
 * own thread behind a bounded queue; a conversation that finds it full, or a failed write, is
 * counted in {@code dropped}, never waited for.
 */
final class ConversationLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConversationLog.class);
    static final int QUEUE = 65_536;
    private static final long FLUSH_EVERY_MS = 1000;

    private final String pattern;
    private final long rotateSeconds;
    private final Clock clock;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    final AtomicLong written = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    private volatile boolean reopen;
    private volatile boolean stopping;
    private OutputStream out;
    private JsonGenerator json;
    private long periodStart = -1;
    /** A write failed and has not succeeded since: said once per outage. */
    private boolean failing;

    private record Item(Conversation c, String agent) {
    }

    ConversationLog(String pattern, long rotateSeconds, Clock clock) {
        this.pattern = pattern;
        this.rotateSeconds = rotateSeconds;
        this.clock = clock;
        Path first = Paths.get(name(clock.millis()));
        Path dir = first.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new Collector.CannotCreateException("--conversations-log " + first + ": no such directory");
        }
        try {
            open(clock.millis());
        } catch (IOException e) {
            throw new Collector.CannotCreateException("--conversations-log " + first + ": " + e.getMessage());
        }
        thread = new Thread(this::loop, "mirrorgate-conversations-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one ended conversation; false (counted dropped) when the queue is full. */
    boolean offer(Conversation c, String agent) {
        if (stopping || !queue.offer(new Item(c, agent))) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** SIGUSR2: the next line goes to a new file of the same name. */
    void reopen() {
        reopen = true;
    }

    private String name(long millis) {
        if (rotateSeconds <= 0) {
            return pattern;
        }
        return Strftime.format(pattern, ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(millis), clock.getZone()));
    }

    private void open(long now) throws IOException {
        out = Files.newOutputStream(Paths.get(name(now)), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        json = ConnRecords.generator(new java.io.BufferedOutputStream(out, 1 << 16));
        periodStart = rotateSeconds > 0 ? now / 1000 / rotateSeconds : 0;
    }

    private void closeFile() {
        try {
            if (json != null) {
                json.close();
                out.close();
            }
        } catch (IOException e) {
            LOG.warn("--conversations-log {}: cannot close: {}", pattern, e.getMessage());
        }
        json = null;
    }

    private void loop() {
        long lastFlush = System.currentTimeMillis();
        while (true) {
            Item it;
            try {
                it = queue.poll(FLUSH_EVERY_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                it = null;
                stopping = true;
            }
            long now = clock.millis();
            try {
                if (reopen || rotateSeconds > 0 && now / 1000 / rotateSeconds != periodStart) {
                    reopen = false;
                    closeFile();
                    open(now);
                }
                if (json == null) {
                    open(now);
                }
                if (it != null) {
                    ConnRecords.write(json, it.c(), it.agent());
                    written.incrementAndGet();
                    if (failing) {
                        failing = false;
                        LOG.warn("--conversations-log {}: writing again", pattern);
                    }
                }
                long wall = System.currentTimeMillis();
                if (queue.isEmpty() || wall - lastFlush >= FLUSH_EVERY_MS) {
                    json.flush();
                    lastFlush = wall;
                }
            } catch (IOException e) {
                if (it != null) {
                    dropped.incrementAndGet();
                }
                if (!failing) {
                    failing = true;
                    LOG.warn("--conversations-log {}: cannot write: {}; conversations are counted as dropped", pattern,
                            e.getMessage());
                }
                closeFile();
            }
            if (stopping && queue.isEmpty()) {
                closeFile();
                return;
            }
        }
    }

    /** Writes what is queued, then closes the file. */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
