package io.mirrorgate.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.server.Collector;
import io.mirrorgate.server.ServeConfig;
import io.mirrorgate.server.TestAgents;
import io.mirrorgate.server.VethForTests;
import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.CaptureDirection;
import io.mirrorgate.protocol.RecordDirection;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.PacketView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * The IpMonitor facade behaves as IPWorks and Callback IPMonitor document it, against real sources:
 * a running collector, capture files, loopback and a veth pair. Programs written the IPWorks way
 * (pauseData, processData, a listener that throws) and the Callback way (statistics mode, a
 * doEvents loop).
 */
class IpMonitorIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    /** Collects every event, with the thread that fired it. */
    static final class Events implements IpMonitor.Listener {
        final List<IpPacket> frames = Collections.synchronizedList(new ArrayList<>());
        final List<IpPacket> packets = Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> errorCodes = Collections.synchronizedList(new ArrayList<>());
        final List<String> addresses = Collections.synchronizedList(new ArrayList<>());
        final List<Instant> statTimes = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong statPackets = new AtomicLong();
        final AtomicLong statBytes = new AtomicLong();

        @Override
        public void onPacket(IpPacket p) {
            frames.add(p);
        }

        @Override
        public void onIPPacket(IpPacket p) {
            packets.add(p);
            threads.add(Thread.currentThread());
        }

        @Override
        public void onError(int code, String description) {
            errorCodes.add(code);
            errors.add(code + " " + description);
        }

        @Override
        public void onIPAddress(String a) {
            addresses.add(a);
        }

        @Override
        public void onStatistics(Instant at, long p, long b) {
            statTimes.add(at);
            statPackets.addAndGet(p);
            statBytes.addAndGet(b);
            threads.add(Thread.currentThread());
        }
    }

    // ------------------------------------------------------------ hostile records

    /** One NCF record: the frame and the direction it is sent with. */
    record Rec(byte[] frame, int direction) {
        byte[] ncf(int k) {
            ByteBuf r = Unpooled.buffer(NcfHeader.LENGTH + frame.length);
            NcfHeader.write(r, frame.length, 1_700_000_000_000_000L + k * 1000L, ZoneOffset.UTC, Medium.ETHERNET, direction);
            r.writeBytes(frame);
            return ByteBufUtil.getBytes(r);
        }
    }

    private static ByteBuf ether(int etherType) {
        ByteBuf f = Unpooled.buffer();
        f.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).writeShort(etherType);
        return f;
    }

    /** IPv4 UDP, {@code data} bytes of payload, padded to {@code padTo} with nonzero trailer bytes. */
    static byte[] udp4(int k, int data, int padTo) {
        ByteBuf f = ether(0x0800);
        int ipLen = 20 + 8 + data;
        f.writeByte(0x45).writeByte(0).writeShort(ipLen).writeShort(k).writeShort(0).writeByte(64).writeByte(17)
                .writeShort(0).writeBytes(new byte[] {10, 0, 0, 1}).writeBytes(new byte[] {10, 0, 0, 2});
        f.writeShort(5000 + k).writeShort(53).writeShort(8 + data).writeShort(0);
        for (int i = 0; i < data; i++) {
            f.writeByte(k + i);
        }
        while (f.readableBytes() < padTo) {
            f.writeByte(0xEE); // Ethernet padding that is not zero
        }
        return ByteBufUtil.getBytes(f);
    }

    static byte[] tcp4(int k) {
        ByteBuf f = ether(0x0800);
        f.writeByte(0x45).writeByte(0).writeShort(40 + 10).writeShort(k).writeShort(0x4000).writeByte(64).writeByte(6)
                .writeShort(0).writeBytes(new byte[] {10, 0, 0, 2}).writeBytes(new byte[] {10, 0, 0, 1});
        f.writeShort(443).writeShort(40000).writeInt(k).writeInt(0).writeShort(0x5018).writeShort(512).writeInt(0);
        f.writeBytes(new byte[10]);
        return ByteBufUtil.getBytes(f);
    }

    static byte[] udp6(int k) {
        ByteBuf f = ether(0x86DD);
        f.writeInt(0x60000000).writeShort(8 + 4).writeByte(17).writeByte(64);
        f.writeBytes(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        f.writeBytes(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
        f.writeShort(6000 + k).writeShort(53).writeShort(12).writeShort(0).writeInt(k);
        return ByteBufUtil.getBytes(f);
    }

    static byte[] arp(int k) {
        ByteBuf f = ether(0x0806);
        f.writeShort(1).writeShort(0x0800).writeByte(6).writeByte(4).writeShort(1);
        f.writeBytes(new byte[] {2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, (byte) k});
        while (f.readableBytes() < 60) {
            f.writeByte(0);
        }
        return ByteBufUtil.getBytes(f);
    }

    /** An IPv4 header that says IHL 3: malformed. */
    static byte[] badIhl(int k) {
        ByteBuf f = ether(0x0800);
        f.writeByte(0x43).writeByte(0).writeShort(40).writeShort(k).writeShort(0).writeByte(64).writeByte(17);
        f.writeBytes(new byte[30]);
        return ByteBufUtil.getBytes(f);
    }

    /** Every kind, every direction: inbound, outbound, pass-through, IP and not, padded, malformed. */
    static List<Rec> mixed(int rounds) {
        List<Rec> out = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            out.add(new Rec(udp4(k, 4, 60), RecordDirection.INBOUND));
            out.add(new Rec(tcp4(k), RecordDirection.OUTBOUND));
            out.add(new Rec(arp(k), RecordDirection.PASS_THROUGH));
            out.add(new Rec(udp6(k), RecordDirection.OUTBOUND));
            out.add(new Rec(udp4(k, 300, 0), RecordDirection.PASS_THROUGH));
            out.add(new Rec(badIhl(k), RecordDirection.INBOUND));
        }
        return out;
    }

    static byte[] stream(List<Rec> recs) {
        List<byte[]> parts = new ArrayList<>();
        for (int k = 0; k < recs.size(); k++) {
            parts.add(recs.get(k).ncf(k));
        }
        return TestAgents.concat(parts);
    }

    /** What the decoder makes of the records (the reference the monitor's events are held to). */
    static List<IpPacket> decoded(Path ncf) throws IOException {
        List<IpPacket> out = new ArrayList<>();
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(ncf, ZoneOffset.UTC)) {
            while (r.next(v)) {
                out.add(IpPacket.of(v));
            }
        }
        return out;
    }

    /** The decoded records that libpcap's own filter matches. */
    static List<IpPacket> matching(Path ncf, String filter) throws IOException {
        List<IpPacket> out = new ArrayList<>();
        PacketView v = new PacketView();
        try (BpfFilter f = new BpfFilter(filter); CaptureReader r = CaptureFiles.open(ncf, ZoneOffset.UTC)) {
            while (r.next(v)) {
                if (f.matches(v)) {
                    out.add(IpPacket.of(v));
                }
            }
        }
        return out;
    }

    private Path file(List<Rec> recs) throws IOException {
        Path p = Files.createTempFile(tmp, "mixed", ".ncf");
        Files.write(p, stream(recs));
        return p;
    }

    private static List<IpPacket> ip(List<IpPacket> all) {
        return all.stream().filter(IpPacket::hasIpHeader).toList();
    }

    private static List<IpPacket> where(List<IpPacket> all, Predicate<IpPacket> p) {
        return all.stream().filter(p).toList();
    }

    private static Collector collector() throws InterruptedException {
        return TestAgents.collector();
    }

    private static IpMonitor subscribed(Collector c, Events e) throws Exception {
        IpMonitor m = new IpMonitor();
        m.addListener(e);
        m.setTimezone(ZoneOffset.UTC);
        m.activate("127.0.0.1:" + c.clientAddress().getPort());
        await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
        return m;
    }

    private static void agent(Collector c, byte[] stream, long seed) throws IOException {
        TestAgents.send(c.mirrorAddress(), stream, seed);
    }

    // ------------------------------------------------------------ IPWorks-style programs

    /**
     * Regression: processData() delivered the kept packets but left reception off, so the next
     * packets piled up (then were dropped) until setAcceptData(true). IPWorks: ProcessData
     * re-enables reception.
     */
    @Test
    void processDataAfterPauseDataReenablesReception() throws Exception {
        Path f = file(mixed(20));
        List<IpPacket> want = ip(decoded(f));
        try (Collector c = collector(); IpMonitor m = subscribed(c, new Events())) {
            Events e = new Events();
            m.addListener(e);
            m.pauseData();
            assertFalse(m.isAcceptData());
            agent(c, Files.readAllBytes(f), 1);
            await().atMost(WAIT).until(() -> m.getStatistics().received() == 120);
            assertEquals(0, e.frames.size(), "paused: nothing fired");
            m.processData();
            assertTrue(m.isAcceptData());
            await().atMost(WAIT).until(() -> e.packets.size() == want.size());
            assertEquals(want, e.packets, "what was kept, in order");
            agent(c, Files.readAllBytes(f), 2); // no setAcceptData(true): ProcessData is enough
            await().atMost(WAIT).until(() -> e.packets.size() == 2 * want.size());
            assertEquals(want, e.packets.subList(want.size(), 2 * want.size()));
            assertEquals(new IpMonitor.Statistics(240, 0, 0), m.getStatistics());
        }
    }

    /** What is kept while paused is bounded; the rest is counted as dropped, never lost silently. */
    @Test
    void aLongPauseKeepsAtMostTheBoundAndCountsTheRest() throws Exception {
        int n = IpMonitor.MAX_QUEUED_PACKETS + 4_464;
        byte[] s = TestAgents.concat(TestAgents.records(3, n, 60));
        try (Collector c = collector()) {
            Events e = new Events();
            try (IpMonitor m = subscribed(c, e)) {
                m.pauseData();
                agent(c, s, 3);
                await().atMost(WAIT).until(() -> m.getStatistics().received() == n);
                assertEquals(4_464, m.getStatistics().dropped());
                m.processData();
                await().atMost(WAIT).until(() -> e.packets.size() == IpMonitor.MAX_QUEUED_PACKETS);
                assertEquals(0, e.packets.get(0).id(), "the first ones are kept");
            }
        }
    }

    /**
     * Regression: a listener that threw on a collector endpoint closed the connection: another
     * listener got 20 of 152 packets, the next stream was lost until the reconnect, no onError,
     * isActive() stayed true. Now each throw is one onError(700) and nothing else changes.
     */
    @Test
    void aListenerThatThrowsCostsNoOtherListenerAPacketNorTheConnection() throws Exception {
        Path f = file(mixed(25));
        List<IpPacket> want = ip(decoded(f));
        AtomicInteger thrown = new AtomicInteger();
        IpMonitor.Listener bad = new IpMonitor.Listener() {
            @Override
            public void onIPPacket(IpPacket p) {
                if (p.id() % 3 == 0) {
                    thrown.incrementAndGet();
                    throw new IllegalStateException("bad listener at id " + p.id());
                }
            }
        };
        try (Collector c = collector()) {
            Events good = new Events();
            IpMonitor m = new IpMonitor();
            try (m) {
                m.addListener(bad);
                m.addListener(good);
                m.activate("127.0.0.1:" + c.clientAddress().getPort());
                await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
                agent(c, Files.readAllBytes(f), 4);
                agent(c, Files.readAllBytes(f), 5); // the next stream, at once
                await().atMost(WAIT).until(() -> good.packets.size() == 2 * want.size());
                await().atMost(WAIT).until(() -> good.errors.size() == thrown.get());
                assertTrue(thrown.get() > 10);
                assertTrue(good.errorCodes.stream().allMatch(code -> code == IpMonitor.ERROR_EVENT_HANDLER), good.errors.toString());
                assertTrue(good.errors.get(0).contains("IllegalStateException: bad listener at id"), good.errors.get(0));
                assertEquals(thrown.get(), m.listenerErrors());
                assertTrue(m.isActive());
                assertEquals(1, c.subscriberTotals().connected.get(), "the connection stayed");
            }
            // and on a file: every record still fires, the exception never escapes parsePcapFile
            Events onFile = new Events();
            try (IpMonitor m2 = new IpMonitor()) {
                m2.addListener(bad);
                m2.addListener(onFile);
                thrown.set(0);
                assertEquals(150, m2.parsePcapFile(f));
                assertEquals(want, onFile.packets);
                assertEquals(thrown.get(), onFile.errors.size());
            }
        }
    }

    // ------------------------------------------------------------ one delivery path

    /**
     * Regression: parsePcapFile ignored the filter, the direction, pauseData and statistics mode.
     * IPWorks: it fires events "as if the traffic were received directly".
     */
    @Test
    void parsePcapFileAppliesFilterDirectionPauseAndStatisticsMode() throws Exception {
        Path f = file(mixed(10));
        List<IpPacket> all = decoded(f);
        try (IpMonitor m = new IpMonitor()) {
            m.setTimezone(ZoneOffset.UTC);
            Events e = new Events();
            m.addListener(e);
            m.setFilter("udp");
            assertEquals("udp", m.getFilter());
            assertEquals(60, m.parsePcapFile(f));
            assertEquals(matching(f, "udp"), e.frames);
            assertEquals(matching(f, "udp").size(), m.getStatistics().received());

            e.frames.clear();
            m.setFilter(null);
            m.setDirection(CaptureDirection.OUT);
            assertEquals(CaptureDirection.OUT, m.getDirection());
            m.parsePcapFile(f);
            assertEquals(where(all, p -> p.direction() == RecordDirection.OUTBOUND), e.frames);
            e.frames.clear();
            m.setDirection(CaptureDirection.IN); // libpcap's PCAP_D_IN: all but outbound
            m.parsePcapFile(f);
            assertEquals(where(all, p -> p.direction() != RecordDirection.OUTBOUND), e.frames);

            e.frames.clear();
            m.setDirection(CaptureDirection.BOTH);
            m.pauseData();
            m.parsePcapFile(f);
            assertEquals(0, e.frames.size(), "paused: kept");
            m.processData();
            await().atMost(WAIT).until(() -> e.frames.size() == all.size());
            assertEquals(all, e.frames);

            e.frames.clear();
            m.setOperationMode(IpMonitor.OperationMode.STATISTICS);
            Instant before = Instant.now();
            m.parsePcapFile(f);
            assertEquals(0, e.frames.size());
            assertEquals(all.size(), e.statPackets.get());
            assertEquals(all.stream().mapToLong(IpPacket::capturedLength).sum(), e.statBytes.get());
            assertEquals(1, e.statTimes.size());
            assertTrue(!e.statTimes.get(0).isBefore(before), "a time stamp on the statistics event");
        }
    }

    /**
     * Regression: the direction was ignored for collector endpoints, and a filter or direction
     * set while active was silently ignored. Callback: the filter can be set before or after
     * activation.
     */
    @Test
    void directionAndFilterApplyToCollectorEndpointsAndChangeWhileActive() throws Exception {
        Path f = file(mixed(10));
        List<IpPacket> all = decoded(f);
        try (Collector c = collector()) {
            Events e = new Events();
            IpMonitor m = new IpMonitor();
            m.setDirection(CaptureDirection.OUT);
            try (m) {
                m.addListener(e);
                m.setTimezone(ZoneOffset.UTC);
                m.activate("127.0.0.1:" + c.clientAddress().getPort());
                await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
                agent(c, Files.readAllBytes(f), 6);
                List<IpPacket> out = where(all, p -> p.direction() == RecordDirection.OUTBOUND);
                await().atMost(WAIT).until(() -> e.frames.size() == out.size());
                assertEquals(out, e.frames);
                assertTrue(e.frames.stream().allMatch(p -> p.direction() == RecordDirection.OUTBOUND));

                e.frames.clear();
                m.setDirection(CaptureDirection.BOTH); // while active
                m.setFilter("arp or ip6");
                agent(c, Files.readAllBytes(f), 7);
                List<IpPacket> want = matching(f, "arp or ip6");
                await().atMost(WAIT).until(() -> e.frames.size() == want.size());
                for (int k = 0; k < want.size(); k++) {
                    assertArrayEquals(want.get(k).frame(), e.frames.get(k).frame());
                }
                assertEquals(out.size() + want.size(), m.getStatistics().received());
            }
        }
    }

    // ------------------------------------------------------------ activation

    /**
     * Regression: activate("127.0.0.1") (IPWorks' LocalHost is an address) failed with "No such
     * device"; activate("127.0.0.1:1") with nothing listening returned normally and isActive() was
     * true. Filter changes on a live capture took no effect.
     */
    @Test
    void activateTakesAnAddressAnAdapterOrAnEndpointAndReportsWhatFails() throws Exception {
        try (IpMonitor m = new IpMonitor(); DatagramSocket tx = new DatagramSocket()) {
            Events e = new Events();
            m.addListener(e);
            int portA = 40_000 + (int) (ProcessHandle.current().pid() % 10_000);
            int portB = portA + 1;
            m.setFilter("udp dst port " + portA);
            m.setLocalHost("127.0.0.1");
            m.activate(); // IPWorks: set LocalHost, then Activate
            assertTrue(m.isActive());
            InetAddress lo = InetAddress.getLoopbackAddress();
            tx.send(new DatagramPacket(new byte[] {1}, 1, lo, portA));
            await().atMost(WAIT).until(() -> e.packets.size() >= 1);
            assertEquals("127.0.0.1", e.packets.get(0).destinationAddress());
            assertEquals(portA, e.packets.get(0).destinationPort());
            assertTrue(e.packets.get(0).source().startsWith("lo"), e.packets.get(0).source());
            m.setFilter("udp dst port " + portB); // while active
            assertEquals("udp dst port " + portB, m.getFilter());
            tx.send(new DatagramPacket(new byte[] {2}, 1, lo, portA)); // sent first: must not show
            tx.send(new DatagramPacket(new byte[] {3}, 1, lo, portB));
            await().atMost(WAIT).until(() -> e.packets.stream().anyMatch(p -> p.destinationPort() == portB));
            assertEquals(1, e.packets.stream().filter(p -> p.destinationPort() == portA).count(), e.packets.toString());
            m.deactivate();
            assertFalse(m.isActive());

            m.activate("::1"); // an IPv6 address is an address, not host:port
            assertTrue(m.isActive());
            m.deactivate();

            IpMonitorException refused = assertThrows(IpMonitorException.class, () -> m.activate("127.0.0.1:1"));
            assertEquals(IpMonitor.ERROR_CONNECTION_REFUSED, refused.code());
            assertFalse(m.isActive());
            await().atMost(WAIT).until(() -> e.errorCodes.contains(IpMonitor.ERROR_CONNECTION_REFUSED));
            assertTrue(e.errors.stream().anyMatch(s -> s.contains("127.0.0.1:1")), e.errors.toString());

            IpMonitorException notLocal = assertThrows(IpMonitorException.class, () -> m.activate("192.0.2.77"));
            assertEquals(IpMonitor.ERROR_INVALID_LOCAL_HOST, notLocal.code());
            IpMonitorException noAdapter = assertThrows(IpMonitorException.class, () -> m.activate("no-such-adapter0"));
            assertEquals(IpMonitor.ERROR_INVALID_LOCAL_HOST, noAdapter.code());
            IpMonitorException noHost = assertThrows(IpMonitorException.class, () -> m.activate("no-such-host.invalid:5556"));
            assertEquals(IpMonitor.ERROR_HOST_NOT_FOUND, noHost.code());
            assertFalse(m.isActive());
        }
    }

    @Test
    void listAdaptersAndAddresses() throws IOException {
        try (IpMonitor m = new IpMonitor()) {
            Events e = new Events();
            m.addListener(e);
            List<IpMonitor.Adapter> adapters = m.listAdapters();
            IpMonitor.Adapter lo = adapters.stream().filter(a -> a.name().equals("lo")).findFirst().orElseThrow();
            assertTrue(lo.loopback() && lo.up());
            assertTrue(lo.addresses().contains("127.0.0.1"), lo.toString());
            List<String> ips = m.listIPAddresses();
            assertTrue(ips.contains("127.0.0.1") && ips.contains("::1"), ips.toString());
            assertEquals(ips, e.addresses);
        }
    }

    // ------------------------------------------------------------ the packet's bytes

    /**
     * Regression: the event held only the IP payload (IPWorks' IPPacketB and Callback's data are
     * the packet itself), and non-IP frames reached onIPPacket with null addresses.
     */
    @Test
    void eventsCarryTheFrameAndTheIpPacketAndOnlyIpPacketsReachOnIPPacket() throws Exception {
        List<Rec> recs = mixed(3);
        Path f = file(recs);
        try (IpMonitor m = new IpMonitor()) {
            Events e = new Events();
            m.addListener(e);
            m.parsePcapFile(f);
            assertEquals(recs.size(), e.frames.size(), "onPacket: every frame");
            for (int k = 0; k < recs.size(); k++) {
                assertArrayEquals(recs.get(k).frame(), e.frames.get(k).frame(), "frame " + k);
            }
            assertTrue(e.packets.stream().allMatch(p -> p.sourceAddress() != null), "onIPPacket: IP only");
            assertEquals(e.frames.stream().filter(IpPacket::hasIpHeader).count(), e.packets.size());
            assertTrue(e.frames.stream().anyMatch(p -> p.etherType() == 0x0806 && !p.hasIpHeader()));
            IpPacket padded = e.packets.get(0); // 4 bytes of UDP data in a 60-byte frame
            byte[] frame = padded.frame();
            assertEquals(60, frame.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(frame, 14, 14 + 32), padded.ipPacket(), "the IP packet, no padding");
            IpPacket v6 = e.packets.stream().filter(p -> p.ipVersion() == 6).findFirst().orElseThrow();
            assertEquals(40 + 12, v6.ipPacket().length);
        }
    }

    // ------------------------------------------------------------ Callback-style programs

    /**
     * A program written the Callback way: statistics mode, events fired only by its own doEvents()
     * loop, on its own thread, each with a time stamp.
     */
    @Test
    void aCallbackProgramLoopsOnDoEventsInStatisticsMode() throws Exception {
        Path f = file(mixed(10));
        long bytes = decoded(f).stream().mapToLong(IpPacket::capturedLength).sum();
        try (Collector c = collector(); IpMonitor m = new IpMonitor()) {
            Events e = new Events();
            m.addListener(e);
            m.setEventDispatch(IpMonitor.EventDispatch.DO_EVENTS);
            m.setOperationMode(IpMonitor.OperationMode.STATISTICS);
            m.setPacketTimeout(100);
            m.activate("127.0.0.1:" + c.clientAddress().getPort());
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            assertThrows(IllegalStateException.class, () -> m.setEventDispatch(IpMonitor.EventDispatch.THREAD));
            agent(c, Files.readAllBytes(f), 8);
            Instant start = Instant.now();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (e.statPackets.get() < 60 && System.nanoTime() < deadline) {
                m.doEvents();
            }
            assertEquals(60, e.statPackets.get());
            assertEquals(bytes, e.statBytes.get());
            assertTrue(e.threads.stream().allMatch(t -> t == Thread.currentThread()), "fired in doEvents, on our thread");
            assertTrue(e.statTimes.stream().allMatch(t -> !t.isBefore(start.minusSeconds(1))));
            assertEquals(0, e.frames.size());
            assertEquals(60, m.getStatistics().received());
        }
    }

    /** Capture mode with doEvents: nothing fires until the program asks, then everything, in order. */
    @Test
    void inDoEventsModeNothingFiresUntilTheProgramAsks() throws Exception {
        Path f = file(mixed(10));
        List<IpPacket> want = ip(decoded(f));
        try (Collector c = collector(); IpMonitor m = new IpMonitor()) {
            Events e = new Events();
            m.addListener(e);
            m.setTimezone(ZoneOffset.UTC);
            m.setEventDispatch(IpMonitor.EventDispatch.DO_EVENTS);
            m.setPacketTimeout(50);
            m.activate("127.0.0.1:" + c.clientAddress().getPort());
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            agent(c, Files.readAllBytes(f), 9);
            await().atMost(WAIT).until(() -> m.getStatistics().received() == 60);
            assertEquals(0, e.frames.size(), "nothing fires by itself");
            m.doEvents();
            assertEquals(want, e.packets);
            assertTrue(e.threads.stream().allMatch(t -> t == Thread.currentThread()));
            long t0 = System.nanoTime();
            m.doEvents(); // nothing queued: waits the packet timeout, then returns
            assertTrue(System.nanoTime() - t0 >= 40_000_000L);
        }
    }

    // ------------------------------------------------------------ live capture

    /** Capture options with Callback's defaults; the snapshot length and the direction apply. */
    @Test
    void liveCaptureOptionsDefaultsAndDirection() throws Exception {
        try (VethForTests veth = new VethForTests("mgm"); IpMonitor m = new IpMonitor()) {
            assertFalse(m.isPromiscuousMode());
            assertEquals(262_144, m.getMaxPacketBytes());
            assertEquals(1024, m.getBufferSize());
            assertEquals(1000, m.getPacketTimeout());
            assertEquals(IpMonitor.OperationMode.CAPTURE, m.getOperationMode());
            assertEquals(IpMonitor.EventDispatch.THREAD, m.getEventDispatch());
            PcapHandle tx = Pcaps.getDevByName(veth.a()).openLive(65536, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, 10);
            PcapHandle txB = Pcaps.getDevByName(veth.b()).openLive(65536, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, 10);
            try {
                Events e = new Events();
                m.addListener(e);
                m.setMaxPacketBytes(100);
                m.setPacketTimeout(50);
                m.setFilter("ether src 02:6d:67:00:00:01");
                m.setDirection(CaptureDirection.IN);
                m.activate(veth.b());
                assertThrows(IllegalStateException.class, () -> m.setMaxPacketBytes(200));
                for (int k = 0; k < 5; k++) {
                    tx.sendPacket(TestAgents.experimentalFrame(400, k));
                }
                await().atMost(WAIT).until(() -> e.frames.size() == 5);
                assertTrue(e.frames.stream().allMatch(p -> p.capturedLength() == 100 && p.originalLength() == 400));
                assertEquals(0, e.packets.size(), "not IP: onPacket only");
                assertEquals(veth.b(), e.frames.get(0).source());
                // direction OUT while active: frames arriving on b are not outbound there, one sent from b is
                m.setDirection(CaptureDirection.OUT);
                e.frames.clear();
                tx.sendPacket(TestAgents.experimentalFrame(90, 50)); // inbound at b: must not show
                await().atMost(WAIT).until(() -> {
                    txB.sendPacket(TestAgents.experimentalFrame(91, 51)); // outbound at b (resent until the change took)
                    return !e.frames.isEmpty();
                });
                assertTrue(e.frames.stream().allMatch(p -> p.originalLength() == 91), "only outbound frames");
                m.deactivate();
                IpMonitor.Statistics st = m.getStatistics();
                assertEquals(0, st.adapterDropped());
                assertTrue(st.received() >= 6, st.toString());
            } finally {
                tx.close();
                txB.close();
            }
        }
    }

    /** A live capture whose listener throws keeps capturing and reports each throw. */
    @Test
    void aThrowingListenerOnALiveCaptureStopsNothing() throws Exception {
        try (VethForTests veth = new VethForTests("mgl"); IpMonitor m = new IpMonitor()) {
            PcapHandle tx = Pcaps.getDevByName(veth.a()).openLive(65536, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, 10);
            try {
                Events e = new Events();
                m.addListener(new IpMonitor.Listener() {
                    @Override
                    public void onPacket(IpPacket p) {
                        throw new UnsupportedOperationException("boom");
                    }
                });
                m.addListener(e);
                m.setPacketTimeout(50);
                m.setFilter("ether src 02:6d:67:00:00:01");
                m.activate(veth.b());
                for (int k = 0; k < 20; k++) {
                    tx.sendPacket(TestAgents.experimentalFrame(80, k));
                }
                await().atMost(WAIT).until(() -> e.frames.size() == 20 && e.errors.size() == 20);
                assertTrue(m.isActive());
                assertTrue(e.errors.get(0).contains("UnsupportedOperationException: boom"), e.errors.get(0));
            } finally {
                tx.close();
            }
        }
    }

    @Test
    void aDamagedFileFiresEveryRecordBeforeTheDamageThenAnError() throws IOException {
        try (IpMonitor m = new IpMonitor()) {
            m.setTimezone(ZoneOffset.UTC);
            Events e = new Events();
            m.addListener(e);
            assertEquals(39, m.parsePcapFile(TestAgents.testdata("eth.ncf")));
            assertEquals(ip(TestAgents.read("eth.ncf")), e.packets);
            e.frames.clear();
            assertEquals(5, m.parsePcapFile(TestAgents.testdata("eth-cut.ncf")));
            assertEquals(5, e.frames.size());
            assertEquals(List.of(IpMonitor.ERROR_CANNOT_READ_PACKET), e.errorCodes);
            assertEquals(44, m.getStatistics().received());
        }
    }

    @Test
    void configSettingsOfBothComponents() {
        try (IpMonitor m = new IpMonitor()) {
            assertEquals("0", m.config("ReceiveAllMode"));
            assertEquals("1", m.config("ReceiveAllMode=1"));
            assertTrue(m.isPromiscuousMode());
            assertEquals(Integer.toString(2048 * 1024), m.config("InBufferSize=" + (2048 * 1024)));
            assertEquals(2048, m.getBufferSize());
            assertNotNull(m.config("BuildInfo"));
            assertEquals("", m.config("UseWinPCap=true"));
            assertThrows(IllegalArgumentException.class, () -> m.config("ReceiveAllMode=2"));
            assertThrows(IllegalArgumentException.class, () -> m.config("NoSuchSetting=1"));
            assertThrows(IllegalArgumentException.class, () -> m.setFilter("tcp port"));
            m.setTag(42);
            m.reset();
            assertFalse(m.isPromiscuousMode());
            assertEquals(0, m.getTag());
            assertEquals(1024, m.getBufferSize());
        }
    }
}
