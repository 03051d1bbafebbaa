package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java pcapng reader and writer. Reader: every pcap fixture converted by Wireshark's editcap
 * reads as libpcap reads the same pcapng; several link types in one file (which libpcap refuses);
 * big-endian sections, binary and decimal time resolutions, time offsets, Simple and obsolete
 * Packet Blocks and blocks it does not know; damage named with block and offset; random damage
 * never throws anything else. Writer: what it writes reads back field for field, reaches the
 * channel as whole blocks only, and counts exactly what a failed write lost.
 */
class PcapngTest {
    @TempDir
    Path tmp;

    private static String describe(PacketView v) {
        return v.timestampMicros() + " " + v.capturedLength() + " " + v.originalLength() + " " + v.medium() + " "
                + LinkType.forFile(v.linkType()) + " " + ByteBufUtil.hexDump(v.buffer(), v.frameOffset(), v.capturedLength()) + " "
                + v.ipVersion() + " " + v.malformedReason();
    }

    private static List<String> records(CaptureReader r) throws IOException {
        List<String> out = new ArrayList<>();
        PacketView v = new PacketView();
        while (r.next(v)) {
            out.add(describe(v));
        }
        return out;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void everyPcapFixtureConvertedByEditcapReadsAsLibpcapReadsIt() throws Exception {
        int files = 0;
        try (var list = Files.list(Fixtures.path("golden").getParent())) {
            for (Path p : list.sorted().toList()) {
                if (!Files.isRegularFile(p) || !p.toString().endsWith(".pcap") || p.toString().contains("malformed")) {
                    continue;
                }
                Path ng = tmp.resolve(p.getFileName() + "ng");
                run("editcap", "-F", "pcapng", p.toString(), ng.toString());
                List<String> want;
                try (PcapFileReader lib = new PcapFileReader(ng, CaptureFormat.PCAPNG)) {
                    want = records(lib);
                }
                try (CaptureReader ours = CaptureFiles.open(ng, ZoneOffset.UTC)) {
                    assertEquals(CaptureFormat.PCAPNG, ours.format());
                    assertEquals(want, records(ours), p.getFileName().toString());
                }
                try (CaptureReader piped = CaptureFiles.open(java.nio.channels.Channels.newChannel(
                        new java.io.ByteArrayInputStream(Files.readAllBytes(ng))), "-", ZoneOffset.UTC)) {
                    assertEquals(want, records(piped), "piped " + p.getFileName());
                }
                files++;
            }
        }
        assertTrue(files >= 12, "pcap fixtures: " + files);
    }

    @Test
    void severalLinkTypesInOneFileReadAsTheirOwnFiles() throws Exception {
        Path merged = tmp.resolve("merged.pcapng");
        run("mergecap", "-a", "-F", "pcapng", "-w", merged.toString(), Fixtures.path("eth.pcap").toString(),
                Fixtures.path("wifi.pcap").toString(), Fixtures.path("token-ring.pcap").toString());
        List<String> want = new ArrayList<>();
        for (String f : List.of("eth.pcap", "wifi.pcap", "token-ring.pcap")) {
            try (CaptureReader r = CaptureFiles.open(Fixtures.path(f), ZoneOffset.UTC)) {
                want.addAll(records(r));
            }
        }
        try (CaptureReader r = CaptureFiles.open(merged, ZoneOffset.UTC)) {
            assertEquals(want, records(r));
        }
    }

    /** Builds pcapng blocks by hand, in either byte order. */
    private static final class Blocks {
        final ByteBuffer b;

        Blocks(boolean little) {
            b = ByteBuffer.allocate(1 << 16).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        }

        Blocks block(int type, byte[] body) {
            int len = 12 + ((body.length + 3) & ~3);
            b.putInt(type).putInt(len).put(body).put(new byte[((body.length + 3) & ~3) - body.length]).putInt(len);
            return this;
        }

        ByteBuffer body(int size) {
            return ByteBuffer.allocate(size).order(b.order());
        }

        Blocks section() {
            return block(0x0A0D0D0A, body(16).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array());
        }

        /** An IDB with a name, a time resolution byte and a time offset in seconds. */
        Blocks iface(int linkType, String name, int tsresol, long offsetSeconds) {
            byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteBuffer o = body(8 + 4 + ((n.length + 3) & ~3) + 8 + 12 + 4);
            o.putShort((short) linkType).putShort((short) 0).putInt(0);
            o.putShort((short) 2).putShort((short) n.length).put(n).put(new byte[((n.length + 3) & ~3) - n.length]);
            o.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
            o.putShort((short) 14).putShort((short) 8).putLong(offsetSeconds);
            o.putShort((short) 0).putShort((short) 0);
            return block(1, o.array());
        }

        Blocks epb(int iface, long ts, byte[] frame, int flags) {
            ByteBuffer o = body(20 + ((frame.length + 3) & ~3) + 12);
            o.putInt(iface).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(frame.length).putInt(frame.length + 10);
            o.put(frame).put(new byte[((frame.length + 3) & ~3) - frame.length]);
            o.putShort((short) 2).putShort((short) 4).putInt(flags).putShort((short) 0).putShort((short) 0);
            return block(6, o.array());
        }

        byte[] bytes() {
            return Arrays.copyOf(b.array(), b.position());
        }
    }

    private static byte[] ethFrame(int k) {
        byte[] f = new byte[60];
        new Random(k).nextBytes(f);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xb5;
        return f;
    }

    @Test
    void sectionsOfEitherByteOrderWithTheirOwnInterfacesTimesAndDirections() throws IOException {
        Blocks be = new Blocks(false).section()
                .iface(LinkType.ETHERNET, "sensor-a", 0x80 | 20, 0) // 2^-20 s units
                .block(0x00000BAD, new byte[40]) // a custom block: skipped
                .iface(LinkType.ETHERNET, "sensor-b", 3, 1_000) // ms, an offset of 1,000 s
                .epb(0, 3L << 20, ethFrame(1), 1)
                .epb(1, 5_000, ethFrame(2), 2)
                .block(3, ByteBuffer.allocate(64).putInt(60).put(ethFrame(3)).array()); // an SPB of interface 0
        Blocks le = new Blocks(true).section()
                .iface(LinkType.ETHERNET, "sensor-c", 9, 0) // ns
                .epb(0, 4_102_444_800_123_456_789L, ethFrame(4), 0); // 2100-01-01
        byte[] file = new byte[be.bytes().length + le.bytes().length];
        System.arraycopy(be.bytes(), 0, file, 0, be.bytes().length);
        System.arraycopy(le.bytes(), 0, file, be.bytes().length, le.bytes().length);
        Path p = Files.write(tmp.resolve("sections.pcapng"), file);
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(p, ZoneOffset.UTC)) {
            assertTrue(r.next(v));
            assertEquals(3_000_000L, v.timestampMicros());
            assertEquals("sensor-a", v.source());
            assertEquals(RecordDirection.INBOUND, v.direction());
            assertEquals(70, v.originalLength());
            assertTrue(r.next(v));
            assertEquals(1_005_000_000L, v.timestampMicros());
            assertEquals("sensor-b", v.source());
            assertEquals(RecordDirection.OUTBOUND, v.direction());
            assertTrue(r.next(v));
            assertEquals("sensor-a", v.source());
            assertEquals(60, v.capturedLength());
            assertEquals(ByteBufUtil.hexDump(ethFrame(3)), ByteBufUtil.hexDump(v.buffer(), v.frameOffset(), 60));
            assertTrue(r.next(v));
            assertEquals(4_102_444_800_123_456L, v.timestampMicros());
            assertEquals("sensor-c", v.source());
            assertEquals(-1, v.direction());
            assertFalse(r.next(v));
        }
    }

    private StreamFormatException damage(byte[] file) throws IOException {
        Path p = Files.write(tmp.resolve("damaged.pcapng"), file);
        try (CaptureReader r = CaptureFiles.open(p, ZoneOffset.UTC)) {
            PacketView v = new PacketView();
            return assertThrows(StreamFormatException.class, () -> {
                while (r.next(v)) {
                    // up to the damage
                }
            });
        }
    }

    @Test
    void damageIsNamedWithBlockAndOffset() throws IOException {
        byte[] good = new Blocks(true).section().iface(LinkType.ETHERNET, "x", 6, 0).epb(0, 1, ethFrame(1), 0).bytes();
        int epb = good.length - (32 + 60 + 12);
        byte[] cut = Arrays.copyOf(good, good.length - 5);
        assertEquals("pcapng block 3 at offset " + epb + ": truncated dump file; tried to read 104 block bytes, only got 99",
                damage(cut).getMessage());
        byte[] odd = good.clone();
        ByteBuffer.wrap(odd).order(ByteOrder.LITTLE_ENDIAN).putInt(epb + 4, 103);
        StreamFormatException e = damage(odd);
        assertEquals("pcapng block 3 at offset " + epb + ": block length 103 is not a multiple of 4", e.getMessage());
        assertEquals(epb, e.offset());
        byte[] trailer = good.clone();
        ByteBuffer.wrap(trailer).order(ByteOrder.LITTLE_ENDIAN).putInt(good.length - 4, 108);
        assertEquals("pcapng block 3 at offset " + epb + ": block length 104 does not match the trailing length 108",
                damage(trailer).getMessage());
        byte[] iface = good.clone();
        ByteBuffer.wrap(iface).order(ByteOrder.LITTLE_ENDIAN).putInt(epb + 8, 7);
        assertEquals("pcapng block 3 at offset " + epb + ": a packet of interface 7, but only 1 is described",
                damage(iface).getMessage());
        byte[] caplen = good.clone();
        ByteBuffer.wrap(caplen).order(ByteOrder.LITTLE_ENDIAN).putInt(epb + 20, 90);
        assertEquals("pcapng block 3 at offset " + epb + ": captured length 90 is larger than the 72 bytes its block holds",
                damage(caplen).getMessage());
        byte[] magic = good.clone();
        magic[8] = 0x55;
        assertTrue(damage(magic).getMessage().startsWith("pcapng block 1 at offset 0: section header with an unknown byte-order"));
    }

    @Test
    void randomDamageIsAlwaysAStreamFormatException() throws IOException {
        byte[] good = Files.readAllBytes(Fixtures.path("eth.pcapng"));
        Random rnd = new Random(42);
        PacketView v = new PacketView();
        int damaged = 0;
        for (int k = 0; k < 3000; k++) {
            byte[] b = good.clone();
            for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(4) == 0) {
                b = Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            try (CaptureReader r = CaptureFiles.open(java.nio.channels.Channels.newChannel(
                    new java.io.ByteArrayInputStream(b)), "fuzz", ZoneOffset.UTC)) {
                while (r.next(v)) {
                    assertTrue(v.capturedLength() >= 0 && v.capturedLength() <= 262_144);
                }
            } catch (StreamFormatException e) {
                damaged++;
            }
        }
        assertTrue(damaged > 100, "damaged " + damaged);
    }

    @Test
    void whatTheWriterWritesReadsBackFieldForField() throws IOException {
        PcapWriterTest.RecordingChannel ch = new PcapWriterTest.RecordingChannel();
        List<String> want = new ArrayList<>();
        TreeSet<Long> boundaries = new TreeSet<>();
        try (PcapngWriter w = new PcapngWriter(ch, "test")) {
            boundaries.add((long) w.headerSize());
            long at = w.headerSize();
            int[] types = {LinkType.ETHERNET, LinkType.IEEE802_11, LinkType.TOKEN_RING};
            Random rnd = new Random(3);
            for (int k = 0; k < 5000; k++) {
                int i = k % 3;
                if (k < 3) {
                    assertEquals(i, w.addInterface(types[i], "agent " + i, "a test interface " + i));
                    at += PcapngWriter.interfaceSize("agent " + i, "a test interface " + i);
                    boundaries.add(at);
                }
                int len = rnd.nextInt(10) == 0 ? 9000 + rnd.nextInt(50_000) : 14 + rnd.nextInt(1500);
                byte[] f = new byte[len];
                rnd.nextBytes(f);
                int dir = k % 4; // pass, in, out, and 3, which pcapng cannot say
                long ts = 4_102_444_800_000_000L + k * 1001L; // 2100 and after
                w.write(i, ts, Unpooled.wrappedBuffer(f), 0, len, len + 3, dir);
                at += PcapngWriter.recordSize(len, dir);
                boundaries.add(at);
                want.add(ts + " " + len + " " + (len + 3) + " " + "agent " + i + " " + types[i] + " "
                        + (dir == 1 || dir == 2 ? dir : -1) + " " + ByteBufUtil.hexDump(f));
            }
        }
        for (long end : ch.writeEnds) {
            assertTrue(boundaries.contains(end), "a write ended at " + end + ", inside a block");
        }
        assertEquals(boundaries.last(), ch.data.size());
        Path p = Files.write(tmp.resolve("w.pcapng"), ch.data.toByteArray());
        List<String> got = new ArrayList<>();
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(p, ZoneOffset.UTC)) {
            while (r.next(v)) {
                got.add(v.timestampMicros() + " " + v.capturedLength() + " " + v.originalLength() + " " + v.source() + " "
                        + v.linkType() + " " + v.direction() + " "
                        + ByteBufUtil.hexDump(v.buffer(), v.frameOffset(), v.capturedLength()));
            }
        }
        assertEquals(want, got);
    }

    @Test
    void aFailedWriteReportsExactlyThePacketsThatDidNotReachTheFile() throws IOException {
        PcapWriterTest.RecordingChannel ch = new PcapWriterTest.RecordingChannel();
        PcapngWriter w = new PcapngWriter(ch, "test");
        int idb = PcapngWriter.interfaceSize("a", null);
        ch.failAfter = w.headerSize() + idb + 10L * PcapngWriter.recordSize(100, 1) + 50;
        ByteBuf f = Unpooled.wrappedBuffer(new byte[100]);
        w.addInterface(LinkType.ETHERNET, "a", null);
        for (int k = 0; k < 30; k++) {
            w.write(0, k, f, 0, 100, 100, 1);
        }
        CaptureWriter.WriteFailedException e = assertThrows(CaptureWriter.WriteFailedException.class, w::flush);
        assertEquals(10, w.packets());
        assertEquals(20, e.lost());
    }
}
