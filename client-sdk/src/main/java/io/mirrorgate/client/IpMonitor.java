package io.mirrorgate.client;

import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.IpDecoder;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.Libpcap;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.StreamFormatException;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.util.LinkLayerAddress;

/**
 * A facade with the names of the /n software and Callback IPMonitor components, for porting code:
 * list adapters and addresses, {@link #activate} a local adapter (live capture with libpcap) or a
 * collector endpoint ({@code host:port}), receive {@code IPPacket} events, or statistics per
 * interval in {@link OperationMode#STATISTICS}; pause and resume with
 * {@link #pauseData()}/{@link #processData()}; {@link #parsePcapFile(Path)} for pcap, pcapng, NCF
 * and NCFX. Events arrive on the capture or network thread.
 */
public final class IpMonitor implements AutoCloseable {
    /** IPMonitor's OperationMode: omCapture (an event per packet) or omStat (counts per interval). */
    public enum OperationMode {
        /** An event per packet (omCapture). */
        CAPTURE,
        /** Counts per interval (omStat). */
        STATISTICS
    }

    /** IPMonitor's Direction: which packets a live capture sees. */
    public enum Direction {
        /** Packets the adapter received. */
        IN,
        /** Packets the adapter sent. */
        OUT,
        /** Both. */
        BOTH
    }

    /** An adapter as ListAdapters reports it. */
    public record Adapter(String name, String description, String mac, boolean up, boolean loopback, List<String> addresses) {
    }

    /** Statistics as GetStatistics reports them. */
    public record Statistics(long received, long dropped, long adapterDropped) {
    }

    /** The events of the component. Every method has an empty default. */
    public interface Listener {
        /**
         * A packet, in capture mode.
         *
         * @param packet the packet, immutable, owning its bytes
         */
        default void onIPPacket(IpPacket packet) {
        }

        /**
         * Statistics mode: packets and bytes captured in the last interval.
         *
         * @param capturedPackets packets captured in the interval
         * @param capturedBytes their bytes (captured lengths)
         */
        default void onStatistics(long capturedPackets, long capturedBytes) {
        }

        /**
         * An error, with a code and its description.
         *
         * @param code the error code
         * @param description what went wrong
         */
        default void onError(int code, String description) {
        }

        /**
         * One local address, from {@link #listIPAddresses}.
         *
         * @param address an IPv4 dotted quad or IPv6 RFC 5952 text
         */
        default void onIPAddress(String address) {
        }
    }

    /** Error codes of {@link Listener#onError}. */
    public static final int ERROR_DAMAGED_FILE = 2;
    /** Error code: a live capture stopped (the adapter went away or broke). */
    public static final int ERROR_CAPTURE = 3;
    /** Events kept while paused; more are dropped and counted. */
    public static final int MAX_PAUSED = 65_536;

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong intervalPackets = new AtomicLong();
    private final AtomicLong intervalBytes = new AtomicLong();
    private final ArrayDeque<IpPacket> paused = new ArrayDeque<>();
    private String filter;
    private Direction direction = Direction.BOTH;
    private OperationMode mode = OperationMode.CAPTURE;
    private Duration statisticsInterval = Duration.ofSeconds(1);
    private ZoneId zone = ZoneId.systemDefault();
    private volatile boolean acceptData = true;
    private volatile PcapHandle handle;
    private Thread captureThread;
    private MirrorClient client;
    private BpfFilter endpointFilter;
    private ScheduledExecutorService ticker;
    private volatile PcapStat lastStat;

    /**
     * Adds a receiver of the component's events.
     *
     * @param l the listener; called on the component's delivery thread
     */
    public void addListener(Listener l) {
        listeners.add(l);
    }

    /**
     * Removes a listener added with {@link #addListener}.
     *
     * @param l a listener added before
     */
    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    /**
     * ListAdapters: every adapter libpcap sees.
     *
     * @return the adapters, with their addresses
     * @throws IOException when libpcap cannot list them
     */
    public List<Adapter> listAdapters() throws IOException {
        requireLibpcap();
        List<Adapter> out = new ArrayList<>();
        try {
            for (PcapNetworkInterface d : Pcaps.findAllDevs()) {
                List<String> addrs = new ArrayList<>();
                for (PcapAddress a : d.getAddresses()) {
                    if (a.getAddress() != null) {
                        addrs.add(AddressText.of(a.getAddress().getAddress()));
                    }
                }
                List<LinkLayerAddress> macs = d.getLinkLayerAddresses();
                out.add(new Adapter(d.getName(), d.getDescription(), macs.isEmpty() ? null : macs.get(0).toString(), d.isUp(),
                        d.isLoopBack(), List.copyOf(addrs)));
            }
        } catch (org.pcap4j.core.PcapNativeException e) {
            throw new IOException(e.getMessage(), e);
        }
        return out;
    }

    /**
     * ListIPAddresses: every local address, each also fired as {@link Listener#onIPAddress}.
     *
     * @return the addresses, IPv4 dotted quads and IPv6 RFC 5952 text
     * @throws IOException when libpcap cannot list them
     */
    public List<String> listIPAddresses() throws IOException {
        List<String> out = new ArrayList<>();
        for (Adapter a : listAdapters()) {
            for (String ip : a.addresses()) {
                out.add(ip);
                listeners.forEach(l -> l.onIPAddress(ip));
            }
        }
        return out;
    }

    /**
     * A libpcap filter for live capture and collector endpoints (set before {@link #activate}).
     *
     * @param bpf a libpcap filter expression, or null for none
     */
    public void setFilter(String bpf) {
        this.filter = bpf;
    }

    /**
     * Which packets a live capture sees (set before {@link #activate}; default both).
     *
     * @param d the direction
     */
    public void setDirection(Direction d) {
        this.direction = d;
    }

    /**
     * Capture (an event per packet) or statistics (counts per interval); set before {@link #activate}.
     *
     * @param m the mode
     */
    public void setOperationMode(OperationMode m) {
        this.mode = m;
    }

    /**
     * Interval of {@link Listener#onStatistics} in statistics mode (default 1 s).
     *
     * @param d the interval
     */
    public void setStatisticsInterval(Duration d) {
        this.statisticsInterval = d;
    }

    /**
     * Zone of NCF/NCFX wall-clock times (collector endpoints, files).
     *
     * @param z the zone
     */
    public void setTimezone(ZoneId z) {
        this.zone = z;
    }

    /**
     * Activate: a local adapter name (live capture) or a collector's client port as
     * {@code host:port}.
     *
     * @param adapterOrEndpoint an adapter name, or {@code host:port} of a collector's client port
     * @throws IOException when the adapter cannot be opened
     */
    public void activate(String adapterOrEndpoint) throws IOException {
        deactivate();
        received.set(0);
        dropped.set(0);
        int colon = adapterOrEndpoint.lastIndexOf(':');
        boolean endpoint = colon > 0 && adapterOrEndpoint.substring(colon + 1).matches("\\d+");
        if (mode == OperationMode.STATISTICS) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ipmonitor-statistics");
                t.setDaemon(true);
                return t;
            });
            long ms = statisticsInterval.toMillis();
            ticker.scheduleAtFixedRate(() -> {
                long p = intervalPackets.getAndSet(0);
                long b = intervalBytes.getAndSet(0);
                listeners.forEach(l -> l.onStatistics(p, b));
            }, ms, ms, TimeUnit.MILLISECONDS);
        }
        if (endpoint) {
            if (filter != null) {
                requireLibpcap();
                endpointFilter = new BpfFilter(filter);
            }
            String host = adapterOrEndpoint.substring(0, colon).replaceAll("^\\[|\\]$", "");
            client = MirrorClient.builder(host, Integer.parseInt(adapterOrEndpoint.substring(colon + 1))).timezone(zone)
                    .packetHandler(v -> {
                        if (endpointFilter == null || endpointFilter.matches(v)) {
                            deliver(v);
                        }
                    }).build().start();
            return;
        }
        requireLibpcap();
        try {
            PcapHandle h = new PcapHandle.Builder(adapterOrEndpoint).snaplen(65_535).timeoutMillis(50).immediateMode(true)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS).bufferSize(32 << 20)
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO).build();
            if (filter != null) {
                h.setFilter(filter, org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
            }
            if (direction != Direction.BOTH) {
                h.setDirection(direction == Direction.IN ? PcapHandle.PcapDirection.IN : PcapHandle.PcapDirection.OUT);
            }
            handle = h;
        } catch (Exception e) {
            throw new IOException("cannot capture " + adapterOrEndpoint + ": " + e.getMessage(), e);
        }
        PcapHandle h = handle;
        int linkType = h.getDlt().value();
        PacketView view = new PacketView();
        captureThread = new Thread(() -> {
            try {
                h.loop(-1, (org.pcap4j.core.RawPacketListener) data -> {
                    java.sql.Timestamp ts = h.getTimestamp();
                    Integer orig = h.getOriginalLength();
                    view.startRecord(Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000, data.length,
                            orig == null ? data.length : orig, Medium.ofLinkType(linkType));
                    view.setSource(adapterOrEndpoint);
                    IpDecoder.decode(Unpooled.wrappedBuffer(data), 0, data.length, linkType, view);
                    deliver(view);
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                if (handle != null) {
                    listeners.forEach(l -> l.onError(ERROR_CAPTURE, "capture on " + adapterOrEndpoint + " stopped: " + e.getMessage()));
                }
            }
        }, "ipmonitor-capture");
        captureThread.setDaemon(true);
        captureThread.start();
    }

    private void deliver(PacketView v) {
        received.incrementAndGet();
        if (mode == OperationMode.STATISTICS) {
            intervalPackets.incrementAndGet();
            intervalBytes.addAndGet(v.capturedLength());
            return;
        }
        IpPacket p = IpPacket.of(v);
        if (!acceptData) {
            synchronized (paused) {
                if (paused.size() < MAX_PAUSED) {
                    paused.add(p);
                } else {
                    dropped.incrementAndGet();
                }
            }
            return;
        }
        listeners.forEach(l -> l.onIPPacket(p));
    }

    /** Deactivate: stops capturing or disconnects. */
    public void deactivate() {
        PcapHandle h = handle;
        handle = null;
        if (h != null) {
            try {
                h.breakLoop();
            } catch (Exception e) {
                // not looping
            }
            try {
                if (captureThread != null) {
                    captureThread.join(5000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                lastStat = h.getStats();
            } catch (Exception e) {
                // closed
            }
            h.close();
        }
        if (client != null) {
            dropped.addAndGet(client.statistics().dropped());
            client.close();
            client = null;
        }
        if (endpointFilter != null) {
            endpointFilter.close();
            endpointFilter = null;
        }
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }

    /**
     * True between {@link #activate} and {@link #deactivate}.
     *
     * @return whether the component is active
     */
    public boolean isActive() {
        return handle != null || client != null;
    }

    /** PauseData: packets are kept (up to {@link #MAX_PAUSED}, then dropped and counted) instead of delivered. */
    public void pauseData() {
        acceptData = false;
    }

    /**
     * False while paused ({@link #pauseData()}).
     *
     * @return whether packets are delivered as they come
     */
    public boolean isAcceptData() {
        return acceptData;
    }

    /**
     * AcceptData: true delivers packets as they come (and what was kept, first).
     *
     * @param accept true to deliver, false to keep packets (bounded) until delivery resumes
     */
    public void setAcceptData(boolean accept) {
        if (accept) {
            processData();
        }
        acceptData = accept;
    }

    /** ProcessData: delivers the packets kept while paused, on this thread. */
    public void processData() {
        List<IpPacket> batch;
        synchronized (paused) {
            batch = new ArrayList<>(paused);
            paused.clear();
        }
        for (IpPacket p : batch) {
            listeners.forEach(l -> l.onIPPacket(p));
        }
    }

    /**
     * ParsePcapFile: fires {@link Listener#onIPPacket} for every record of a pcap, pcapng, NCF or
     * NCFX file; a damaged file fires {@link Listener#onError} after every record before it.
     * Returns the number of records.
     *
     * @param file a capture file: NCF, NCFX, pcap or pcapng
     * @return the number of records
     * @throws IOException when the file cannot be read
     */
    public long parsePcapFile(Path file) throws IOException {
        long n = 0;
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(file, zone)) {
            while (r.next(v)) {
                n++;
                received.incrementAndGet(); // getStatistics() counts a file's records as received
                IpPacket p = IpPacket.of(v);
                listeners.forEach(l -> l.onIPPacket(p));
            }
        } catch (StreamFormatException e) {
            listeners.forEach(l -> l.onError(ERROR_DAMAGED_FILE, file + ": " + e.getMessage()));
        }
        return n;
    }

    /**
     * GetStatistics: received, dropped by us (paused queue, subscriber queue), dropped by the adapter (pcap_stats).
     *
     * @return the counters so far
     */
    public Statistics getStatistics() {
        long adapter = 0;
        PcapHandle h = handle;
        if (h != null && h.isOpen()) {
            try {
                lastStat = h.getStats();
            } catch (Exception e) {
                // keep the last
            }
        }
        if (lastStat != null) {
            adapter = lastStat.getNumPacketsDropped() + lastStat.getNumPacketsDroppedByIf();
        }
        long clientDropped = client == null ? 0 : client.statistics().dropped();
        return new Statistics(received.get(), dropped.get() + clientDropped, adapter);
    }

    private static void requireLibpcap() throws IOException {
        String why = Libpcap.unavailableReason();
        if (why != null) {
            throw new IOException(why);
        }
    }

    @Override
    public void close() {
        deactivate();
    }
}
