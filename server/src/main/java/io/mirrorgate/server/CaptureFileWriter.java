package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.LinkType;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.NcfxHeader;
import io.mirrorgate.protocol.CaptureWriter;
import io.mirrorgate.protocol.PcapWriter;
import io.mirrorgate.protocol.PcapngWriter;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
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
 * conversions in the name (with {@code -W N} and no {@code -C}: N files, then no more — the
 * collector keeps serving, the records are counted as {@code skipped}). {@code -w -} writes one
 * stream to stdout.
 *
 * <p>With {@code --pcapng}, or a FILE ending in {@code .pcapng}, one pcapng file takes every
 * medium: an Interface Description Block per (source, link type), named after the agent
 * ({@code if_name} its address:port, {@code if_description} what it is, its dialect and medium),
 * written before its first packet in each file; packets as Enhanced Packet Blocks with the NCF
 * direction in {@code epb_flags}. A file holds at most {@link #MAX_INTERFACES} interfaces; the
 * next one starts a new file (on stdout, its records are counted as skipped). Rotation, naming and
 * the guarantees below are the same.
 *
 * <p>Never loses what it was given without counting it: the record that triggers a rotation goes
 * into the new file; files reach the disk as whole records only (a SIGKILL leaves every file
 * readable to its last whole packet); {@code written} counts records the files hold, and on a
 * write error (disk full) every record that did not reach a file is counted once in
 * {@code dropped}. Never overwrites: a file an earlier run left, or a name that comes round again,
 * gets {@code .1}, {@code .2}, ... (a {@code -W} ring takes its N names the same way on first use,
 * then reuses only its own files).
 *
 * <p>Runs on its own thread behind a queue bounded in bytes; with {@code --backpressure block} it
 * asks the collector to stop reading agents above {@link #HIGH_WATER} bytes queued and to resume
 * below half of it, and drops (counted) only past {@link #HARD_LIMIT}.
 */
final class CaptureFileWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureFileWriter.class);
    /** Runs waiting for the disk; each is at most one socket read of records. */
    private static final int QUEUE_RUNS = 4096;
    /** Queued bytes above which a blocking writer pauses the agents. */
    static final long HIGH_WATER = 8L << 20;
    /** Queued bytes past which even a blocking writer drops (counted): memory stays bounded. */
    static final long HARD_LIMIT = 64L << 20;
    private static final long FLUSH_EVERY_MS = 1000;
    /** Interfaces one pcapng file describes at most (a bound on the table the writer keeps per file). */
    static final int MAX_INTERFACES = 65_536;
    private static final String APPLICATION = "mirrorgate serve";

    private final java.time.Clock clock;
    private final String pattern;
    private final long maxBytes;
    private final long rotateSeconds;
    private final int ring;
    private final OutputStream stdout;
    /** One pcapng file for every medium, instead of a pcap per link type. */
    private final boolean pcapng;
    private final Backpressure backpressure;
    private final BlockingQueue<RecordRun> queue = new ArrayBlockingQueue<>(QUEUE_RUNS);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Thread thread;
    private final Map<Integer, Output> outputs = new HashMap<>();
    /** The paths of the files open now (read by other threads). */
    private final java.util.Set<Path> openPaths = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Records the files hold. */
    final AtomicLong written = new AtomicLong();
    /** Records lost: the queue was full, or a write failed. */
    final AtomicLong dropped = new AtomicLong();
    /** Records not meant for a file: compressed NCF, past -G/-W's last file, a second link type on stdout. */
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong files = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean reopen;
    private volatile String failure;
    private boolean blocking;
    private boolean limitLogged;

    /** One interface of a pcapng file: a source's records of one link type. */
    private record Interface(String source, int linkType) {
    }

    /** One open pcap per link type, or the one pcapng file. */
    private final class Output {
        final int linkType;
        CaptureWriter writer;
        /** pcapng: the interfaces the current file describes, and the last one looked up. */
        final Map<Interface, Integer> interfaces = new HashMap<>();
        String lastSource;
        int lastLinkType = -1;
        int lastInterface;
        Path path;
        long size;
        long openedAt;
        int index;
        int opened;
        /** Bytes of the current file's header: a file holding only its header is never rotated for size. */
        int headerSize;
        /** pcapng: the file describes {@link #MAX_INTERFACES} interfaces; the next one needs a new file. */
        boolean crowded;
        /** Records of the current writer already added to {@code written}. */
        long counted;
        /** -W ring: the path each slot took on first use (an earlier run's file is never reused). */
        final Map<Integer, Path> slots = new HashMap<>();

        Output(int linkType) {
            this.linkType = linkType;
        }
    }

    CaptureFileWriter(String pattern, long maxMegabytes, long rotateSeconds, int ring, OutputStream stdout) throws IOException {
        this(pattern, false, maxMegabytes, rotateSeconds, ring, stdout, java.time.Clock.systemDefaultZone(), null);
    }

    /**
     * Opens the first (Ethernet) file at once, as tcpdump does, so that a path that cannot be
     * written fails here with the reason ({@link IOException}), not with "written=0" at the end.
     */
    CaptureFileWriter(String pattern, boolean pcapng, long maxMegabytes, long rotateSeconds, int ring, OutputStream stdout,
                      java.time.Clock clock, Backpressure backpressure) throws IOException {
        this.clock = clock;
        this.pattern = pattern;
        this.pcapng = pcapng || PcapngWriter.named(pattern);
        this.maxBytes = maxMegabytes * 1_000_000L;
        this.rotateSeconds = rotateSeconds;
        this.ring = ring;
        this.stdout = stdout;
        this.backpressure = backpressure;
        if (!pattern.equals("-")) {
            removeAbandonedStaging(Paths.get(pattern).toAbsolutePath().getParent());
            output(this.pcapng ? 0 : LinkType.ETHERNET, LinkType.ETHERNET, 0);
        }
        this.thread = new Thread(this::loop, "mirrorgate-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * The writer for {@code -w}, its first file open; a path that cannot be written is
     * {@link Collector.CannotCreateException} with the reason (exit status 73).
     */
    static CaptureFileWriter open(ServeConfig cfg, OutputStream stdout, Backpressure backpressure) {
        try {
            return new CaptureFileWriter(cfg.writeFile, cfg.pcapng, cfg.rotateMegabytes, cfg.rotateSeconds, cfg.ringFiles, stdout,
                    java.time.Clock.systemDefaultZone(), backpressure);
        } catch (IOException e) {
            throw new Collector.CannotCreateException("cannot create -w " + cfg.writeFile + ": " + ioReason(e));
        }
    }

    private static String ioReason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage();
    }

    /** Queues a run (retained here); if the writer cannot take it, the run is dropped and counted. */
    void offer(RecordRun run) {
        if (failure != null || stopping) {
            dropped.addAndGet(run.count);
            return;
        }
        int size = run.records.readableBytes();
        long limit = backpressure != null && backpressure.blocking() ? HARD_LIMIT : HIGH_WATER;
        if (queuedBytes.get() + size > limit) {
            dropped.addAndGet(run.count);
            return;
        }
        run.records.retain();
        if (!queue.offer(run)) {
            run.records.release();
            dropped.addAndGet(run.count);
            return;
        }
        long q = queuedBytes.addAndGet(size);
        if (backpressure != null && backpressure.blocking() && q > HIGH_WATER) {
            synchronized (this) {
                if (!blocking && queuedBytes.get() > HIGH_WATER) {
                    blocking = true;
                    backpressure.block(this);
                }
            }
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
                LOG.info("capture files closed; new ones open with the next record");
            }
            if (run != null) {
                int size = run.records.readableBytes();
                try {
                    if (failure == null) {
                        write(run);
                    } else {
                        dropped.addAndGet(run.count);
                    }
                } catch (IOException e) {
                    fail(e);
                } finally {
                    run.records.release();
                    released(size);
                }
            }
            long now = System.currentTimeMillis();
            if (queue.isEmpty() || now - lastFlush >= FLUSH_EVERY_MS) {
                flushAll(); // whole records to the disk when idle: little is lost to a SIGKILL
                lastFlush = now;
            }
            if (run == null && stopping && queue.isEmpty()) {
                break;
            }
        }
    }

    private void released(int bytes) {
        long q = queuedBytes.addAndGet(-bytes);
        if (backpressure != null && q <= HIGH_WATER / 2) {
            synchronized (this) {
                if (blocking && queuedBytes.get() <= HIGH_WATER / 2) {
                    blocking = false;
                    backpressure.unblock(this);
                }
            }
        }
    }

    private void fail(IOException e) {
        if (e instanceof CaptureWriter.WriteFailedException) {
            dropped.addAndGet(((CaptureWriter.WriteFailedException) e).lost());
        }
        if (failure == null) {
            failure = e.getMessage();
            LOG.error("capture file: {}; -w stops here, further records are counted as dropped", e.getMessage());
        }
    }

    /** Adds the records the writer of {@code o} has handed to its file since the last call to {@code written}. */
    private void count(Output o) {
        long p = o.writer.packets();
        written.addAndGet(p - o.counted);
        o.counted = p;
    }

    private void flushAll() {
        for (Output o : outputs.values()) {
            if (o.writer != null && failure == null) {
                try {
                    o.writer.flush();
                } catch (IOException e) {
                    fail(e);
                } finally {
                    count(o);
                }
            }
        }
    }

    private void write(RecordRun run) throws IOException {
        ByteBuf b = run.records;
        int i = b.readerIndex();
        int end = b.writerIndex();
        for (int k = 0; k < run.count && i < end; k++) {
            Dialect d = run.dialect;
            int len = d.recordLength(b, i);
            int frame = d.frameOffset(b, i);
            int frameLen = i + len - frame;
            int medium = d.medium(b, i);
            boolean skip = d.compressed(b, i);
            int direction = d.direction(b, i);
            i += len;
            if (skip) {
                skipped.incrementAndGet();
                continue;
            }
            if (failure != null) {
                dropped.incrementAndGet();
                continue;
            }
            int linkType = Medium.linkType(medium);
            Output o;
            int recordBytes = pcapng ? PcapngWriter.recordSize(frameLen, direction) : PcapWriter.recordSize(frameLen);
            try {
                o = pcapng ? pcapngOutput(run, linkType, recordBytes) : output(linkType, linkType, recordBytes);
            } catch (IOException e) {
                dropped.incrementAndGet();
                fail(e);
                continue;
            }
            if (o == null) {
                skipped.incrementAndGet();
                continue;
            }
            try {
                if (pcapng) {
                    ((PcapngWriter) o.writer).write(pcapngInterface(o, run, linkType, d), run.timestamps[k], b, frame,
                            frameLen, run.wireLength(frame, frameLen, medium), direction);
                } else {
                    ((PcapWriter) o.writer).write(run.timestamps[k], b, frame, frameLen, run.wireLength(frame, frameLen, medium));
                }
            } catch (IOException e) {
                dropped.incrementAndGet(); // the record being written: not in the buffer the failure counted
                fail(e);
                continue;
            } finally {
                count(o);
            }
            o.size += recordBytes;
        }
    }

    /** The pcapng output for a record of {@code linkType} from the run's source, rotated as needed. */
    private Output pcapngOutput(RecordRun run, int linkType, int recordBytes) throws IOException {
        Output o = outputs.get(0);
        boolean known = o != null && o.writer != null && (run.source == o.lastSource && linkType == o.lastLinkType
                || o.interfaces.containsKey(new Interface(run.source, linkType)));
        if (!known && o != null && o.interfaces.size() >= MAX_INTERFACES) {
            if (pattern.equals("-")) {
                return null; // stdout is one stream: records of further sources are counted as skipped
            }
            LOG.info("capture file {} describes {} interfaces, its most; a new file takes the next", o.path, MAX_INTERFACES);
            o.crowded = true; // rotate now, whatever -C and -G say
        }
        int idb = known ? 0 : PcapngWriter.interfaceSize(run.source, describe(run, linkType, run.dialect));
        return output(0, LinkType.ETHERNET, recordBytes + idb);
    }

    /** The id of the run's source's interface for {@code linkType} in the current file, described on first use. */
    private int pcapngInterface(Output o, RecordRun run, int linkType, Dialect d) throws IOException {
        if (run.source == o.lastSource && linkType == o.lastLinkType) {
            return o.lastInterface;
        }
        Interface key = new Interface(run.source, linkType);
        Integer id = o.interfaces.get(key);
        if (id == null) {
            String description = describe(run, linkType, d);
            id = ((PcapngWriter) o.writer).addInterface(linkType, run.source, description);
            o.interfaces.put(key, id);
            o.size += PcapngWriter.interfaceSize(run.source, description);
        }
        o.lastSource = run.source;
        o.lastLinkType = linkType;
        o.lastInterface = id;
        return id;
    }

    private static String describe(RecordRun run, int linkType, Dialect d) {
        String what = run.description != null ? run.description : "CommView agent " + run.source + ", " + d.name();
        return what + ", " + LinkType.describe(linkType);
    }

    /**
     * The output for a link type, rotated as needed for a record of {@code recordBytes}; null when
     * the record is not for a file (-G/-W past its last file, a second link type on stdout).
     */
    private Output output(int key, int linkType, int recordBytes) throws IOException {
        Output o = outputs.computeIfAbsent(key, Output::new);
        if (pattern.equals("-")) {
            if (o.writer == null) {
                if (outputs.size() > 1) {
                    return null; // stdout carries one link type: the first one seen
                }
                o.writer = pcapng ? new PcapngWriter(stdout, APPLICATION) : new PcapWriter(stdout, linkType);
                o.counted = 0;
            }
            return o;
        }
        long now = clock.millis();
        boolean timeUp = rotateSeconds > 0 && Math.abs(now - o.openedAt) >= rotateSeconds * 1000;
        boolean full = maxBytes > 0 && o.size + recordBytes > maxBytes && o.size > o.headerSize || o.crowded;
        if (o.writer != null && !timeUp && !full) {
            return o;
        }
        boolean stopAfterN = rotateSeconds > 0 && maxBytes == 0 && ring > 0;
        if (o.writer == null && stopAfterN && o.opened >= ring) {
            return null;
        }
        if (o.writer != null) {
            if (stopAfterN && o.opened >= ring) {
                close(o);
                if (!limitLogged) {
                    limitLogged = true;
                    LOG.warn("capture files: -G {} -W {}: the last file is complete; further records are not written "
                            + "(counted as skipped), the collector keeps serving", rotateSeconds, ring);
                }
                return null;
            }
            close(o);
            o.index = ring > 0 ? (o.index + 1) % ring : o.index + 1;
        }
        open(o, linkType, now);
        return o;
    }

    private void close(Output o) throws IOException {
        try {
            o.writer.close();
        } finally {
            count(o);
            o.writer = null;
            if (o.path != null) {
                openPaths.remove(o.path);
            }
        }
    }

    private void open(Output o, int linkType, long now) throws IOException {
        boolean ringSlot = ring > 0 && maxBytes > 0;
        Path mine = ringSlot ? o.slots.get(o.index) : null;
        Path wanted = Paths.get(name(linkType, o, now));
        Path parent = wanted.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException(parent + ": no such directory");
        }
        // the file appears under its name with its pcap header already in it: a kill at any moment
        // leaves no empty or headerless file (written in a hidden file, then linked or renamed)
        Path staging = (parent == null ? Paths.get(".") : parent).resolve("." + wanted.getFileName() + ".creating-"
                + ProcessHandle.current().pid());
        Files.deleteIfExists(staging); // our own, from an earlier attempt of this process
        FileChannel ch = FileChannel.open(staging, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
        CaptureWriter writer;
        try {
            writer = pcapng ? new PcapngWriter(ch, APPLICATION) : new PcapWriter(ch, linkType);
            if (mine != null) {
                // a -W ring slot this run took: replace our own earlier file in one step
                Files.move(staging, mine, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                o.path = mine;
            } else {
                o.path = publish(staging, wanted);
                if (ringSlot) {
                    o.slots.put(o.index, o.path);
                }
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(staging);
            throw e;
        }
        o.writer = writer;
        openPaths.add(o.path);
        o.counted = 0;
        o.headerSize = (int) writer.fileBytes();
        o.size = o.headerSize;
        o.interfaces.clear();
        o.crowded = false;
        o.lastSource = null;
        o.lastLinkType = -1;
        o.openedAt = now;
        o.opened++;
        files.incrementAndGet();
    }

    /**
     * Removes the hidden staging files ({@code .NAME.creating-PID}) that a collector killed
     * between creating a file and publishing it left in {@code dir}; only those whose process is
     * gone, so a second collector writing to the same directory keeps its own.
     */
    static int removeAbandonedStaging(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.creating-*")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                long pid;
                try {
                    pid = Long.parseLong(n.substring(n.lastIndexOf('-') + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                if (Files.deleteIfExists(p)) {
                    removed++;
                    LOG.info("capture files: removed {}, left by a collector (pid {}) that was killed before "
                            + "publishing it", p, pid);
                }
            }
        } catch (IOException e) {
            LOG.debug("capture files: cannot list {} for abandoned staging files: {}", dir, e.toString());
        }
        return removed;
    }

    /**
     * Gives the staged file the first free name of {@code wanted}, {@code wanted.1}, ... (never
     * replacing a file: an earlier run's, or one whose name came round again) and removes the
     * staging name. A hard link cannot replace; where the file system has none, the file is
     * created under its name directly.
     */
    private Path publish(Path staging, Path wanted) throws IOException {
        for (int k = 0; ; k++) {
            Path p = k == 0 ? wanted : Paths.get(wanted + "." + k);
            try {
                Files.createLink(p, staging);
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                // no hard links on this file system: move when the name is free (a narrow race
                // with another writer is possible there, and only there)
                if (Files.exists(p)) {
                    continue;
                }
                Files.move(staging, p);
                logRenamed(wanted, p, k);
                return p;
            }
            Files.delete(staging);
            logRenamed(wanted, p, k);
            return p;
        }
    }

    private static void logRenamed(Path wanted, Path p, int k) {
        if (k > 0) {
            LOG.warn("capture file {} exists: writing {} instead", wanted, p);
        }
    }

    private String name(int linkType, Output o, long now) {
        String base = rotateSeconds > 0 ? Strftime.format(pattern, ZonedDateTime.ofInstant(
                java.time.Instant.ofEpochMilli(now), clock.getZone())) : pattern;
        if (pcapng || linkType == LinkType.ETHERNET) {
            // Ethernet's file, or the one pcapng file that takes every link type, is FILE itself
        } else if (linkType == LinkType.IEEE802_11) {
            base = base + ".802_11";
        } else if (linkType == LinkType.TOKEN_RING) {
            base = base + ".token_ring";
        } else {
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

    /** The files open now, for the web console. */
    List<Path> openFiles() {
        return List.copyOf(openPaths);
    }

    /** Closes the current files; the next record opens new ones (a file still there gets a suffix). */
    void reopen() {
        reopen = true;
    }

    private void closeAll() {
        for (Output o : outputs.values()) {
            if (o.writer != null && !pattern.equals("-")) {
                try {
                    close(o);
                } catch (IOException e) {
                    fail(e);
                }
            }
        }
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
        if (pattern.equals("-")) {
            flushAll(); // stdout stays open: it is not ours
        } else {
            closeAll();
        }
        RecordRun r;
        while ((r = queue.poll()) != null) {
            dropped.addAndGet(r.count);
            r.records.release();
        }
        if (blocking && backpressure != null) {
            blocking = false;
            backpressure.unblock(this);
        }
    }
}
