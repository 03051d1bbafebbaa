package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.RecordFramer;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The listeners under attack while a well-behaved agent and subscriber work: random bytes,
 * mutated NCF/NCFX, 1-byte-per-100-ms writers, hundreds of idle half-open connections and absurd
 * lengths, all seeded. The good agent's every record must reach the subscriber, in order, and the
 * collector's heap must stay flat. CI runs a few seconds; {@code scripts/fuzz-listeners.sh SECONDS}
 * runs it for as long as asked (the duration comes from {@code -Dmirrorgate.fuzz.seconds}).
 */
class StreamFuzzIT {
    private static final long SEED = 0x6d6761746531L;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int IDLE = 300;
    private static final long MAX_HEAP_GROWTH = 96L << 20;

    @Test
    void wellBehavedPeersGetEveryRecordWhileTheListenersAreAttacked() throws Exception {
        long seconds = Long.getLong("mirrorgate.fuzz.seconds", 4);
        ServeConfig cfg = new ServeConfig();
        cfg.mirrorPort = 0;
        cfg.clientPort = 0;
        cfg.timezone = ZoneOffset.UTC;
        cfg.maxConnections = 1_000_000; // the caps have their own tests; here they would refuse the good agent too
        cfg.maxConnectionsPerAddress = 1_000_000;
        try (Collector c = new Collector(cfg, System.out).start()) {
            InetSocketAddress mirror = c.mirrorAddress();
            TestAgents.Reader sub = new TestAgents.Reader(c.clientAddress());
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            long heapBefore = usedHeap();
            List<Socket> idle = new ArrayList<>();
            for (int k = 0; k < IDLE; k++) {
                Socket s = new Socket(mirror.getAddress(), mirror.getPort());
                s.shutdownOutput(); // half-open: we never send, the collector must not wait for us
                idle.add(s);
            }
            byte[] ncf = Files.readAllBytes(TestAgents.testdata("eth.ncf"));
            byte[] ncfx = Files.readAllBytes(TestAgents.testdata("wifi.ncfx"));
            ExecutorService pool = Executors.newFixedThreadPool(12);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Future<?>> attacks = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                int id = t;
                attacks.add(pool.submit(() -> {
                    Random rnd = new Random(SEED + id);
                    while (System.nanoTime() < end) {
                        byte[] payload;
                        switch (rnd.nextInt(4)) {
                            case 0: payload = new byte[1 + rnd.nextInt(5000)]; rnd.nextBytes(payload); break;
                            case 1: payload = mutate(ncf, rnd); break;
                            case 2: payload = mutate(ncfx, rnd); break;
                            default: payload = absurd(rnd);
                        }
                        try (Socket s = new Socket(mirror.getAddress(), mirror.getPort())) {
                            s.getOutputStream().write(payload);
                            s.setSoLinger(true, 0);
                        } catch (java.io.IOException e) {
                            // closed by the collector mid-write: expected
                        }
                    }
                    return null;
                }));
            }
            for (int t = 0; t < 2; t++) {
                attacks.add(pool.submit(() -> {
                    try (Socket s = new Socket(mirror.getAddress(), mirror.getPort())) {
                        OutputStream out = s.getOutputStream();
                        byte[] header = java.util.Arrays.copyOf(ncf, 30);
                        for (int k = 0; k < header.length && System.nanoTime() < end; k++) {
                            out.write(header[k]);
                            out.flush();
                            TestAgents.slowPeerPause(java.time.Duration.ofMillis(100));
                        }
                    } catch (java.io.IOException e) {
                        // closed
                    }
                    return null;
                }));
            }
            // the well-behaved agent: agent number 9, in several connections, all the while
            List<byte[]> good = TestAgents.records(9, 4000, 300);
            int chunk = 500;
            for (int k = 0; k < good.size(); k += chunk) {
                TestAgents.send(mirror, TestAgents.concat(good.subList(k, Math.min(good.size(), k + chunk))), k);
            }
            for (Future<?> f : attacks) {
                f.get();
            }
            pool.shutdown();
            List<byte[]> got = new ArrayList<>();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                got.clear();
                new RecordFramer(Dialect.NCF).drain(Unpooled.wrappedBuffer(sub.bytes()), (b, i, l) -> {
                    if (l > 24 + 11 && b.getUnsignedByte(i + 24 + 11) == 9 && b.getUnsignedByte(i + 24) == 2) {
                        got.add(ByteBufUtil.getBytes(b, i, l));
                    }
                });
                return got.size() >= good.size();
            });
            assertEquals(good.size(), got.size());
            for (int k = 0; k < good.size(); k++) {
                assertArrayEquals(good.get(k), got.get(k), "good record " + k);
            }
            // the attackers' records that parsed went out too; every record is accounted for
            await().atMost(WAIT).until(() -> c.subscriberTotals().sent.get() + c.subscriberTotals().dropped.get()
                    == c.agentTotals().received.get());
            assertTrue(c.agentTotals().closedBadStream.get() > 10, c.agentTotals().line());
            for (Socket s : idle) {
                s.close();
            }
            long growth = usedHeap() - heapBefore;
            assertTrue(growth < MAX_HEAP_GROWTH, "heap grew by " + growth + " bytes");
            System.out.println("stream fuzz: " + seconds + " s, " + c.agentTotals().line() + ", heap growth " + growth
                    + " bytes, refused " + c.refusedConnections());
            sub.close();
        }
    }

    /**
     * A prefix of a real stream with bytes changed: one in the first header (so most streams break
     * at once, as a flood of broken peers does), more anywhere.
     */
    private static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = java.util.Arrays.copyOf(in, 24 + rnd.nextInt(in.length - 24));
        b[4 + rnd.nextInt(20)] = (byte) rnd.nextInt(256);
        for (int k = rnd.nextInt(6); k > 0; k--) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    /** Headers that announce more than any record holds, or more than will ever come. */
    private static byte[] absurd(Random rnd) {
        io.netty.buffer.ByteBuf b = Unpooled.buffer();
        if (rnd.nextBoolean()) {
            io.mirrorgate.protocol.NcfHeader.write(b, 0xFFFF, 0, ZoneOffset.UTC, 0, 0);
            b.writeZero(rnd.nextInt(1000)); // then the peer goes away
        } else {
            io.mirrorgate.protocol.NcfxHeader.write(b, 0, 0, ZoneOffset.UTC, 0, 0, 0, null);
            b.setIntLE(0, rnd.nextBoolean() ? 0x7FFF_FFFF : 0xFFFF_FFFF);
        }
        return ByteBufUtil.getBytes(b);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int k = 0; k < 3; k++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
