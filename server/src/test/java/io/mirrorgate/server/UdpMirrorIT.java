package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.Decapsulation;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.RecordFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * VXLAN, GENEVE and TZSP mirrors through a real collector over loopback UDP: datagrams built byte
 * by byte after RFC 7348, RFC 8926 and the TZSP note, each carrying a frame of a real capture,
 * reach a subscriber as records whose frames equal the originals, from one virtual agent per
 * source and VNI; damaged datagrams are counted in {@code decap_malformed}, and nothing else is lost.
 */
public class UdpMirrorIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    public static byte[] vxlan(int vni, byte[] f) {
        return bytes(Unpooled.buffer().writeByte(0x08).writeMedium(0).writeMedium(vni).writeByte(0).writeBytes(f));
    }

    public static byte[] geneve(int vni, byte[] f) {
        // one 8-byte option (class 0x0102, type 3, length 1 word) before the frame
        return bytes(Unpooled.buffer().writeByte(2).writeByte(0).writeShort(0x6558).writeMedium(vni).writeByte(0)
                .writeShort(0x0102).writeByte(3).writeByte(1).writeInt(0xCAFEF00D).writeBytes(f));
    }

    public static byte[] tzsp(byte[] f) {
        return bytes(Unpooled.buffer().writeByte(1).writeByte(0).writeShort(1).writeByte(10).writeByte(1).writeByte(-40)
                .writeByte(0).writeByte(1).writeBytes(f));
    }

    private static byte[] bytes(ByteBuf b) {
        return ByteBufUtil.getBytes(b);
    }

    /** The frames of an NCF stream's records. */
    private static List<byte[]> frames(byte[] stream) {
        List<byte[]> out = new ArrayList<>();
        new RecordFramer(Dialect.NCF).drain(Unpooled.wrappedBuffer(stream), (b, i, len) -> {
            int f = Dialect.NCF.frameOffset(b, i);
            out.add(ByteBufUtil.getBytes(b, f, i + len - f));
        });
        return out;
    }

    @Test
    void encapsulatedMirrorsArriveAsRecordsOfVirtualAgents() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.vxlanPort = 0;
        cfg.genevePort = 0;
        cfg.tzspPort = 0;
        List<byte[]> want = new ArrayList<>();
        for (IpPacket p : TestAgents.read("eth.pcap")) {
            want.add(p.frame());
        }
        try (Collector c = new Collector(cfg, System.out).start();
             TestAgents.Reader sub = new TestAgents.Reader(c.clientAddress());
             DatagramSocket udp = new DatagramSocket()) {
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() >= 1);
            assertTrue(c.udpReceiveBuffer(Decapsulation.Kind.VXLAN) > 0);
            List<Function<byte[], byte[]>> wrap = List.of(f -> vxlan(100, f), f -> geneve(200, f), UdpMirrorIT::tzsp);
            int received = 0;
            for (Decapsulation.Kind kind : Decapsulation.Kind.values()) {
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", c.udpAddress(kind).getPort());
                for (byte[] f : want) {
                    byte[] d = wrap.get(kind.ordinal()).apply(f);
                    udp.send(new DatagramPacket(d, d.length, to));
                }
                // damaged ones, counted and dropped: cut short, and a wrong version/flag
                byte[] bad = wrap.get(kind.ordinal()).apply(want.get(0));
                udp.send(new DatagramPacket(bad, 5, to));
                bad[0] = (byte) (kind == Decapsulation.Kind.GENEVE ? 0x80 : kind == Decapsulation.Kind.VXLAN ? 0 : 9);
                udp.send(new DatagramPacket(bad, bad.length, to));
                received += want.size();
                int expect = received;
                long wantMalformed = 2L * (kind.ordinal() + 1);
                await().atMost(WAIT).alias(kind.label).until(() -> frames(sub.bytes()).size() + "/" + expect + " records, "
                        + c.agentTotals().decapMalformed.get() + "/" + wantMalformed + " malformed, " + c.statisticsLines(),
                        s -> frames(sub.bytes()).size() >= expect && c.agentTotals().decapMalformed.get() == wantMalformed);
                List<byte[]> got = frames(sub.bytes());
                assertEquals(expect, got.size(), kind.label);
                for (int k = 0; k < want.size(); k++) {
                    assertArrayEquals(want.get(k), got.get(expect - want.size() + k), kind.label + " frame " + k);
                }
            }
            assertEquals(3L * want.size(), c.agentTotals().received.get());
            assertEquals(6, c.agentTotals().decapMalformed.get());
            assertEquals(want.size(), TestAgents.liveStats(c, "agent 127.0.0.1 vxlan vni 100").get("received"));
            assertEquals(want.size(), TestAgents.liveStats(c, "agent 127.0.0.1 geneve vni 200").get("received"));
            assertEquals(want.size(), TestAgents.liveStats(c, "agent 127.0.0.1 tzsp").get("received"));
            assertEquals(36, TestAgents.liveStats(c, "agent 127.0.0.1 tzsp").get("decoded"), "the same decoder");
        }
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;

    /**
     * A mirror that cuts packets (AWS Traffic Mirroring's PacketLength): the capture file keeps
     * the cut frame and takes the length on the wire from the inner IP header; in a pcapng file the
     * virtual agent is an interface named after its address, encapsulation and VNI.
     */
    @Test
    void cutPacketsKeepTheirWireLengthAndVirtualAgentsNameTheirInterface() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.vxlanPort = 0;
        cfg.writeFile = tmp.resolve("aws.pcapng").toString();
        int cut = 64;
        List<byte[]> want = new ArrayList<>();
        for (IpPacket p : TestAgents.read("eth.pcap")) {
            want.add(p.frame());
        }
        try (Collector c = new Collector(cfg, System.out).start(); DatagramSocket udp = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", c.udpAddress(Decapsulation.Kind.VXLAN).getPort());
            for (byte[] f : want) {
                byte[] d = vxlan(300, java.util.Arrays.copyOf(f, Math.min(cut, f.length)));
                udp.send(new DatagramPacket(d, d.length, to));
            }
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() == want.size());
        }
        io.mirrorgate.protocol.PacketView v = new io.mirrorgate.protocol.PacketView();
        int k = 0;
        int longer = 0;
        try (io.mirrorgate.protocol.CaptureReader r = io.mirrorgate.protocol.CaptureFiles.open(tmp.resolve("aws.pcapng"),
                java.time.ZoneOffset.UTC)) {
            while (r.next(v)) {
                byte[] f = want.get(k++);
                assertEquals("127.0.0.1 vxlan vni 300", v.source());
                assertEquals(Math.min(cut, f.length), v.capturedLength());
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f);
                int l2 = 12;
                while ((b.getShort(l2) & 0xFFFF) == 0x8100 || (b.getShort(l2) & 0xFFFF) == 0x88A8) {
                    l2 += 4; // VLAN tags
                }
                int type = b.getShort(l2) & 0xFFFF;
                l2 += 2;
                int onWire = type == 0x0800 ? l2 + (b.getShort(l2 + 2) & 0xFFFF)
                        : type == 0x86DD ? l2 + 40 + (b.getShort(l2 + 4) & 0xFFFF) : v.capturedLength();
                assertEquals(Math.max(v.capturedLength(), onWire), v.originalLength(), "frame " + k);
                if (f.length > cut && onWire == f.length) {
                    longer++;
                }
            }
        }
        assertEquals(want.size(), k);
        assertTrue(longer >= 5, "cut frames whose IP header gives their length: " + longer);
    }

    /**
     * --inject-to-agent with only virtual agents: a mirror has no way back, so every frame a
     * subscriber sends is refused and counted (inject_refused), never lost without a trace.
     */
    @Test
    void injectionTowardVirtualAgentsIsRefusedAndCounted() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.vxlanPort = 0;
        cfg.injectToAgent = true;
        byte[] f = TestAgents.read("eth.pcap").get(0).frame();
        try (Collector c = new Collector(cfg, System.out).start(); DatagramSocket udp = new DatagramSocket();
             java.net.Socket sub = new java.net.Socket(c.clientAddress().getAddress(), c.clientAddress().getPort())) {
            byte[] d = vxlan(7, f);
            udp.send(new DatagramPacket(d, d.length, new InetSocketAddress("127.0.0.1",
                    c.udpAddress(Decapsulation.Kind.VXLAN).getPort())));
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() == 1);
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            java.io.ByteArrayOutputStream w = new java.io.ByteArrayOutputStream();
            for (int k = 0; k < 3; k++) {
                w.write(f.length);
                w.write(f.length >> 8);
                w.write(f);
            }
            sub.getOutputStream().write(w.toByteArray());
            sub.getOutputStream().flush();
            await().atMost(WAIT).until(() -> c.injectionTotals().injectRefused.get() == 3);
            assertEquals(0, c.injectionTotals().injectSent.get());
            assertEquals(0, c.injectionTotals().injectDiscarded.get());
        }
    }

    /**
     * Datagrams are read many at a time into 16 KiB slots: a 9,216-byte jumbo frame arrives whole;
     * a datagram longer than its slot is cut by the kernel, and counted as malformed, not passed on cut.
     */
    @Test
    void jumboFramesArriveWholeAndDatagramsPastTheSlotAreCounted() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.vxlanPort = 0;
        byte[] jumbo = TestAgents.frame(5, 1, 9216);
        byte[] huge = TestAgents.frame(5, 2, Transport.DATAGRAM_SLOT + 100);
        try (Collector c = new Collector(cfg, System.out).start();
             TestAgents.Reader sub = new TestAgents.Reader(c.clientAddress());
             DatagramSocket udp = new DatagramSocket()) {
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", c.udpAddress(Decapsulation.Kind.VXLAN).getPort());
            for (byte[] f : List.of(jumbo, huge, jumbo)) {
                byte[] d = vxlan(9, f);
                udp.send(new DatagramPacket(d, d.length, to));
            }
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() + c.agentTotals().decapMalformed.get() == 3);
            assertEquals(2, c.agentTotals().received.get());
            assertEquals(1, c.agentTotals().decapMalformed.get());
            await().atMost(WAIT).until(() -> frames(sub.bytes()).size() == 2);
            for (byte[] f : frames(sub.bytes())) {
                assertArrayEquals(jumbo, f);
            }
        }
    }

    /** An input keeps at most 4,096 virtual agents; datagrams from further sources are dropped and counted. */
    @Test
    void sourcesPastTheBoundAreRefusedAndCounted() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.vxlanPort = 0;
        byte[] f = TestAgents.read("eth.pcap").get(0).frame();
        int extra = 5;
        try (Collector c = new Collector(cfg, System.out).start(); DatagramSocket udp = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", c.udpAddress(Decapsulation.Kind.VXLAN).getPort());
            for (int vni = 0; vni < UdpMirrorInput.MAX_SOURCES + extra; vni++) {
                byte[] d = vxlan(vni, f);
                udp.send(new DatagramPacket(d, d.length, to));
                if (vni % 512 == 511) { // in steps the socket buffer takes whole, whatever the machine's speed
                    long sent = vni + 1;
                    await().atMost(WAIT).until(() -> c.agentTotals().received.get() + c.statistics().udpSourcesRefused() >= sent);
                }
            }
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() + c.statistics().udpSourcesRefused()
                    == UdpMirrorInput.MAX_SOURCES + extra);
            assertEquals(UdpMirrorInput.MAX_SOURCES, c.agentTotals().received.get());
            assertEquals(extra, c.statistics().udpSourcesRefused());
            assertTrue(String.join("\n", c.statisticsLines()).contains("udp_sources_refused=" + extra));
        }
    }
}
