package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.client.IpMonitor;
import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.server.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/** Every method and event of the IpMonitor facade, against files, a collector and a veth pair. */
class IpMonitorIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Collects every event. */
    static final class Events implements IpMonitor.Listener {
        final List<IpPacket> packets = Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        final List<String> addresses = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong statPackets = new AtomicLong();
        final AtomicLong statBytes = new AtomicLong();
        final AtomicLong statEvents = new AtomicLong();

        @Override
        public void onIPPacket(IpPacket p) {
            packets.add(p);
        }

        @Override
        public void onError(int code, String description) {
            errors.add(code + " " + description);
        }

        @Override
        public void onIPAddress(String a) {
            addresses.add(a);
        }

        @Override
        public void onStatistics(long p, long b) {
            statPackets.addAndGet(p);
            statBytes.addAndGet(b);
            statEvents.incrementAndGet();
        }
    }

    static List<IpPacket> read(String name) throws IOException {
        return io.mirrorgate.server.TestAgents.read(name);
    }

    private static Collector collector() throws InterruptedException {
        ServeConfig cfg = new ServeConfig();
        cfg.mirrorPort = 0;
        cfg.clientPort = 0;
        cfg.timezone = ZoneOffset.UTC;
        return new Collector(cfg, System.out).start();
    }

    private static void replay(Collector c, String file) {
        int status = Main.run(new String[] {"replay", TestAgents.testdata(file).toString(), "--mirror",
            "127.0.0.1:" + c.mirrorAddress().getPort(), "--timezone", "UTC"}, new ByteArrayOutputStream(),
                new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, status);
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

    @Test
    void parsePcapFileFiresEventsAndErrors() throws IOException {
        try (IpMonitor m = new IpMonitor()) {
            m.setTimezone(ZoneOffset.UTC);
            Events e = new Events();
            m.addListener(e);
            assertEquals(39, m.parsePcapFile(TestAgents.testdata("eth.ncf")));
            assertEquals(read("eth.ncf"), e.packets);
            e.packets.clear();
            assertEquals(5, m.parsePcapFile(TestAgents.testdata("eth-cut.ncf")));
            assertEquals(5, e.packets.size());
            assertEquals(1, e.errors.size());
            assertTrue(e.errors.get(0).startsWith(IpMonitor.ERROR_DAMAGED_FILE + " "), e.errors.get(0));
        }
    }

    /** Regression: getStatistics() after parsePcapFile said 0 received. */
    @Test
    void statisticsCountTheRecordsOfParsedFiles() throws IOException {
        try (IpMonitor m = new IpMonitor()) {
            m.parsePcapFile(TestAgents.testdata("eth.pcap"));
            assertEquals(39, m.getStatistics().received());
            m.parsePcapFile(TestAgents.testdata("eth-cut.ncf"));
            assertEquals(44, m.getStatistics().received());
            assertEquals(0, m.getStatistics().dropped());
        }
    }

    @Test
    void collectorEndpointWithFilterPauseAndProcess() throws Exception {
        try (Collector c = collector(); IpMonitor m = new IpMonitor()) {
            Events e = new Events();
            m.addListener(e);
            m.setTimezone(ZoneOffset.UTC);
            m.setFilter("udp");
            m.activate("127.0.0.1:" + c.clientAddress().getPort());
            assertTrue(m.isActive());
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            m.pauseData();
            replay(c, "eth.ncf");
            List<IpPacket> want = new ArrayList<>(); // libpcap itself says which records match
            PacketView v = new PacketView();
            try (io.mirrorgate.protocol.BpfFilter f = new io.mirrorgate.protocol.BpfFilter("udp");
                 CaptureReader r = CaptureFiles.open(TestAgents.testdata("eth.ncf"), ZoneOffset.UTC)) {
                while (r.next(v)) {
                    if (f.matches(v)) {
                        want.add(IpPacket.of(v));
                    }
                }
            }
            assertTrue(want.size() >= 5, want.toString());
            await().atMost(WAIT).until(() -> m.getStatistics().received() == want.size());
            Thread.sleep(300);
            assertEquals(0, e.packets.size(), "paused: nothing delivered");
            m.processData();
            assertEquals(want, e.packets);
            m.setAcceptData(true);
            assertTrue(m.isAcceptData());
            m.deactivate();
            assertTrue(!m.isActive());
        }
    }

    @Test
    void statisticsModeCountsPacketsAndBytesPerInterval() throws Exception {
        try (Collector c = collector(); IpMonitor m = new IpMonitor()) {
            Events e = new Events();
            m.addListener(e);
            m.setOperationMode(IpMonitor.OperationMode.STATISTICS);
            m.setStatisticsInterval(Duration.ofMillis(200));
            m.activate("127.0.0.1:" + c.clientAddress().getPort());
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            replay(c, "eth.ncf");
            long bytes = read("eth.ncf").stream().mapToLong(IpPacket::capturedLength).sum();
            await().atMost(WAIT).until(() -> e.statPackets.get() == 39 && e.statBytes.get() == bytes);
            assertEquals(0, e.packets.size());
            assertTrue(e.statEvents.get() >= 1);
            assertEquals(39, m.getStatistics().received());
        }
    }

    @Test
    void liveAdapterWithDirection() throws Exception {
        try (VethForTests veth = new VethForTests("mgm"); IpMonitor m = new IpMonitor()) {
            PcapHandle tx = Pcaps.getDevByName(veth.a()).openLive(65536, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, 10);
            try {
                Events e = new Events();
                m.addListener(e);
                m.setFilter("ether src 02:6d:67:00:00:01");
                m.setDirection(IpMonitor.Direction.IN);
                m.activate(veth.b());
                Thread.sleep(300);
                for (int k = 0; k < 5; k++) {
                    tx.sendPacket(InjectionIT.frame(80, k));
                }
                await().atMost(WAIT).until(() -> e.packets.size() == 5);
                m.deactivate();
                assertEquals(0, m.getStatistics().adapterDropped());
                assertEquals(veth.b(), e.packets.get(0).source());
                // frames that arrive on b are not outbound there
                e.packets.clear();
                m.setDirection(IpMonitor.Direction.OUT);
                m.activate(veth.b());
                Thread.sleep(300);
                for (int k = 0; k < 5; k++) {
                    tx.sendPacket(InjectionIT.frame(80, k));
                }
                Thread.sleep(500);
                assertEquals(0, e.packets.size());
            } finally {
                tx.close();
            }
            assertThrows(IOException.class, () -> m.activate("no-such-adapter0"));
        }
    }
}
