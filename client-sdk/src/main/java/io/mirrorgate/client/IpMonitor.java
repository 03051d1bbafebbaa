package io.mirrorgate.client;

import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.CaptureDirection;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.util.LinkLayerAddress;

/**
 * The /n software IPWorks and Callback PCAP Filter IPMonitor components, for porting code to
 * mirrorgate: list adapters and addresses, {@link #activate} a local adapter or address (live
 * capture with libpcap) or a collector endpoint ({@code host:port}), or {@link #parsePcapFile}
 * a capture file. Every source goes through one delivery path, so the filter, the direction,
 * {@link #pauseData()}/{@link #processData()}, the operation mode and the statistics apply to all
 * three alike. {@code docs/IPMONITOR.md} maps every documented method, property and event of both
 * components to this class.
 *
 * <h2>Threads</h2>
 * With {@link EventDispatch#THREAD} (the default) one thread per component, named
 * {@code ipmonitor-events}, calls the listeners, one event at a time, in the order the packets
 * arrived. With {@link EventDispatch#DO_EVENTS} nothing fires until the application calls
 * {@link #doEvents()}, which fires on the caller's thread (Callback's {@code do_events} loop).
 * {@link #parsePcapFile}, {@link #listIPAddresses} and {@link #activate}'s error fire on the
 * caller's thread. Listeners are never called concurrently, whatever the thread. Network and
 * capture threads never run listener code: they queue events (at most {@link #MAX_QUEUED_PACKETS}
 * packets and {@link #MAX_QUEUED_BYTES} bytes; more are dropped and counted in
 * {@link Statistics#dropped()}). A listener that throws is reported through
 * {@link Listener#onError} with {@link #ERROR_EVENT_HANDLER} and costs no other listener an event.
 *
 * <h2>Error codes</h2>
 * The codes of {@link Listener#onError} and {@link IpMonitorException#code()}, IPWorks' numbers
 * where IPWorks has one: {@link #ERROR_CANNOT_READ_PACKET} 650, {@link #ERROR_INVALID_LOCAL_HOST}
 * 1118, {@link #ERROR_EVENT_HANDLER} 700, {@link #ERROR_LIBPCAP_UNAVAILABLE} 701,
 * {@link #ERROR_ACCESS_DENIED} 10013, {@link #ERROR_CONNECTION_LOST} 10054,
 * {@link #ERROR_TIMED_OUT} 10060, {@link #ERROR_CONNECTION_REFUSED} 10061,
 * {@link #ERROR_NO_ROUTE} 10065, {@link #ERROR_HOST_NOT_FOUND} 11001.
 */
public final class IpMonitor implements AutoCloseable {
    /** IPMonitor's OperationMode: omCapture (an event per packet) or omStat (counts per interval). */
    public enum OperationMode {
        /** An event per packet (omCapture, 0). */
        CAPTURE,
        /** Counts per interval (omStat, 1). */
        STATISTICS
    }

    /** Who calls the listeners: the component's own thread, or the application in {@link #doEvents()}. */
    public enum EventDispatch {
        /** The {@code ipmonitor-events} thread (the default). */
        THREAD,
        /** The application's thread, in {@link #doEvents()} (Callback's {@code do_events}). */
        DO_EVENTS
    }

    /**
     * An adapter as ListAdapters reports it.
     *
     * @param name the name to pass to {@link #activate(String)}
     * @param description libpcap's description, or null
     * @param mac the MAC address (colon-separated), or null
     * @param up whether the adapter is up
     * @param running whether it is running (carrier)
     * @param loopback whether it is a loopback adapter
     * @param addresses its IP addresses
     * @param netmasks the netmask of each address, in the same order (null where libpcap has none)
     */
    public record Adapter(String name, String description, String mac, boolean up, boolean running, boolean loopback,
                          List<String> addresses, List<String> netmasks) {
    }

    /**
     * Statistics as Callback's GetStatistics defines them, since {@link #activate}.
     *
     * @param received packets that matched the filter and the direction (from every source,
     *                 files included), whether delivered or dropped
     * @param dropped packets the component dropped: its queue was full (a slow listener, a long
     *                pause, {@link #doEvents()} called too rarely) or libpcap's buffer was
     *                ({@code ps_drop})
     * @param adapterDropped packets the adapter or its driver dropped ({@code ps_ifdrop})
     */
    public record Statistics(long received, long dropped, long adapterDropped) {
    }

    /** The events of the component. Every method has an empty default. */
    public interface Listener {
        /**
         * Callback's {@code on_packet}: every captured frame, IP or not, in capture mode.
         * {@link IpPacket#timestamp()}, {@link IpPacket#originalLength()} (PacketSize),
         * {@link IpPacket#frame()} (Data) and {@link IpPacket#capturedLength()} (DataSize).
         *
         * @param packet the frame, immutable, owning its bytes
         */
        default void onPacket(IpPacket packet) {
        }

        /**
         * IPWorks' {@code IPPacket}: an IP packet (IPv4 or IPv6) in capture mode; frames without an
         * IP header are not reported here (see {@link #onPacket}).
         *
         * @param packet the packet, immutable, owning its bytes ({@link IpPacket#ipPacket()} is
         *               IPWorks' {@code IPPacketB})
         */
        default void onIPPacket(IpPacket packet) {
        }

        /**
         * Statistics mode: packets and bytes captured since the last statistics event.
         *
         * @param timeStamp when the statistics were collected
         * @param capturedPackets packets captured since the last event
         * @param capturedBytes their bytes (captured lengths)
         */
        default void onStatistics(Instant timeStamp, long capturedPackets, long capturedBytes) {
            onStatistics(capturedPackets, capturedBytes);
        }

        /**
         * Statistics mode, without the time stamp; called by the default
         * {@link #onStatistics(Instant, long, long)}.
         *
         * @param capturedPackets packets captured since the last event
         * @param capturedBytes their bytes (captured lengths)
         */
        default void onStatistics(long capturedPackets, long capturedBytes) {
        }

        /**
         * An error during delivery, with its code (listed on {@link IpMonitor}) and description.
         *
         * @param code the error code
         * @param description what went wrong, and where
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

    /** Error code (IPWorks 650, "Cannot read packet"): a damaged capture file, or a live capture that stopped. */
    public static final int ERROR_CANNOT_READ_PACKET = 650;
    /** Error code (IPWorks 1118, "Invalid local host"): neither an adapter, a local address nor {@code host:port}. */
    public static final int ERROR_INVALID_LOCAL_HOST = 1118;
    /** Error code: a listener threw; the description names the event and the exception. */
    public static final int ERROR_EVENT_HANDLER = 700;
    /** Error code: live capture or a filter needs libpcap, which cannot be loaded. */
    public static final int ERROR_LIBPCAP_UNAVAILABLE = 701;
    /** Error code (WSAEACCES): no permission to capture (needs root or CAP_NET_RAW). */
    public static final int ERROR_ACCESS_DENIED = 10013;
    /** Error code (WSAECONNRESET): the connection to a collector was lost; reconnecting follows. */
    public static final int ERROR_CONNECTION_LOST = 10054;
    /** Error code (WSAETIMEDOUT): a collector did not answer. */
    public static final int ERROR_TIMED_OUT = 10060;
    /** Error code (WSAECONNREFUSED): nothing listens at the collector endpoint. */
    public static final int ERROR_CONNECTION_REFUSED = 10061;
    /** Error code (WSAEHOSTUNREACH): no route to the collector. */
    public static final int ERROR_NO_ROUTE = 10065;
    /** Error code (WSAHOST_NOT_FOUND): the collector's host name does not resolve. */
    public static final int ERROR_HOST_NOT_FOUND = 11001;

    /** Packets kept for delivery (while paused, or ahead of a slow listener); more are dropped and counted. */
    public static final int MAX_QUEUED_PACKETS = 65_536;
    /** Bytes kept for delivery (captured lengths); more are dropped and counted. */
    public static final long MAX_QUEUED_BYTES = 64L << 20;
    /** Errors kept for delivery; more are counted in {@link #errorsDropped()}. */
    public static final int MAX_QUEUED_ERRORS = 1_024;
    /** How long {@link #activate} waits for a collector endpoint to answer. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

    /** Callback's defaults for the capture options. */
    private static final boolean DEFAULT_PROMISCUOUS = false;
    private static final int DEFAULT_MAX_PACKET_BYTES = 262_144;
    private static final int DEFAULT_BUFFER_KB = 1024;
    private static final int DEFAULT_PACKET_TIMEOUT_MS = 1000;

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Held while listeners run: they are never called concurrently. */
    private final Object fireLock = new Object();
    /** Guards the queues, the pause flag and the statistics tick; waited on by the dispatcher. */
    private final Object lock = new Object();
    private final ArrayDeque<IpPacket> queue = new ArrayDeque<>();
    private final ArrayDeque<Error> errors = new ArrayDeque<>();
    private long queuedBytes;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong listenerErrors = new AtomicLong();
    private final AtomicLong errorsDropped = new AtomicLong();
    private final AtomicLong intervalPackets = new AtomicLong();
    private final AtomicLong intervalBytes = new AtomicLong();
    /** Guards {@link #program}: the network thread and a file parse may filter at once. */
    private final Object filterLock = new Object();
    private BpfFilter program;
    private volatile String filter;
    private volatile CaptureDirection direction = CaptureDirection.BOTH;
    private volatile OperationMode mode = OperationMode.CAPTURE;
    private volatile Duration statisticsInterval = Duration.ofSeconds(1);
    private volatile ZoneId zone = ZoneId.systemDefault();
    private volatile boolean acceptData = true;
    private volatile EventDispatch dispatch = EventDispatch.THREAD;
    private volatile boolean promiscuous = DEFAULT_PROMISCUOUS;
    private volatile int maxPacketBytes = DEFAULT_MAX_PACKET_BYTES;
    private volatile int bufferSizeKb = DEFAULT_BUFFER_KB;
    private volatile int packetTimeoutMs = DEFAULT_PACKET_TIMEOUT_MS;
    private volatile boolean wifiMonitorMode;
    private volatile String localHost;
    private volatile long tag;
    private volatile Source source;
    private volatile PcapStat lastStat;
    private long nextTick;
    private Thread dispatcher;
    private volatile boolean closed;

    private record Error(int code, String description) {
    }

    /** What {@link #activate} started: a live capture or a collector connection. */
    private abstract static class Source {
        volatile boolean stopping;

        abstract void stop();
    }

    /**
     * Adds a receiver of the component's events.
     *
     * @param l the listener; see the class comment for the thread that calls it
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

    // ---------------------------------------------------------------- adapters

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
                List<String> masks = new ArrayList<>();
                for (PcapAddress a : d.getAddresses()) {
                    if (a.getAddress() != null) {
                        addrs.add(AddressText.of(a.getAddress().getAddress()));
                        masks.add(a.getNetmask() == null ? null : AddressText.of(a.getNetmask().getAddress()));
                    }
                }
                List<LinkLayerAddress> macs = d.getLinkLayerAddresses();
                out.add(new Adapter(d.getName(), d.getDescription(), macs.isEmpty() ? null : macs.get(0).toString(), d.isUp(),
                        d.isRunning(), d.isLoopBack(), List.copyOf(addrs), java.util.Collections.unmodifiableList(masks)));
            }
        } catch (org.pcap4j.core.PcapNativeException e) {
            throw new IOException(e.getMessage(), e);
        }
        return out;
    }

    /**
     * ListIPAddresses: every local address, each also fired as {@link Listener#onIPAddress} on
     * this thread.
     *
     * @return the addresses, IPv4 dotted quads and IPv6 RFC 5952 text
     * @throws IOException when libpcap cannot list them
     */
    public List<String> listIPAddresses() throws IOException {
        List<String> out = new ArrayList<>();
        for (Adapter a : listAdapters()) {
            out.addAll(a.addresses());
        }
        synchronized (fireLock) {
            for (String ip : out) {
                for (Listener l : listeners) {
                    try {
                        l.onIPAddress(ip);
                    } catch (RuntimeException e) {
                        listenerFailed("onIPAddress", e);
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- settings

    /**
     * Filter: a libpcap filter expression, or null (or empty) for none. Takes effect at once, also
     * while active (on a live capture the kernel's filter is replaced; packets already captured
     * under the old filter may still be reported, as Callback documents).
     *
     * @param bpf a libpcap filter expression, or null for none
     * @throws IllegalArgumentException with libpcap's message when the expression is invalid
     */
    public void setFilter(String bpf) {
        String f = bpf == null || bpf.isBlank() ? null : bpf;
        BpfFilter compiled = null;
        if (f != null && Libpcap.unavailableReason() == null) {
            compiled = new BpfFilter(f); // throws on a syntax error, before anything changes
        }
        synchronized (filterLock) {
            if (program != null) {
                program.close();
            }
            program = compiled;
            filter = f;
        }
        Source s = source;
        if (s instanceof LiveSource live) {
            live.settingsChanged();
        }
    }

    /**
     * The filter expression set with {@link #setFilter}.
     *
     * @return the expression, or null for none
     */
    public String getFilter() {
        return filter;
    }

    /**
     * Direction: which packets are delivered; takes effect at once, also while active. Live
     * capture asks libpcap ({@code pcap_setdirection}); collector endpoints and files use the
     * record's direction (CommView's in/out/pass-through).
     *
     * @param d the direction
     */
    public void setDirection(CaptureDirection d) {
        this.direction = d == null ? CaptureDirection.BOTH : d;
        Source s = source;
        if (s instanceof LiveSource live) {
            live.settingsChanged();
        }
    }

    /**
     * The direction set with {@link #setDirection}.
     *
     * @return the direction (default {@link CaptureDirection#BOTH})
     */
    public CaptureDirection getDirection() {
        return direction;
    }

    /**
     * OperationMode: capture (an event per packet) or statistics (counts per interval); takes
     * effect with the next packet.
     *
     * @param m the mode
     */
    public void setOperationMode(OperationMode m) {
        this.mode = m;
        synchronized (lock) {
            nextTick = System.nanoTime() + statisticsInterval.toNanos();
            lock.notifyAll();
        }
    }

    /**
     * The operation mode.
     *
     * @return the mode (default {@link OperationMode#CAPTURE})
     */
    public OperationMode getOperationMode() {
        return mode;
    }

    /**
     * Interval of {@link Listener#onStatistics} in statistics mode with {@link EventDispatch#THREAD}
     * (default 1 s); with {@link EventDispatch#DO_EVENTS} each {@link #doEvents()} fires one.
     *
     * @param d the interval, at least 1 ms
     */
    public void setStatisticsInterval(Duration d) {
        if (d.toMillis() < 1) {
            throw new IllegalArgumentException("statistics interval " + d + " is under 1 ms");
        }
        this.statisticsInterval = d;
    }

    /**
     * The statistics interval.
     *
     * @return the interval
     */
    public Duration getStatisticsInterval() {
        return statisticsInterval;
    }

    /**
     * Who calls the listeners; set while inactive.
     *
     * @param d {@link EventDispatch#THREAD} (default) or {@link EventDispatch#DO_EVENTS}
     */
    public void setEventDispatch(EventDispatch d) {
        requireInactive("the event dispatch");
        this.dispatch = d;
    }

    /**
     * Who calls the listeners.
     *
     * @return the event dispatch
     */
    public EventDispatch getEventDispatch() {
        return dispatch;
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
     * The zone of NCF/NCFX wall-clock times.
     *
     * @return the zone (default the system's)
     */
    public ZoneId getTimezone() {
        return zone;
    }

    /**
     * Callback's adapter_promiscuous_mode (default false); IPWorks' ReceiveAllMode 1 is true.
     * Set while inactive; used by the next live capture.
     *
     * @param on whether the adapter captures packets addressed to others
     */
    public void setPromiscuousMode(boolean on) {
        requireInactive("promiscuous mode");
        this.promiscuous = on;
    }

    /**
     * Whether the next live capture is promiscuous.
     *
     * @return the setting (default false)
     */
    public boolean isPromiscuousMode() {
        return promiscuous;
    }

    /**
     * Callback's adapter_max_packet_bytes: the snapshot length (default 262,144; 0 means the
     * default, as in libpcap). Set while inactive.
     *
     * @param bytes at most this many bytes of each packet are captured
     */
    public void setMaxPacketBytes(int bytes) {
        requireInactive("max packet bytes");
        if (bytes < 0) {
            throw new IllegalArgumentException("max packet bytes " + bytes);
        }
        this.maxPacketBytes = bytes == 0 ? DEFAULT_MAX_PACKET_BYTES : bytes;
    }

    /**
     * The snapshot length of the next live capture.
     *
     * @return bytes (default 262,144)
     */
    public int getMaxPacketBytes() {
        return maxPacketBytes;
    }

    /**
     * Callback's adapter_buffer_size: libpcap's kernel buffer in KB (default 1024; 0 means
     * libpcap's own default, 2 MB on Linux). Set while inactive.
     *
     * @param kilobytes the buffer size in KB
     */
    public void setBufferSize(int kilobytes) {
        requireInactive("the buffer size");
        if (kilobytes < 0) {
            throw new IllegalArgumentException("buffer size " + kilobytes + " KB");
        }
        this.bufferSizeKb = kilobytes;
    }

    /**
     * The kernel buffer size of the next live capture.
     *
     * @return KB (default 1024)
     */
    public int getBufferSize() {
        return bufferSizeKb;
    }

    /**
     * Callback's adapter_packet_timeout: libpcap's packet buffer timeout in ms (default 1000), and
     * how long {@link #doEvents()} waits when nothing is queued. Set while inactive.
     *
     * @param millis a positive number of milliseconds
     */
    public void setPacketTimeout(int millis) {
        requireInactive("the packet timeout");
        if (millis <= 0) {
            throw new IllegalArgumentException("packet timeout " + millis + " ms: libpcap leaves 0 and less undefined");
        }
        this.packetTimeoutMs = millis;
    }

    /**
     * The packet buffer timeout.
     *
     * @return milliseconds (default 1000)
     */
    public int getPacketTimeout() {
        return packetTimeoutMs;
    }

    /**
     * Callback's adapter_wi_fi_monitor_mode ({@code pcap_set_rfmon}; default false). Set while
     * inactive; an adapter that cannot makes {@link #activate} fail.
     *
     * @param on whether to capture in 802.11 monitor mode
     */
    public void setWiFiMonitorMode(boolean on) {
        requireInactive("Wi-Fi monitor mode");
        this.wifiMonitorMode = on;
    }

    /**
     * Whether the next live capture uses 802.11 monitor mode.
     *
     * @return the setting (default false)
     */
    public boolean isWiFiMonitorMode() {
        return wifiMonitorMode;
    }

    /**
     * IPWorks' LocalHost: what {@link #activate()} monitors (an IP address, an adapter name, or
     * {@code host:port} of a collector).
     *
     * @param hostOrAdapter the address, adapter or endpoint; null clears it
     */
    public void setLocalHost(String hostOrAdapter) {
        this.localHost = hostOrAdapter;
    }

    /**
     * IPWorks' LocalHost.
     *
     * @return what {@link #activate()} monitors, or null
     */
    public String getLocalHost() {
        return localHost;
    }

    /**
     * Callback's tag: application data kept with the component.
     *
     * @param value anything
     */
    public void setTag(long value) {
        this.tag = value;
    }

    /**
     * Callback's tag.
     *
     * @return the value set with {@link #setTag} (default 0)
     */
    public long getTag() {
        return tag;
    }

    /**
     * The Config method of both components. Settings: {@code ReceiveAllMode} (0, 1 or 3;
     * promiscuous mode is 1), {@code InBufferSize} (bytes of libpcap's buffer), {@code BuildInfo}
     * (read only), {@code ListInterface} (read only: the adapters, one per line),
     * {@code SelectedInterface} (the adapter {@link #activate()} monitors, as LocalHost). Windows
     * and licensing settings ({@code UseWinPCap}, {@code NetFilterGUID}, {@code AbsoluteTimeout}, {@code FirewallData},
     * {@code OutBufferSize}, {@code CodePage}, {@code LicenseInfo}, {@code MaskSensitive},
     * {@code UseInternalSecurityAPI}) are accepted and do nothing; they read as an empty string.
     *
     * @param setting {@code NAME=VALUE} to set, {@code NAME} to read
     * @return the setting's value (after setting it)
     * @throws IllegalArgumentException for an unknown setting or a value it cannot take
     */
    public String config(String setting) {
        int eq = setting.indexOf('=');
        String name = (eq < 0 ? setting : setting.substring(0, eq)).trim();
        String value = eq < 0 ? null : setting.substring(eq + 1).trim();
        switch (name.toLowerCase(Locale.ROOT)) {
            case "receiveallmode":
                if (value != null) {
                    switch (value) {
                        case "0", "3" -> setPromiscuousMode(false);
                        case "1" -> setPromiscuousMode(true);
                        case "2" -> throw new IllegalArgumentException(
                                "ReceiveAllMode 2 (socket-level traffic only) has no libpcap counterpart");
                        default -> throw new IllegalArgumentException("ReceiveAllMode " + value + ": 0, 1 or 3");
                    }
                }
                return promiscuous ? "1" : "0";
            case "inbuffersize":
                if (value != null) {
                    long bytes;
                    try {
                        bytes = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("InBufferSize " + value + ": a number of bytes");
                    }
                    setBufferSize((int) Math.min(Integer.MAX_VALUE, (bytes + 1023) / 1024));
                }
                return Long.toString(bufferSizeKb * 1024L);
            case "buildinfo":
                if (value != null) {
                    throw new IllegalArgumentException("BuildInfo is read only");
                }
                String v = IpMonitor.class.getPackage().getImplementationVersion();
                return "mirrorgate client SDK " + (v == null ? "(development build)" : v);
            case "listinterface":
                if (value != null) {
                    throw new IllegalArgumentException("ListInterface is read only");
                }
                try {
                    return String.join("\n", listAdapters().stream().map(Adapter::name).toList());
                } catch (IOException e) {
                    throw new IllegalArgumentException("ListInterface: " + e.getMessage(), e);
                }
            case "selectedinterface":
                if (value != null) {
                    setLocalHost(value);
                }
                return localHost == null ? "" : localHost;
            case "usewinpcap", "netfilterguid", "absolutetimeout", "firewalldata", "outbuffersize", "codepage",
                 "licenseinfo", "masksensitive", "useinternalsecurityapi":
                return "";
            default:
                throw new IllegalArgumentException("unknown config setting '" + name + "'");
        }
    }

    /**
     * Reset: deactivates, discards what is queued (counted as dropped) and sets every property back
     * to its default; listeners stay.
     */
    public void reset() {
        deactivate();
        synchronized (lock) {
            dropped.addAndGet(queue.size());
            queue.clear();
            queuedBytes = 0;
            errors.clear();
        }
        setFilter(null);
        direction = CaptureDirection.BOTH;
        mode = OperationMode.CAPTURE;
        statisticsInterval = Duration.ofSeconds(1);
        zone = ZoneId.systemDefault();
        acceptData = true;
        dispatch = EventDispatch.THREAD;
        promiscuous = DEFAULT_PROMISCUOUS;
        maxPacketBytes = DEFAULT_MAX_PACKET_BYTES;
        bufferSizeKb = DEFAULT_BUFFER_KB;
        packetTimeoutMs = DEFAULT_PACKET_TIMEOUT_MS;
        wifiMonitorMode = false;
        localHost = null;
        tag = 0;
    }

    private void requireInactive(String what) {
        if (source != null) {
            throw new IllegalStateException(what + " can be changed only while the component is not active");
        }
    }

    // ---------------------------------------------------------------- activation

    /**
     * IPWorks' Activate: monitors {@link #getLocalHost()}.
     *
     * @throws IpMonitorException as {@link #activate(String)}
     */
    public void activate() throws IpMonitorException {
        if (localHost == null) {
            throw new IpMonitorException(ERROR_INVALID_LOCAL_HOST, "LocalHost is not set: set it, or call activate(adapter)",
                    null);
        }
        activate(localHost);
    }

    /**
     * IPWorks' {@code Active = true}, or Deactivate for false.
     *
     * @param active whether to monitor {@link #getLocalHost()}
     * @throws IpMonitorException as {@link #activate(String)}
     */
    public void setActive(boolean active) throws IpMonitorException {
        if (active) {
            activate();
        } else {
            deactivate();
        }
    }

    /**
     * Activate: a local IP address (the adapter that holds it, as IPWorks' LocalHost), an adapter
     * name (live capture with libpcap, as Callback's Activate), or a collector's client port as
     * {@code host:port} ({@code [v6]:port} for an IPv6 address). Statistics start again at 0. On
     * failure, {@link Listener#onError} fires with the same code and text, and the component stays
     * inactive.
     *
     * @param target an address, an adapter name, or a collector endpoint
     * @throws IpMonitorException with {@link #ERROR_INVALID_LOCAL_HOST} (no such adapter or local
     *         address), {@link #ERROR_ACCESS_DENIED}, {@link #ERROR_LIBPCAP_UNAVAILABLE}, or a
     *         connection error code (refused, timed out, no route, host not found)
     */
    public void activate(String target) throws IpMonitorException {
        deactivate();
        received.set(0);
        dropped.set(0);
        lastStat = null;
        intervalPackets.set(0);
        intervalBytes.set(0);
        try {
            InetSocketAddress endpoint = endpoint(target);
            if (endpoint != null && filter != null && Libpcap.unavailableReason() != null) {
                throw new IpMonitorException(ERROR_LIBPCAP_UNAVAILABLE, "the filter needs libpcap: "
                        + Libpcap.unavailableReason(), null);
            }
            if (endpoint != null) {
                source = connect(endpoint);
            } else {
                source = capture(adapterOf(target), target);
            }
        } catch (IpMonitorException e) {
            report(e.code(), e.getMessage());
            throw e;
        }
        synchronized (lock) {
            nextTick = System.nanoTime() + statisticsInterval.toNanos();
            lock.notifyAll();
        }
        startDispatcher();
    }

    /** {@code host:port} or {@code [v6]:port}; null for an address or an adapter name. */
    static InetSocketAddress endpoint(String target) {
        String host;
        String port;
        if (target.startsWith("[")) {
            int close = target.indexOf("]:");
            if (close < 0) {
                return null;
            }
            host = target.substring(1, close);
            port = target.substring(close + 2);
        } else {
            int colon = target.indexOf(':');
            if (colon <= 0 || colon != target.lastIndexOf(':')) {
                return null; // no colon, or an IPv6 address
            }
            host = target.substring(0, colon);
            port = target.substring(colon + 1);
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65_535) {
            return null;
        }
        return InetSocketAddress.createUnresolved(host, Integer.parseInt(port));
    }

    /** The adapter for an IP address (the one that holds it) or the name itself. */
    private String adapterOf(String target) throws IpMonitorException {
        String why = Libpcap.unavailableReason();
        if (why != null) {
            throw new IpMonitorException(ERROR_LIBPCAP_UNAVAILABLE, "cannot capture on " + target + ": " + why, null);
        }
        byte[] literal = literal(target);
        List<Adapter> adapters;
        try {
            adapters = listAdapters();
        } catch (IOException e) {
            throw new IpMonitorException(ERROR_INVALID_LOCAL_HOST, "cannot list adapters: " + e.getMessage(), e);
        }
        if (literal != null) {
            String text = AddressText.of(literal);
            for (Adapter a : adapters) {
                if (a.addresses().contains(text)) {
                    return a.name();
                }
            }
            throw new IpMonitorException(ERROR_INVALID_LOCAL_HOST, target + " is not an address of this host "
                    + "(listIPAddresses() lists them)", null);
        }
        for (Adapter a : adapters) {
            if (a.name().equals(target)) {
                return target;
            }
        }
        throw new IpMonitorException(ERROR_INVALID_LOCAL_HOST, "no adapter, local address or host:port '" + target
                + "' (listAdapters() lists the adapters)", null);
    }

    /** The bytes of an IPv4 or IPv6 literal (never a name lookup), or null. */
    private static byte[] literal(String s) {
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress(); // a literal: no lookup
        } catch (IOException e) {
            return null;
        }
    }

    private Source connect(InetSocketAddress target) throws IpMonitorException {
        String where = target.getHostString() + ":" + target.getPort();
        CompletableFuture<Throwable> first = new CompletableFuture<>();
        ConnectionListener events = new ConnectionListener() {
            @Override
            public void connected(InetSocketAddress peer) {
                first.complete(null);
            }

            @Override
            public void connectFailed(InetSocketAddress peer, Throwable cause, Duration retryIn) {
                first.complete(cause); // later failures follow a loss that was reported
            }

            @Override
            public void disconnected(InetSocketAddress peer, Duration retryIn) {
                report(ERROR_CONNECTION_LOST, where + ": connection to the collector lost; reconnecting every "
                        + retryIn.toSeconds() + " s");
            }
        };
        EndpointSource s = new EndpointSource();
        s.client = MirrorClient.builder(target.getHostString(), target.getPort()).timezone(zone)
                .packetHandler(v -> {
                    if (!s.stopping && admit(v, true)) {
                        accept(v, null);
                    }
                }).connectionListener(events).build();
        s.client.start();
        Throwable failure;
        try {
            failure = first.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            failure = new io.netty.channel.ConnectTimeoutException("no answer in " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = e;
        }
        if (failure != null) {
            s.stop();
            throw new IpMonitorException(socketErrorCode(failure), where + ": " + describe(failure), failure);
        }
        return s;
    }

    private static int socketErrorCode(Throwable t) {
        if (t instanceof java.net.NoRouteToHostException) {
            return ERROR_NO_ROUTE;
        }
        if (t instanceof java.net.ConnectException) {
            return ERROR_CONNECTION_REFUSED;
        }
        if (t instanceof io.netty.channel.ConnectTimeoutException || t instanceof java.net.SocketTimeoutException) {
            return ERROR_TIMED_OUT;
        }
        if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
            return ERROR_HOST_NOT_FOUND;
        }
        return ERROR_CONNECTION_REFUSED;
    }

    private static String describe(Throwable t) {
        if (t instanceof java.nio.channels.UnresolvedAddressException) {
            return "host not found";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private final class EndpointSource extends Source {
        MirrorClient client;

        @Override
        void stop() {
            stopping = true;
            client.close();
        }
    }

    private Source capture(String adapter, String asked) throws IpMonitorException {
        PcapHandle h;
        try {
            PcapHandle.Builder b = new PcapHandle.Builder(adapter).snaplen(maxPacketBytes).timeoutMillis(packetTimeoutMs)
                    .promiscuousMode(promiscuous ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                            : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO);
            if (bufferSizeKb > 0) {
                b.bufferSize(bufferSizeKb * 1024);
            }
            if (wifiMonitorMode) {
                b.rfmon(true);
            }
            h = b.build();
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            int code = m.contains("ermission") || m.contains("not permitted") ? ERROR_ACCESS_DENIED : ERROR_INVALID_LOCAL_HOST;
            throw new IpMonitorException(code, "cannot capture on " + adapter + ": " + m, e);
        }
        LiveSource s = new LiveSource(h, adapter.equals(asked) ? adapter : adapter + " (" + asked + ")");
        try {
            s.apply();
        } catch (IpMonitorException e) {
            h.close();
            throw e;
        }
        s.thread.start();
        return s;
    }

    /**
     * A live capture: libpcap calls are made on the capture thread only, except pcap_breakloop,
     * which is how a filter or direction change reaches it (the thread applies it and loops on).
     */
    private final class LiveSource extends Source {
        final PcapHandle handle;
        final String name;
        final Thread thread;
        volatile boolean changed;
        /** Settings changes asked for and applied (guarded by this). */
        private long requested;
        private long applied;

        LiveSource(PcapHandle h, String name) {
            this.handle = h;
            this.name = name;
            this.thread = new Thread(this::run, "ipmonitor-capture");
            this.thread.setDaemon(true);
        }

        /**
         * Asks the capture thread to apply the new settings, and waits (up to 5 s) until it has:
         * packets captured after the setter returns meet the new filter and direction.
         */
        void settingsChanged() {
            long want;
            synchronized (this) {
                want = ++requested;
            }
            changed = true;
            try {
                handle.breakLoop();
            } catch (Exception e) {
                return; // closed: nothing to change
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            synchronized (this) {
                while (applied < want && !stopping && Thread.currentThread() != thread) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    try {
                        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        /** Sets the kernel filter and the direction from the component's settings. */
        void apply() throws IpMonitorException {
            long gen;
            synchronized (this) {
                gen = requested;
            }
            changed = false;
            try {
                applyNow();
            } finally {
                synchronized (this) {
                    applied = Math.max(applied, gen);
                    notifyAll();
                }
            }
        }

        private void applyNow() throws IpMonitorException {
            try {
                String f = filter;
                handle.setFilter(f == null ? "" : f, BpfProgram.BpfCompileMode.OPTIMIZE);
                handle.setDirection(direction.pcap());
            } catch (Exception e) {
                throw new IpMonitorException(ERROR_CANNOT_READ_PACKET, "cannot set the filter or direction on " + name
                        + ": " + e.getMessage(), e);
            }
        }

        private void run() {
            int linkType = handle.getDlt().value();
            int medium = Medium.ofLinkType(linkType);
            PacketView view = new PacketView();
            org.pcap4j.core.RawPacketListener onFrame = data -> {
                java.sql.Timestamp ts = handle.getTimestamp();
                Integer orig = handle.getOriginalLength();
                view.startRecord(Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000, data.length,
                        orig == null ? data.length : orig, medium);
                view.setSource(name);
                IpDecoder.decode(Unpooled.wrappedBuffer(data), 0, data.length, linkType, view);
                accept(view, null); // libpcap applied the filter and the direction
            };
            while (!stopping) {
                try {
                    handle.loop(-1, onFrame);
                    return;
                } catch (InterruptedException e) {
                    if (stopping) {
                        return;
                    }
                    if (changed) {
                        try {
                            apply();
                        } catch (IpMonitorException x) {
                            report(x.code(), x.getMessage());
                        }
                    }
                } catch (Exception e) {
                    if (!stopping) {
                        report(ERROR_CANNOT_READ_PACKET, "capture on " + name + " stopped: " + e.getMessage());
                        synchronized (IpMonitor.this) {
                            if (source == this) {
                                source = null;
                            }
                        }
                        stopping = true;
                        keepStats(handle);
                        handle.close();
                    }
                    return;
                }
            }
        }

        @Override
        void stop() {
            if (stopping) {
                return;
            }
            stopping = true;
            synchronized (this) {
                notifyAll(); // a setter waiting for the change to apply
            }
            try {
                handle.breakLoop();
            } catch (Exception e) {
                // not looping
            }
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            keepStats(handle);
            handle.close();
        }
    }

    private void keepStats(PcapHandle h) {
        try {
            lastStat = h.getStats();
        } catch (Exception e) {
            // closed: keep the last
        }
    }

    /** Deactivate: stops capturing or disconnects. Queued events are still delivered. */
    public void deactivate() {
        Source s = source;
        source = null;
        if (s != null) {
            s.stop();
        }
    }

    /**
     * Active: true from a successful {@link #activate} until {@link #deactivate}, or until a live
     * capture stops by itself (reported through {@link Listener#onError}). A collector endpoint
     * stays active while it reconnects after a loss (reported with {@link #ERROR_CONNECTION_LOST}).
     *
     * @return whether the component is active
     */
    public boolean isActive() {
        return source != null;
    }

    // ---------------------------------------------------------------- the one delivery path

    /** Filter and direction, for sources that libpcap does not filter (collector endpoints, files). */
    private boolean admit(PacketView v, boolean userFilter) {
        if (!direction.takes(v.direction())) {
            return false;
        }
        if (userFilter && filter != null) {
            synchronized (filterLock) {
                if (program == null) {
                    String f = filter;
                    if (f == null) {
                        return true;
                    }
                    program = new BpfFilter(f); // libpcap came after setFilter; throws as setFilter would
                }
                return program.matches(v);
            }
        }
        return true;
    }

    /**
     * A packet that passed the filter and the direction: counted, then counted for statistics,
     * fired ({@code fileStats} non-null: a file, on the caller's thread) or queued.
     */
    private void accept(PacketView v, long[] fileStats) {
        received.incrementAndGet();
        if (mode == OperationMode.STATISTICS) {
            if (fileStats != null) {
                fileStats[0]++;
                fileStats[1] += v.capturedLength();
            } else {
                intervalPackets.incrementAndGet();
                intervalBytes.addAndGet(v.capturedLength());
                if (dispatch == EventDispatch.DO_EVENTS) {
                    synchronized (lock) {
                        lock.notifyAll();
                    }
                }
            }
            return;
        }
        IpPacket p = IpPacket.of(v);
        if (fileStats != null && acceptData) {
            firePacket(p);
            return;
        }
        synchronized (lock) {
            if (queue.size() >= MAX_QUEUED_PACKETS || queuedBytes + p.capturedLength() > MAX_QUEUED_BYTES) {
                dropped.incrementAndGet();
                return;
            }
            queue.add(p);
            queuedBytes += p.capturedLength();
            lock.notifyAll();
        }
    }

    /** Queues an error event (at most {@link #MAX_QUEUED_ERRORS}; more are counted). */
    private void report(int code, String description) {
        synchronized (lock) {
            if (errors.size() >= MAX_QUEUED_ERRORS) {
                errorsDropped.incrementAndGet();
                return;
            }
            errors.add(new Error(code, description));
            lock.notifyAll();
        }
        if (dispatch == EventDispatch.THREAD) {
            startDispatcher();
        }
    }

    private void firePacket(IpPacket p) {
        synchronized (fireLock) {
            for (Listener l : listeners) {
                try {
                    l.onPacket(p);
                    if (p.hasIpHeader()) {
                        l.onIPPacket(p);
                    }
                } catch (RuntimeException | AssertionError | LinkageError e) {
                    listenerFailed(p.hasIpHeader() ? "onIPPacket" : "onPacket", e);
                }
            }
        }
    }

    private void fireError(Error e) {
        synchronized (fireLock) {
            for (Listener l : listeners) {
                try {
                    l.onError(e.code(), e.description());
                } catch (RuntimeException | AssertionError | LinkageError x) {
                    listenerErrors.incrementAndGet(); // an onError that throws is counted, not reported again
                }
            }
        }
    }

    private void fireStatistics(long packets, long bytes) {
        Instant now = Instant.now();
        synchronized (fireLock) {
            for (Listener l : listeners) {
                try {
                    l.onStatistics(now, packets, bytes);
                } catch (RuntimeException | AssertionError | LinkageError e) {
                    listenerFailed("onStatistics", e);
                }
            }
        }
    }

    /** A listener threw: every listener hears of it once, through onError; delivery goes on. */
    private void listenerFailed(String event, Throwable e) {
        listenerErrors.incrementAndGet();
        fireError(new Error(ERROR_EVENT_HANDLER, "a listener threw in " + event + ": " + e));
    }

    private void fireStatisticsInterval() {
        fireStatistics(intervalPackets.getAndSet(0), intervalBytes.getAndSet(0));
    }

    private synchronized void startDispatcher() {
        if (dispatch != EventDispatch.THREAD || closed || dispatcher != null) {
            return;
        }
        dispatcher = new Thread(this::dispatch, "ipmonitor-events");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    /** The {@code ipmonitor-events} thread: errors first, then packets while accepted, and statistics ticks. */
    private void dispatch() {
        while (!closed) {
            Object event = null;
            synchronized (lock) {
                while (!closed && event == null) {
                    event = next();
                    if (event == null) {
                        boolean ticking = mode == OperationMode.STATISTICS && source != null;
                        long now = System.nanoTime();
                        if (ticking && now - nextTick >= 0) {
                            nextTick = now + statisticsInterval.toNanos();
                            event = OperationMode.STATISTICS;
                        } else {
                            lock.notifyAll(); // doEvents() in THREAD mode waits for an empty queue
                            long waitMs = ticking ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTick - now)) : 1000;
                            try {
                                lock.wait(waitMs);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                }
            }
            if (event != null) {
                fire(event);
            }
        }
    }

    /** Under {@link #lock}: the next error, or the next packet while accepted, or null. */
    private Object next() {
        Error e = errors.poll();
        if (e != null) {
            return e;
        }
        if (acceptData) {
            IpPacket p = queue.poll();
            if (p != null) {
                queuedBytes -= p.capturedLength();
                return p;
            }
        }
        return null;
    }

    private void fire(Object event) {
        if (event instanceof IpPacket p) {
            firePacket(p);
        } else if (event instanceof Error e) {
            fireError(e);
        } else {
            fireStatisticsInterval();
        }
    }

    /**
     * DoEvents (both components). With {@link EventDispatch#DO_EVENTS}: fires, on this thread,
     * every error and (unless paused) every packet queued so far, or in statistics mode one
     * {@link Listener#onStatistics} with what was counted since the last call; when nothing is
     * there yet, it waits up to the packet timeout ({@link #setPacketTimeout}) first. With
     * {@link EventDispatch#THREAD}: waits up to the packet timeout for the events thread to
     * deliver what is queued.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public void doEvents() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(packetTimeoutMs);
        if (dispatch == EventDispatch.THREAD) {
            synchronized (lock) {
                while (!(errors.isEmpty() && (queue.isEmpty() || !acceptData))) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
            synchronized (fireLock) {
                return; // the event taken last has been fired
            }
        }
        List<Object> batch = new ArrayList<>();
        boolean statistics = mode == OperationMode.STATISTICS;
        synchronized (lock) {
            while (errors.isEmpty() && (statistics ? intervalPackets.get() == 0 : queue.isEmpty() || !acceptData)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            for (Object e = next(); e != null; e = next()) {
                batch.add(e);
            }
        }
        for (Object e : batch) {
            fire(e);
        }
        if (statistics) {
            fireStatisticsInterval();
        }
    }

    // ---------------------------------------------------------------- pause and resume

    /**
     * PauseData: packets are kept (up to {@link #MAX_QUEUED_PACKETS} and {@link #MAX_QUEUED_BYTES},
     * then dropped and counted) instead of delivered, until {@link #processData()}.
     */
    public void pauseData() {
        acceptData = false;
    }

    /**
     * AcceptData: false while paused.
     *
     * @return whether packets are delivered as they come
     */
    public boolean isAcceptData() {
        return acceptData;
    }

    /**
     * AcceptData: false is {@link #pauseData()}, true is {@link #processData()}.
     *
     * @param accept true to deliver, false to keep packets (bounded) until delivery resumes
     */
    public void setAcceptData(boolean accept) {
        if (accept) {
            processData();
        } else {
            pauseData();
        }
    }

    /**
     * ProcessData: re-enables reception after {@link #pauseData()}. The packets kept meanwhile are
     * delivered first, in order, then new ones as they come (on the events thread, or in the next
     * {@link #doEvents()}).
     */
    public void processData() {
        synchronized (lock) {
            acceptData = true;
            lock.notifyAll();
        }
        startDispatcher();
    }

    // ---------------------------------------------------------------- files and statistics

    /**
     * ParsePcapFile: fires the events of every record of a pcap, pcapng, NCF or NCFX file on this
     * thread, as if the traffic were received directly: the filter, the direction, pause
     * (packets are kept for {@link #processData()}), the operation mode (one
     * {@link Listener#onStatistics} for the file, at its end) and {@link #getStatistics()} apply. A
     * damaged file fires {@link Listener#onError} with {@link #ERROR_CANNOT_READ_PACKET} after
     * every record before the damage.
     *
     * @param file a capture file: NCF, NCFX, pcap or pcapng
     * @return the number of records read, before the filter
     * @throws IOException when the file cannot be opened
     */
    public long parsePcapFile(Path file) throws IOException {
        if (filter != null && Libpcap.unavailableReason() != null) {
            throw new IpMonitorException(ERROR_LIBPCAP_UNAVAILABLE, "the filter needs libpcap: "
                    + Libpcap.unavailableReason(), null);
        }
        long n = 0;
        long[] stats = new long[2];
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(file, zone)) {
            while (r.next(v)) {
                n++;
                if (admit(v, true)) {
                    accept(v, stats);
                }
            }
        } catch (StreamFormatException e) {
            fireError(new Error(ERROR_CANNOT_READ_PACKET, file + ": " + e.getMessage()));
        }
        if (mode == OperationMode.STATISTICS) {
            fireStatistics(stats[0], stats[1]);
        } else if (dispatch == EventDispatch.THREAD) {
            startDispatcher(); // for what was kept while paused
        }
        return n;
    }

    /**
     * GetStatistics (Callback): received, dropped by the component, dropped by the adapter; see
     * {@link Statistics}.
     *
     * @return the counters since {@link #activate}
     */
    public Statistics getStatistics() {
        Source s = source;
        if (s instanceof LiveSource live && !live.stopping) {
            try {
                lastStat = live.handle.getStats();
            } catch (Exception e) {
                // closing: keep the last
            }
        }
        PcapStat st = lastStat;
        long libpcapDropped = st == null ? 0 : st.getNumPacketsDropped();
        long adapter = st == null ? 0 : st.getNumPacketsDroppedByIf();
        return new Statistics(received.get(), dropped.get() + libpcapDropped, adapter);
    }

    /**
     * How many times a listener threw (each reported through {@link Listener#onError} once, except
     * when {@code onError} itself threw).
     *
     * @return the count since this component was made
     */
    public long listenerErrors() {
        return listenerErrors.get();
    }

    /**
     * Errors that found the error queue full ({@link #MAX_QUEUED_ERRORS}) and were not reported.
     *
     * @return the count since this component was made
     */
    public long errorsDropped() {
        return errorsDropped.get();
    }

    private static void requireLibpcap() throws IOException {
        String why = Libpcap.unavailableReason();
        if (why != null) {
            throw new IOException(why);
        }
    }

    /** Deactivates and stops the events thread; queued events not yet fired are discarded. */
    @Override
    public void close() {
        deactivate();
        Thread d;
        synchronized (this) {
            closed = true;
            d = dispatcher;
        }
        synchronized (lock) {
            lock.notifyAll();
        }
        if (d != null && d != Thread.currentThread()) {
            try {
                d.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (filterLock) {
            if (program != null) {
                program.close();
                program = null;
            }
        }
    }
}
