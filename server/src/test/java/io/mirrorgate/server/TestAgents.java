package io.mirrorgate.server;

import io.mirrorgate.protocol.RecordDirection;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Scripted agents and subscribers over real sockets, and records that say who sent them. */
public final class TestAgents {
    private TestAgents() {
    }

    /** Ethernet/IPv4/UDP frame from 10.0.{agent}.1 carrying the sequence number, {@code size} bytes. */
    public static byte[] frame(int agent, int seq, int size) {
        ByteBuf f = Unpooled.buffer(size);
        f.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, (byte) agent}).writeShort(0x0800);
        int ipLen = size - 14;
        f.writeByte(0x45).writeByte(0).writeShort(ipLen).writeShort(seq & 0xFFFF).writeShort(0).writeByte(64).writeByte(17)
                .writeShort(0).writeBytes(new byte[] {10, 0, (byte) agent, 1}).writeBytes(new byte[] {10, 9, 9, 9});
        f.writeShort(40000 + agent).writeShort(9).writeShort(ipLen - 20).writeShort(0).writeInt(seq);
        while (f.readableBytes() < size) {
            f.writeByte(seq);
        }
        return ByteBufUtil.getBytes(f);
    }

    /** Source MAC of the frames tests send on veth pairs (captures filter on it). */
    public static final byte[] TEST_MAC = {2, 0x6d, 0x67, 0, 0, 1};

    /**
     * A {@code size}-byte frame of seeded random bytes behind an Ethernet header from
     * {@link #TEST_MAC}, EtherType 0x88b5 (local experimental): not IP, never answered.
     */
    public static byte[] experimentalFrame(int size, int seed) {
        byte[] f = new byte[size];
        new Random(seed).nextBytes(f);
        if (size >= 14) {
            System.arraycopy(new byte[] {2, 0x6d, 0x67, 0, 0, 2}, 0, f, 0, 6);
            System.arraycopy(TEST_MAC, 0, f, 6, 6);
            f[12] = (byte) 0x88;
            f[13] = (byte) 0xb5;
        }
        return f;
    }

    /**
     * The pause between two writes of a deliberately slow peer (a slowloris that sends a byte at
     * a time). This is the one sleep in the tests, and it is not a wait: nothing is to happen
     * here, the peer's slowness is the input under test. So no condition can replace it.
     */
    public static void slowPeerPause(java.time.Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /** {@code n} NCF records of agent {@code agent}, each its own byte array. */
    public static List<byte[]> records(int agent, int n, int frameSize) {
        List<byte[]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            byte[] f = frame(agent, k, frameSize);
            ByteBuf r = Unpooled.buffer(NcfHeader.LENGTH + f.length);
            NcfHeader.write(r, f.length, 1_700_000_000_000_000L + k * 10L, ZoneOffset.UTC, Medium.ETHERNET, RecordDirection.INBOUND);
            r.writeBytes(f);
            out.add(ByteBufUtil.getBytes(r));
        }
        return out;
    }

    public static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        parts.forEach(b::writeBytes);
        return b.toByteArray();
    }

    /** Connects to {@code to} and writes {@code data} in random chunks (seeded); closes after. */
    public static void send(InetSocketAddress to, byte[] data, long seed) throws IOException {
        Random rnd = new Random(seed);
        try (Socket s = new Socket(to.getAddress(), to.getPort())) {
            OutputStream out = s.getOutputStream();
            int off = 0;
            while (off < data.length) {
                int n = Math.min(data.length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 4000));
                out.write(data, off, n);
                off += n;
            }
            out.flush();
            s.shutdownOutput();
            drainUntilClosed(s.getInputStream());
        }
    }

    private static void drainUntilClosed(InputStream in) {
        try {
            byte[] b = new byte[4096];
            while (in.read(b) >= 0) {
                // wait for the collector to have read everything and closed, or for our timeout
            }
        } catch (IOException e) {
            // reset by the collector: fine
        }
    }

    /** A subscriber socket that reads everything into memory on a thread of its own. */
    public static final class Reader implements AutoCloseable {
        final Socket socket;
        private final ByteArrayOutputStream got = new ByteArrayOutputStream();
        private final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        private final boolean keep;
        private final Thread thread;

        Reader(InetSocketAddress at) throws IOException {
            this(at, true);
        }

        /**
         * {@code keep} false: counts the bytes without keeping them, so a long run reads at full
         * speed (a growing in-memory copy stalls on its own resizing and would fall behind).
         */
        public Reader(InetSocketAddress at, boolean keep) throws IOException {
            this(new Socket(at.getAddress(), at.getPort()), keep);
        }

        /** Reads {@code connected} from now on (a subscriber that took nothing until then). */
        Reader(Socket connected, boolean keep) {
            this.keep = keep;
            socket = connected;
            thread = new Thread(() -> {
                byte[] b = new byte[65536];
                try {
                    InputStream in = socket.getInputStream();
                    int n;
                    while ((n = in.read(b)) >= 0) {
                        if (keep) {
                            synchronized (got) {
                                got.write(b, 0, n);
                            }
                        }
                        count.addAndGet(n);
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "test-subscriber");
            thread.setDaemon(true);
            thread.start();
        }

        public long size() {
            return count.get();
        }

        byte[] bytes() {
            if (!keep) {
                throw new IllegalStateException("a counting reader keeps no bytes");
            }
            synchronized (got) {
                return got.toByteArray();
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Records readable in a pcap file, stopping quietly at a record cut short at the end. */
    public static int readable(Path p) throws Exception {
        return count(p, true);
    }

    /** Records in a pcap file that libpcap reads to the end without an error (a cut record fails). */
    public static int strictlyReadable(Path p) throws Exception {
        return count(p, false);
    }

    private static int count(Path p, boolean tolerateCutEnd) throws Exception {
        int n = 0;
        io.mirrorgate.protocol.PacketView v = new io.mirrorgate.protocol.PacketView();
        try (io.mirrorgate.protocol.PcapFileReader r = new io.mirrorgate.protocol.PcapFileReader(p, io.mirrorgate.protocol.CaptureFormat.PCAP)) {
            while (r.next(v)) {
                n++;
            }
        } catch (io.mirrorgate.protocol.StreamFormatException e) {
            if (!tolerateCutEnd) {
                throw e;
            }
        }
        return n;
    }

    /**
     * The counters of one live source, from the collector's statistics block (as an operator sees
     * them): {@code name} is e.g. "subscriber 127.0.0.1:40000"; counters not printed are 0.
     */
    public static java.util.Map<String, Long> liveStats(io.mirrorgate.server.Collector c, String name) {
        for (String l : c.statisticsLines()) {
            if (l.startsWith("  " + name + " ")) {
                java.util.Map<String, Long> out = new java.util.HashMap<>();
                for (SourceStats.Counter k : SourceStats.COUNTERS) {
                    out.put(k.name, 0L);
                }
                for (String kv : l.substring(name.length() + 3).split(" ")) {
                    int eq = kv.indexOf('=');
                    out.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                }
                return out;
            }
        }
        throw new AssertionError("no live source " + name + " in " + c.statisticsLines());
    }

    /** A collector in this process on ephemeral ports, NCF times in UTC, started. */
    public static Collector collector() throws InterruptedException {
        return collector(new ServeConfig());
    }

    /** {@code cfg} on ephemeral mirror and client ports, NCF times in UTC, started. */
    public static Collector collector(ServeConfig cfg) throws InterruptedException {
        cfg.mirrorPort = 0;
        cfg.clientPort = 0;
        cfg.timezone = ZoneOffset.UTC;
        return new Collector(cfg, System.out).start();
    }

    /** Every record of a fixture, decoded (UTC) as {@code read} does. */
    public static List<io.mirrorgate.protocol.IpPacket> read(String name) throws IOException {
        return read(testdata(name));
    }

    /** Every packet of a capture file, times read as UTC. */
    public static List<io.mirrorgate.protocol.IpPacket> read(Path file) throws IOException {
        List<io.mirrorgate.protocol.IpPacket> out = new ArrayList<>();
        io.mirrorgate.protocol.PacketView v = new io.mirrorgate.protocol.PacketView();
        try (io.mirrorgate.protocol.CaptureReader r = io.mirrorgate.protocol.CaptureFiles.open(file, ZoneOffset.UTC)) {
            while (r.next(v)) {
                out.add(io.mirrorgate.protocol.IpPacket.of(v));
            }
        }
        return out;
    }

    /** A collector's settings with the agent and client ports on ephemeral ports and times in UTC. */
    public static ServeConfig ephemeralPorts() {
        ServeConfig cfg = new ServeConfig();
        cfg.mirrorPort = 0;
        cfg.clientPort = 0;
        cfg.timezone = ZoneOffset.UTC;
        return cfg;
    }

    public static Path testdata(String name) {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("testdata/golden"))) {
                return p.resolve("testdata").resolve(name);
            }
            p = p.getParent();
        }
        throw new IllegalStateException("testdata/ not found");
    }
}
