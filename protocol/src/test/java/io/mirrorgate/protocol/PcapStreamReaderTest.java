package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java pcap reader against libpcap as the oracle ({@link PcapFileReader}): every record of
 * every pcap fixture (both byte orders, µs and ns, Ethernet, raw IP, Linux cooked, BSD loopback,
 * 802.11 with radiotap, Token Ring, snap-cut frames) read the same, and damage reported as libpcap
 * reports it, with the record and its offset.
 */
class PcapStreamReaderTest {
    @TempDir
    Path tmp;

    private static List<String> records(CaptureReader r) throws IOException {
        List<String> out = new ArrayList<>();
        PacketView v = new PacketView();
        while (r.next(v)) {
            out.add(v.timestampMicros() + " " + v.capturedLength() + " " + v.originalLength() + " " + v.medium() + " "
                    + ByteBufUtil.hexDump(v.buffer(), v.frameOffset(), v.capturedLength()) + " " + v.ipVersion() + " "
                    + v.malformedReason());
        }
        return out;
    }

    @Test
    void everyPcapFixtureReadsAsLibpcapReadsIt() throws IOException {
        int files = 0;
        try (var list = Files.list(Fixtures.path("golden").getParent())) {
            for (Path p : list.sorted().toList()) {
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                byte[] head = Arrays.copyOf(Files.readAllBytes(p), CaptureFormat.DETECT_LENGTH);
                if (CaptureFormat.detect(head, (int) Math.min(Files.size(p), head.length))
                        != CaptureFormat.PCAP) {
                    continue;
                }
                List<String> want;
                try (PcapFileReader lib = new PcapFileReader(p, CaptureFormat.PCAP)) {
                    want = records(lib);
                }
                try (PcapStreamReader ours = new PcapStreamReader(p)) {
                    assertEquals(want, records(ours), p.getFileName().toString());
                }
                files++;
            }
        }
        assertTrue(files >= 12, "pcap fixtures: " + files);
    }

    private static byte[] pcap(boolean little, int snaplen, long seconds, int caplen, int origlen, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + dataBytes).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snaplen).putInt(1);
        b.putInt((int) seconds).putInt(5).putInt(caplen).putInt(origlen);
        return b.array();
    }

    @Test
    void timesAfter2038AreUnsigned() throws IOException {
        long seconds = 0x80000010L; // 2038-01-19T03:14:24Z
        Path p = Files.write(tmp.resolve("2038.pcap"), pcap(true, 65535, seconds, 60, 60, 60));
        try (PcapStreamReader r = new PcapStreamReader(p)) {
            PacketView v = new PacketView();
            assertTrue(r.next(v));
            assertEquals(seconds * 1_000_000L + 5, v.timestampMicros());
            assertFalse(r.next(v));
        }
    }

    @Test
    void damageIsNamedWithRecordAndOffset() throws IOException {
        Path big = Files.write(tmp.resolve("big.pcap"), pcap(false, 65535, 1, 300_000, 300_000, 0));
        try (PcapStreamReader r = new PcapStreamReader(big)) {
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> r.next(new PacketView()));
            assertEquals("pcap record 1 at offset 24: invalid packet capture length 300000, bigger than maximum of 262144",
                    e.getMessage());
            assertEquals(24, e.offset());
        }
        Path cut = Files.write(tmp.resolve("cut.pcap"), pcap(true, 65535, 1, 60, 60, 20));
        try (PcapStreamReader r = new PcapStreamReader(cut)) {
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> r.next(new PacketView()));
            assertEquals("pcap record 1 at offset 24: truncated dump file; tried to read 60 captured bytes, only got 20",
                    e.getMessage());
        }
        Path header = Files.write(tmp.resolve("header.pcap"), Arrays.copyOf(pcap(true, 65535, 1, 60, 60, 60), 30));
        try (PcapStreamReader r = new PcapStreamReader(header)) {
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> r.next(new PacketView()));
            assertEquals("pcap record 1 at offset 24: truncated dump file; tried to read 16 header bytes, only got 6",
                    e.getMessage());
        }
        byte[] archaic = pcap(true, 65535, 1, 60, 60, 60);
        archaic[4] = 1;
        StreamFormatException e = assertThrows(StreamFormatException.class,
                () -> new PcapStreamReader(Files.write(tmp.resolve("v1.pcap"), archaic)));
        assertEquals("pcap header: archaic pcap savefile format 1 at offset 4", e.getMessage());
    }

    /**
     * {@link PacketView#setFrameOnly}: the record and the frame exactly as a full decode gives
     * them, the IP fields as for a frame without IP (what a pcap writer or a BPF filter needs, and
     * no more).
     */
    @Test
    void frameOnlyDecodesTheRecordAndTheFrameAlone() throws IOException {
        PacketView full = new PacketView();
        PacketView frame = new PacketView();
        frame.setFrameOnly(true);
        try (PcapStreamReader a = new PcapStreamReader(Fixtures.path("eth.pcap"));
             PcapStreamReader b = new PcapStreamReader(Fixtures.path("eth.pcap"))) {
            int n = 0;
            while (a.next(full)) {
                assertTrue(b.next(frame));
                assertEquals(full.timestampMicros(), frame.timestampMicros());
                assertEquals(full.capturedLength(), frame.capturedLength());
                assertEquals(full.originalLength(), frame.originalLength());
                assertEquals(full.linkType(), frame.linkType());
                assertEquals(ByteBufUtil.hexDump(full.buffer(), full.frameOffset(), full.capturedLength()),
                        ByteBufUtil.hexDump(frame.buffer(), frame.frameOffset(), frame.capturedLength()));
                assertEquals(0, frame.ipVersion());
                assertFalse(frame.hasIpHeader());
                n++;
            }
            assertEquals(39, n);
        }
    }
}
