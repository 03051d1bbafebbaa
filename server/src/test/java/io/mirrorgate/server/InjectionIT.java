package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.Libpcap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mirrorgate.protocol.inject.InjectMethod;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * Real injection: {@code serve --inject-adapter vethA}, frames sent through the client port, and
 * libpcap capturing on the peer vethB. Needs root (CI runs as root); the veth pair is removed
 * afterwards, also on failure.
 */
class InjectionIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] SRC_MAC = {2, 0x6d, 0x67, 0, 0, 1};

    static byte[] frame(int size, int seed) {
        return TestAgents.experimentalFrame(size, seed);
    }

    /** A collector on ephemeral ports that injects onto {@code adapter} with {@code method}. */
    static ServeConfig injectingOnto(String adapter, InjectMethod method) {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.injectAdapter = adapter;
        cfg.injectMethod = method;
        return cfg;
    }

    static void sendFrames(Socket s, Dialect d, List<byte[]> frames) throws Exception {
        OutputStream out = s.getOutputStream();
        for (int k = 0; k < frames.size(); k++) {
            byte[] f = frames.get(k);
            ByteBuf b = Unpooled.buffer();
            b.writeShortLE(f.length);
            if (d == Dialect.NCFX) {
                b.writeShortLE(k);
            }
            b.writeBytes(f);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            out.write(bytes);
        }
        out.flush();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void framesArriveByteIdenticalAndCountersAreExact(Dialect dialect) throws Exception {
        try (VethForTests veth = new VethForTests("mgi"); VethForTests.Capture cap = veth.capture()) {
            ServeConfig cfg = new ServeConfig();
            cfg.mirrorPort = 0;
            cfg.clientPort = 0;
            cfg.timezone = ZoneOffset.UTC;
            cfg.injectAdapter = veth.a;
            cfg.clientDialect = dialect;
            try (Collector c = new Collector(cfg, System.out).start();
                 Socket s = new Socket(c.clientAddress().getAddress(), c.clientAddress().getPort())) {
                List<byte[]> good = new ArrayList<>();
                for (int size : new int[] {14, 60, 64, 100, 512, 1000, 1513, 1514}) {
                    good.add(frame(size, size));
                }
                List<byte[]> wire = new ArrayList<>(good);
                wire.add(3, new byte[0]);          // zero-length: ignored, counted
                wire.add(5, frame(9000, 9000));     // longer than the MTU: refused by the adapter, counted
                sendFrames(s, dialect, wire);
                await().atMost(WAIT).until(() -> c.injectionTotals().injectSent.get() == good.size()
                        && c.injectionTotals().injectFailed.get() == 1);
                await().atMost(WAIT).until(() -> cap.frames().size() >= good.size());
                assertEquals(good.size(), cap.frames().size());
                for (int k = 0; k < good.size(); k++) {
                    assertArrayEquals(good.get(k), cap.frames().get(k), "frame " + k);
                }
                assertEquals(good.size(), c.injectionTotals().injectSent.get());
                assertEquals(1, c.injectionTotals().injectFailed.get());
                assertEquals(1, c.injectionTotals().injectEmpty.get());
                assertEquals(0, c.injectionTotals().injectDiscarded.get());
            }
        }
    }

    /**
     * Every frame size from 14 to 1514 bytes, through each send path, arrives byte-identical and in
     * order; frames longer than the adapter takes (MTU 1500 + 14) fail one by one with the kernel's
     * reason, counted, while the frames around them go out.
     */
    @ParameterizedTest
    @EnumSource(value = InjectMethod.class, names = {"AF_PACKET", "PCAP"})
    void everySizeFrom14To1514ArrivesInOrderAndOversizeFailsWithTheKernelsReason(InjectMethod method) throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(PcapInjector.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (VethForTests veth = new VethForTests("mgz"); VethForTests.Capture cap = veth.capture()) {
            try (Collector c = new Collector(injectingOnto(veth.a, method), System.out).start();
                 Socket s = new Socket(c.clientAddress().getAddress(), c.clientAddress().getPort())) {
                String expected = method == InjectMethod.AF_PACKET ? "AF_PACKET sendmmsg" : "libpcap pcap_sendpacket";
                assertEquals("on adapter " + veth.a + " through " + expected, c.injectionStateForCli());
                List<byte[]> good = new ArrayList<>();
                for (int size = 14; size <= 1514; size++) {
                    good.add(frame(size, size * 31 + method.ordinal()));
                }
                List<byte[]> wire = new ArrayList<>(good);
                wire.add(700, frame(1515, 1));   // one byte over: the kernel says EMSGSIZE
                wire.add(0, frame(9000, 2));
                wire.add(frame(65535, 3));
                sendFrames(s, Dialect.NCF, wire);
                await().atMost(WAIT).until(() -> c.injectionTotals().injectSent.get() + c.injectionTotals().injectFailed.get()
                        == wire.size());
                await().atMost(WAIT).until(() -> cap.frames().size() >= good.size());
                assertEquals(good.size(), c.injectionTotals().injectSent.get());
                assertEquals(3, c.injectionTotals().injectFailed.get());
                assertEquals(good.size(), cap.frames().size());
                for (int k = 0; k < good.size(); k++) {
                    assertArrayEquals(good.get(k), cap.frames().get(k), "frame of " + good.get(k).length + " bytes");
                }
                List<String> lines = new ArrayList<>();
                synchronized (log.list) {
                    for (ILoggingEvent e : log.list) {
                        lines.add(e.getFormattedMessage());
                    }
                }
                // logged once per reason and connection, naming the size and the kernel's words
                String first = lines.stream().filter(l -> l.contains("failed")).findFirst().orElse("(none) " + lines);
                assertTrue(first.contains("injection of a 9000-byte frame on " + veth.a + " failed: "), first);
                assertTrue(first.contains("Message too long"), first);
                if (method == InjectMethod.AF_PACKET) {
                    assertTrue(first.endsWith("Message too long (EMSGSIZE)"), first);
                }
                assertEquals(1, lines.stream().filter(l -> l.contains("failed")).count(), lines.toString());
            }
        } finally {
            logger.detachAppender(log);
        }
    }

    @ParameterizedTest
    @EnumSource(value = InjectMethod.class, names = {"AF_PACKET", "PCAP"})
    void adapterThatGoesDownAndComesBackIsUsedAgain(InjectMethod method) throws Exception {
        try (VethForTests veth = new VethForTests("mgd"); VethForTests.Capture cap = veth.capture()) {
            try (Collector c = new Collector(injectingOnto(veth.a, method), System.out).start();
                 Socket s = new Socket(c.clientAddress().getAddress(), c.clientAddress().getPort())) {
                sendFrames(s, Dialect.NCF, List.of(frame(100, 1)));
                await().atMost(WAIT).until(() -> c.injectionTotals().injectSent.get() == 1);
                veth.setUp(false);
                sendFrames(s, Dialect.NCF, List.of(frame(100, 2)));
                await().atMost(WAIT).until(() -> c.injectionTotals().injectFailed.get() == 1);
                veth.setUp(true);
                await().atMost(WAIT).until(() -> java.nio.file.Files.readString(
                        java.nio.file.Path.of("/sys/class/net/" + veth.a + "/operstate")).trim().equals("up"));
                sendFrames(s, Dialect.NCF, List.of(frame(100, 3)));
                await().atMost(WAIT).until(() -> c.injectionTotals().injectSent.get() == 2);
                await().atMost(WAIT).until(() -> cap.frames().size() >= 2);
                assertArrayEquals(frame(100, 3), cap.frames().get(cap.frames().size() - 1));
            }
        }
    }
}
