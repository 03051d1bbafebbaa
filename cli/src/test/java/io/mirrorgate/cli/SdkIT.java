package io.mirrorgate.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.client.MirrorClient;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.server.Collector;
import io.mirrorgate.server.ServeConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** serve + replay + SDK subscribers and `watch`, over real sockets on 127.0.0.1. */
class SdkIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    static List<IpPacket> readFile(String name) throws IOException {
        return io.mirrorgate.server.TestAgents.read(name);
    }

    private static Collector collector() throws InterruptedException {
        return io.mirrorgate.server.TestAgents.collector();
    }

    @Test
    void replayedFileReachesTwoMirrorClientsWithTheFieldsReadGives() throws Exception {
        for (String file : new String[] {"eth.pcap", "wifi.ncfx", "token-ring.ncf"}) {
            List<IpPacket> want = readFile(file);
            try (Collector c = collector();
                 MirrorClient a = MirrorClient.builder("127.0.0.1", c.clientAddress().getPort()).timezone(ZoneOffset.UTC).build().start();
                 MirrorClient b = MirrorClient.builder("127.0.0.1", c.clientAddress().getPort()).timezone(ZoneOffset.UTC).build().start()) {
                assertTrue(a.awaitConnected(WAIT) && b.awaitConnected(WAIT));
                await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 2);
                Cli r = Cli.run("replay", Cli.testdata(file).toString(), "--mirror", "127.0.0.1:" + c.mirrorAddress().getPort(),
                        "--timezone", "UTC");
                assertEquals(0, r.status, r.err);
                assertTrue(r.err.contains(want.size() + " records sent (0 skipped"), r.err);
                for (MirrorClient m : List.of(a, b)) {
                    for (int k = 0; k < want.size(); k++) {
                        IpPacket p = m.poll(WAIT);
                        assertEquals(want.get(k), p, file + " record " + (k + 1));
                        assertEquals(want.get(k).timestamp(), p.timestamp());
                    }
                    assertEquals(want.size(), m.statistics().received());
                    assertEquals(0, m.statistics().dropped());
                }
            }
        }
    }

    @Test
    void watchTsvCountPrintsExactlyWhatReadPrints() throws Exception {
        try (Collector c = collector()) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Cli> watch = pool.submit(() -> Cli.run("watch", "--connect", "127.0.0.1:" + c.clientAddress().getPort(),
                    "--format", "tsv", "--count", "39", "--timezone", "UTC"));
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            Cli replay = Cli.run("replay", Cli.testdata("eth.ncf").toString(), "--mirror", "127.0.0.1:" + c.mirrorAddress().getPort(),
                    "--timezone", "UTC", "--loop", "2");
            assertEquals(0, replay.status, replay.err);
            Cli w = watch.get();
            pool.shutdown();
            assertEquals(0, w.status, w.err);
            Cli read = Cli.run("read", "--format", "tsv", "--timezone", "UTC", Cli.testdata("eth.ncf").toString());
            assertEquals(read.out, w.out);
        }
    }

    /**
     * Issue 14's acceptance: VXLAN, GENEVE and TZSP datagrams built after the RFCs, each carrying a
     * frame of a real capture, reach a real `watch` with every field `read` prints for the original
     * (the time aside: a virtual agent's record is stamped with its arrival).
     */
    @Test
    void watchOfVirtualAgentsPrintsWhatReadPrintsTimeAside() throws Exception {
        ServeConfig cfg = io.mirrorgate.server.TestAgents.ephemeralPorts();
        cfg.vxlanPort = 0;
        cfg.genevePort = 0;
        cfg.tzspPort = 0;
        List<byte[]> frames = new ArrayList<>();
        for (IpPacket p : readFile("eth.pcap")) {
            frames.add(p.frame());
        }
        int n = frames.size();
        try (Collector c = new Collector(cfg, System.out).start(); java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Cli> watch = pool.submit(() -> Cli.run("watch", "--connect", "127.0.0.1:" + c.clientAddress().getPort(),
                    "--format", "tsv", "--count", Integer.toString(3 * n), "--timezone", "UTC"));
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            List<java.util.function.Function<byte[], byte[]>> wrap = List.of(f -> io.mirrorgate.server.UdpMirrorIT.vxlan(11, f),
                    f -> io.mirrorgate.server.UdpMirrorIT.geneve(12, f), io.mirrorgate.server.UdpMirrorIT::tzsp);
            for (io.mirrorgate.protocol.Decapsulation.Kind kind : io.mirrorgate.protocol.Decapsulation.Kind.values()) {
                java.net.InetSocketAddress to = new java.net.InetSocketAddress("127.0.0.1", c.udpAddress(kind).getPort());
                for (byte[] f : frames) {
                    byte[] d = wrap.get(kind.ordinal()).apply(f);
                    udp.send(new java.net.DatagramPacket(d, d.length, to));
                }
                long want = (kind.ordinal() + 1L) * n;
                await().atMost(WAIT).until(() -> c.agentTotals().received.get() == want); // one source after another, in order
            }
            Cli w = watch.get();
            pool.shutdown();
            assertEquals(0, w.status, w.err);
            Cli read = Cli.run("read", "--format", "tsv", "--timezone", "UTC", Cli.testdata("eth.pcap").toString());
            List<String> want = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                read.out.lines().skip(1).map(SdkIT::withoutTime).forEach(want::add);
            }
            List<String> got = w.out.lines().skip(1).map(SdkIT::withoutTime).toList();
            assertEquals(want, got);
        }
    }

    /** A TSV line without its frame number and time (the first two columns). */
    private static String withoutTime(String tsvLine) {
        String[] f = tsvLine.split("\t", 3);
        return f.length < 3 ? tsvLine : f[2];
    }

    /** watch --conversations over a collector prints the table read --conversations prints for the same records. */
    @Test
    void watchConversationsPrintsTheTableReadPrints() throws Exception {
        try (Collector c = collector()) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Cli> watch = pool.submit(() -> Cli.run("watch", "--connect", "127.0.0.1:" + c.clientAddress().getPort(),
                    "--conversations", "--format", "tsv", "--count", "39", "--timezone", "UTC"));
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            Cli replay = Cli.run("replay", Cli.testdata("eth.ncf").toString(), "--mirror", "127.0.0.1:" + c.mirrorAddress().getPort(),
                    "--timezone", "UTC");
            assertEquals(0, replay.status, replay.err);
            Cli w = watch.get();
            pool.shutdown();
            assertEquals(0, w.status, w.err);
            Cli read = Cli.run("read", "--conversations", "--format", "tsv", "--timezone", "UTC", Cli.testdata("eth.ncf").toString());
            assertEquals(read.out, w.out);
            assertTrue(read.out.split("\n").length > 20, read.out);
        }
        assertEquals(64, Cli.run("watch", "--connect", "127.0.0.1:1", "--interval", "5").status, "--interval needs --conversations");
    }

    /** watch --analysis prints what read --analysis prints for the same packets; --stats-interval prints totals. */
    @Test
    void watchAnalysisAndStatsInterval() throws Exception {
        try (Collector c = collector()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Future<Cli> watch = pool.submit(() -> Cli.run("watch", "--connect", "127.0.0.1:" + c.clientAddress().getPort(),
                    "--analysis", "--format", "tsv", "--count", "61", "--timezone", "UTC"));
            Future<Cli> stats = pool.submit(() -> Cli.run("watch", "--connect", "127.0.0.1:" + c.clientAddress().getPort(),
                    "--stats-interval", "1", "--format", "jsonl", "--count", "61"));
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 2);
            Cli replay = Cli.run("replay", Cli.testdata("tcp-cases.pcap").toString(), "--mirror",
                    "127.0.0.1:" + c.mirrorAddress().getPort(), "--timezone", "UTC");
            assertEquals(0, replay.status, replay.err);
            Cli w = watch.get();
            Cli s = stats.get();
            pool.shutdown();
            assertEquals(0, w.status, w.err);
            Cli read = Cli.run("read", "--analysis", "--format", "tsv", "--timezone", "UTC", Cli.testdata("tcp-cases.pcap").toString());
            assertEquals(read.out, w.out);
            assertEquals(0, s.status, s.err);
            long packets = 0;
            long tcp = 0;
            for (String line : s.out.split("\n")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "^\\{\"ts\":[0-9.E]+,\"interval\":1,\"packets\":(\\d+),.*\"tcp\":\\{\"packets\":(\\d+),.*\"top_talkers\":\\[.*\\]\\}$")
                        .matcher(line);
                assertTrue(m.matches(), line);
                packets += Long.parseLong(m.group(1));
                tcp += Long.parseLong(m.group(2));
            }
            assertEquals(61, packets, s.out);
            assertEquals(61, tcp, s.out);
        }
        assertEquals(64, Cli.run("watch", "--connect", "127.0.0.1:1", "--analysis", "--stats-interval", "5").status);
    }

    @Test
    void watchWritesPcapToStdout() throws Exception {
        try (Collector c = collector()) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Cli> watch = pool.submit(() -> Cli.run("watch", "--connect", "127.0.0.1:" + c.clientAddress().getPort(),
                    "--count", "6", "-w", "-", "--timezone", "UTC"));
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            assertEquals(0, Cli.run("replay", Cli.testdata("wifi.ncf").toString(), "--mirror",
                    "127.0.0.1:" + c.mirrorAddress().getPort(), "--timezone", "UTC").status);
            Cli w = watch.get();
            pool.shutdown();
            assertEquals(0, w.status, w.err);
            java.nio.file.Path f = java.nio.file.Files.createTempFile("watch", ".pcap");
            java.nio.file.Files.write(f, w.outBytes);
            Cli read = Cli.run("read", "--format", "tsv", f.toString());
            Cli orig = Cli.run("read", "--format", "tsv", Cli.testdata("wifi.pcap").toString());
            java.nio.file.Files.delete(f);
            assertEquals(orig.out, read.out);
        }
    }

    @Test
    void injectCommandAndMirrorClientInjectAreCounted() throws Exception {
        try (Collector c = collector();
             MirrorClient m = MirrorClient.builder("127.0.0.1", c.clientAddress().getPort()).build().start()) {
            assertTrue(m.awaitConnected(WAIT));
            assertTrue(m.inject(new byte[60]));
            assertTrue(m.inject(new byte[0]));
            Cli r = Cli.run("inject", "--connect", "127.0.0.1:" + c.clientAddress().getPort(), "--hex", "02 00 00 00 00 01 02 00 00 00 00 02 88 b5 00 00");
            assertEquals(0, r.status, r.err);
            Cli f = Cli.run("inject", "--connect", "127.0.0.1:" + c.clientAddress().getPort(), Cli.testdata("eth.pcap").toString());
            assertEquals(0, f.status, f.err);
            // no --inject-adapter: discarded and counted, as CommView does
            await().atMost(WAIT).until(() -> c.injectionTotals().injectDiscarded.get() == 1 + 1 + 39
                    && c.injectionTotals().injectEmpty.get() == 1);
            assertEquals(2, m.statistics().injected());
        }
    }

    @Test
    void mirrorClientInjectionArrivesOnTheAdapterByteIdentical() throws Exception {
        try (io.mirrorgate.server.VethForTests veth = new io.mirrorgate.server.VethForTests("mgc");
             io.mirrorgate.server.VethForTests.Capture cap = veth.capture()) {
            ServeConfig cfg = new ServeConfig();
            cfg.mirrorPort = 0;
            cfg.clientPort = 0;
            cfg.injectAdapter = veth.a();
            try (Collector c = new Collector(cfg, System.out).start();
                 MirrorClient m = MirrorClient.builder("127.0.0.1", c.clientAddress().getPort()).build().start()) {
                assertTrue(m.awaitConnected(WAIT));
                List<byte[]> frames = new ArrayList<>();
                for (int size : new int[] {14, 60, 1514}) {
                    byte[] f = new byte[size];
                    new java.util.Random(size).nextBytes(f);
                    System.arraycopy(new byte[] {2, 0x6d, 0x67, 0, 0, 2, 2, 0x6d, 0x67, 0, 0, 1}, 0, f, 0, 12);
                    frames.add(f);
                    assertTrue(m.inject(f));
                }
                await().atMost(WAIT).until(() -> cap.frames().size() >= 3);
                for (int k = 0; k < 3; k++) {
                    assertArrayEquals(frames.get(k), cap.frames().get(k));
                }
                // counted once the send returned, which the capture may see first
                await().atMost(WAIT).until(() -> c.injectionTotals().injectSent.get() == 3);
            }
        }
    }

    @Test
    void mirrorReceiverAcceptsCommViewLikeAgentsAndSendsFramesBackInOrder() throws Exception {
        try (io.mirrorgate.client.MirrorReceiver rx = io.mirrorgate.client.MirrorReceiver.builder("127.0.0.1", 0)
                .timezone(ZoneOffset.UTC).build().start();
             java.net.Socket ncf = new java.net.Socket("127.0.0.1", rx.address().getPort());
             java.net.Socket ncfx = new java.net.Socket("127.0.0.1", rx.address().getPort())) {
            ncf.getOutputStream().write(java.nio.file.Files.readAllBytes(Cli.testdata("eth.ncf")));
            ncfx.getOutputStream().write(java.nio.file.Files.readAllBytes(Cli.testdata("wifi.ncfx")));
            List<IpPacket> got = new ArrayList<>();
            for (int k = 0; k < 45; k++) {
                got.add(rx.poll(WAIT));
            }
            String ncfPeer = "127.0.0.1:" + ncf.getLocalPort();
            String ncfxPeer = "127.0.0.1:" + ncfx.getLocalPort();
            assertEquals(readFile("eth.ncf"), got.stream().filter(p -> p.source().equals(ncfPeer)).collect(java.util.stream.Collectors.toList()));
            assertEquals(readFile("wifi.ncfx"), got.stream().filter(p -> p.source().equals(ncfxPeer)).collect(java.util.stream.Collectors.toList()));
            assertEquals(java.util.Set.of(ncfPeer, ncfxPeer), rx.agents());
            for (int k = 1; k <= 3; k++) {
                assertTrue(rx.inject(ncfPeer, new byte[] {(byte) k, 2, 3}));
                assertTrue(rx.inject(ncfxPeer, new byte[] {(byte) k, 5}));
            }
            ncf.setSoTimeout(30_000);
            ncfx.setSoTimeout(30_000);
            assertArrayEquals(new byte[] {3, 0, 1, 2, 3, 3, 0, 2, 2, 3, 3, 0, 3, 2, 3}, ncf.getInputStream().readNBytes(15));
            assertArrayEquals(new byte[] {2, 0, 0, 0, 1, 5, 2, 0, 0, 0, 2, 5, 2, 0, 0, 0, 3, 5}, ncfx.getInputStream().readNBytes(18));
        }
    }

    @Test
    void watchListenTakesAgentsWithoutACollector() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        int p = port;
        Future<Cli> watch = pool.submit(() -> Cli.run("watch", "--listen", Integer.toString(p), "--format", "tsv",
                "--count", "3", "--timezone", "UTC"));
        java.net.Socket[] agent = {null};
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            agent[0] = new java.net.Socket("127.0.0.1", p); // refused until watch listens
            return true;
        });
        try (java.net.Socket a = agent[0]) {
            a.getOutputStream().write(java.nio.file.Files.readAllBytes(Cli.testdata("token-ring.ncf")));
            Cli w = watch.get();
            pool.shutdown();
            assertEquals(0, w.status, w.err);
            assertEquals(Cli.run("read", "--format", "tsv", "--timezone", "UTC", Cli.testdata("token-ring.ncf").toString()).out, w.out);
        }
    }
}
