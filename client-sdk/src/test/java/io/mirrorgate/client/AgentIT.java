package io.mirrorgate.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.server.Collector;
import io.mirrorgate.server.ServeConfig;
import io.mirrorgate.server.TestAgents;
import io.mirrorgate.server.VethForTests;
import io.mirrorgate.protocol.CaptureFormat;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.PcapFileReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * MirrorAgent on a live adapter: a veth pair the test makes (traffic sent on one end, captured on
 * the other), a collector that goes away and comes back, and the loopback interface the agent
 * streams over.
 */
class AgentIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private static ServeConfig config(int mirrorPort) {
        ServeConfig cfg = new ServeConfig();
        cfg.mirrorPort = mirrorPort;
        cfg.clientPort = 0;
        cfg.timezone = ZoneOffset.UTC;
        return cfg;
    }

    private static byte[] frame(int seq) {
        byte[] f = TestAgents.experimentalFrame(100, seq);
        f[14] = (byte) seq;
        f[15] = (byte) (seq >> 8);
        return f;
    }

    /** A subscriber that keeps every frame it receives, raw. */
    private static MirrorClient frames(int port, List<byte[]> into) {
        return MirrorClient.builder("127.0.0.1", port).timezone(ZoneOffset.UTC)
                .packetHandler(v -> into.add(io.netty.buffer.ByteBufUtil.getBytes(v.buffer(), v.frameOffset(), v.capturedLength())))
                .build().start();
    }

    @Test
    void capturesLiveTrafficBuffersWhileTheCollectorIsAwayAndCountsWhatDidNotFit() throws Exception {
        try (VethForTests veth = new VethForTests("mga")) {
            PcapHandle tx = Pcaps.getDevByName(veth.a()).openLive(65536, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, 10);
            Collector c1 = new Collector(config(0), System.out).start();
            int port = c1.mirrorAddress().getPort();
            MirrorAgent agent = MirrorAgent.builder("127.0.0.1", port).adapter(veth.b()).filter("ether src 02:6d:67:00:00:01")
                    .timezone(ZoneOffset.UTC).retryEvery(Duration.ofSeconds(2)).bufferBytes(30 * (24 + 100)).build().start();
            try {
                List<byte[]> got = java.util.Collections.synchronizedList(new ArrayList<>());
                MirrorClient m1 = frames(c1.clientAddress().getPort(), got);
                assertTrue(m1.awaitConnected(WAIT));
                await().atMost(WAIT).until(agent::isConnected);
                for (int k = 0; k < 20; k++) {
                    tx.sendPacket(frame(k));
                }
                await().atMost(WAIT).until(() -> got.size() >= 20);
                for (int k = 0; k < 20; k++) {
                    assertArrayEquals(frame(k), got.get(k), "live record " + k);
                }
                await().atMost(WAIT).until(() -> c1.agentTotals().received.get() == 20);
                m1.close();
                c1.close(); // the collector goes away
                await().atMost(WAIT).until(() -> !agent.isConnected());
                for (int k = 100; k < 150; k++) {
                    tx.sendPacket(frame(k)); // 30 fit in the buffer, 20 do not
                }
                try {
                    await().atMost(Duration.ofSeconds(5)).until(() -> agent.statistics().captured() == 70);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("agent: " + agent.statistics() + " got " + got.size(), e);
                }
                assertEquals(20, agent.statistics().bufferDropped());
                List<byte[]> back = java.util.Collections.synchronizedList(new ArrayList<>());
                try (Collector c2 = new Collector(config(port), System.out).start();
                     MirrorClient m2 = frames(c2.clientAddress().getPort(), back)) {
                    assertTrue(m2.awaitConnected(WAIT));
                    await().atMost(WAIT).until(() -> c2.subscriberTotals().connected.get() == 1);
                    await().atMost(WAIT).until(() -> back.size() >= 30);
                    tx.sendPacket(frame(200)); // a live marker after the buffered ones: nothing may come between
                    await().atMost(WAIT).until(() -> back.size() >= 31);
                    assertEquals(31, back.size());
                    for (int k = 0; k < 30; k++) {
                        assertArrayEquals(frame(100 + k), back.get(k), "buffered record " + k);
                    }
                    assertArrayEquals(frame(200), back.get(30));
                    assertEquals(31, c2.agentTotals().received.get());
                }
                assertEquals(2, agent.statistics().connects());
            } finally {
                agent.close();
                tx.close();
                c1.close();
            }
        }
    }

    @Test
    void neverCapturesItsOwnStreamOnTheLoopback() throws Exception {
        ServeConfig cfg = config(0);
        cfg.writeFile = tmp.resolve("lo.pcap").toString();
        Collector c = new Collector(cfg, System.out).start();
        int port = c.mirrorAddress().getPort();
        MirrorAgent agent = MirrorAgent.builder("127.0.0.1", port).adapter("lo").timezone(ZoneOffset.UTC).build().start();
        try (DatagramSocket udp = new DatagramSocket()) {
            await().atMost(WAIT).until(agent::isConnected); // capture started in start(): nothing is missed
            for (int k = 0; k < 10; k++) {
                byte[] b = ("probe " + k).getBytes();
                udp.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), 9));
            }
            await().atMost(WAIT).until(() -> c.writerWritten() >= 10);
            // a feedback loop would put the agent's own stream into the file, checked below record by
            // record; a last probe, to port 10, shows the capture still ran after all that traffic
            byte[] last = "last".getBytes();
            udp.send(new DatagramPacket(last, last.length, InetAddress.getLoopbackAddress(), 10));
            await().atMost(WAIT).until(() -> c.writerWritten() >= 11);
        } finally {
            agent.close();
            c.close();
        }
        int udp9 = 0;
        PacketView v = new PacketView();
        try (PcapFileReader r = new PcapFileReader(tmp.resolve("lo.pcap"), CaptureFormat.PCAP)) {
            while (r.next(v)) {
                assertTrue(!(v.hasPorts() && (v.sourcePort() == port || v.destinationPort() == port)),
                        "captured its own stream to port " + port);
                if (v.ipProtocol() == 17 && v.destinationPort() == 9) {
                    udp9++;
                }
            }
        }
        assertEquals(10, udp9, "agent " + agent.statistics() + " collector " + c.agentTotals().line());
    }

    @Test
    void streamsACaptureFileTheApplicationHandsIt() throws Exception {
        try (Collector c = new Collector(config(0), System.out).start()) {
            List<byte[]> got = java.util.Collections.synchronizedList(new ArrayList<>());
            try (MirrorClient m = frames(c.clientAddress().getPort(), got)) {
                assertTrue(m.awaitConnected(WAIT));
                await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
                MirrorAgent agent = MirrorAgent.builder("127.0.0.1", c.mirrorAddress().getPort()).timezone(ZoneOffset.UTC)
                        .build().start();
                try {
                    assertEquals(39, agent.sendFile(TestAgents.testdata("eth.pcap"), 0));
                    await().atMost(WAIT).until(() -> got.size() == 39);
                    assertEquals(39, agent.statistics().sent());
                    assertEquals(0, agent.statistics().injectDiscarded());
                } finally {
                    agent.close();
                }
            }
            PacketView v = new PacketView();
            int k = 0;
            try (io.mirrorgate.protocol.CaptureReader r = io.mirrorgate.protocol.CaptureFiles.open(TestAgents.testdata("eth.pcap"),
                    ZoneOffset.UTC)) {
                while (r.next(v)) {
                    assertArrayEquals(io.netty.buffer.ByteBufUtil.getBytes(v.buffer(), v.frameOffset(), v.capturedLength()),
                            got.get(k++));
                }
            }
        }
    }
}
