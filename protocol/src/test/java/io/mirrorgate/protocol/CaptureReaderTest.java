package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureReaderTest {
    @TempDir
    Path tmp;

    @Test
    void formatsAreRecognisedByContent() throws IOException {
        String[][] cases = {{"eth.ncf", "NCF"}, {"wifi.ncf", "NCF"}, {"eth.ncfx", "NCFX"}, {"wifi.ncfx", "NCFX"},
            {"eth.pcap", "PCAP"}, {"eth-be.pcap", "PCAP"}, {"eth-ns.pcap", "PCAP"}, {"eth.pcapng", "PCAPNG"}};
        for (String[] c : cases) {
            Path renamed = tmp.resolve("capture-" + c[0].replace('.', '_') + ".bin");
            Files.copy(Fixtures.path(c[0]), renamed);
            try (CaptureReader r = CaptureFiles.open(renamed, ZoneOffset.UTC)) {
                assertEquals(c[1], r.format().name(), c[0]);
            }
        }
    }

    @Test
    void recordCutShortStopsWithItsOffsetAfterEveryRecordBeforeIt() throws IOException {
        byte[] full = Fixtures.bytes("eth.ncf");
        List<int[]> recs = Fixtures.ncfRecords(full);
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(Fixtures.path("eth-cut.ncf"), ZoneOffset.UTC)) {
            for (int k = 0; k < 5; k++) {
                assertTrue(r.next(v));
                assertEquals(recs.get(k)[0], r.recordOffset());
            }
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> r.next(v));
            assertEquals("ncf record at offset " + recs.get(5)[0] + " declares " + recs.get(5)[1]
                    + " bytes, file ends after 30", e.getMessage());
        }
    }

    @Test
    void headerCutShort() throws IOException {
        byte[] full = Fixtures.bytes("eth.ncf");
        int second = Fixtures.ncfRecords(full).get(1)[0];
        Path p = tmp.resolve("x.ncf");
        Files.write(p, Arrays.copyOf(full, second + 10));
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(p, ZoneOffset.UTC)) {
            assertTrue(r.next(v));
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> r.next(v));
            assertEquals("ncf record header at offset " + second + " cut short: 10 of 24 bytes", e.getMessage());
        }
    }

    @Test
    void pcapCutShortReportsTheRecordAndOffset() throws IOException {
        byte[] full = Fixtures.bytes("eth.pcap");
        Path p = tmp.resolve("cut.pcap");
        Files.write(p, Arrays.copyOf(full, 24 + 16 + 58 + 16 + 20));
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(p, ZoneOffset.UTC)) {
            assertTrue(r.next(v));
            StreamFormatException e = assertThrows(StreamFormatException.class, () -> r.next(v));
            assertTrue(e.getMessage().startsWith("pcap record 2 at offset 98: "), e.getMessage());
            assertEquals(98, e.offset());
        }
    }

    @Test
    void emptyFileIsAnEmptyCapture() throws IOException {
        Path p = tmp.resolve("empty");
        Files.write(p, new byte[0]);
        try (CaptureReader r = CaptureFiles.open(p, ZoneOffset.UTC)) {
            assertEquals(false, r.next(new PacketView()));
        }
    }

    @Test
    void garbageIsNoFormat() throws IOException {
        Path p = tmp.resolve("garbage");
        Files.write(p, "this is not a capture file at all".getBytes());
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> CaptureFiles.open(p, ZoneOffset.UTC));
        assertTrue(e.getMessage().startsWith("not a pcap, pcapng, NCF or NCFX file (as NCF: ncf version"), e.getMessage());
    }

    @Test
    void missingFile() {
        assertThrows(NoSuchFileException.class, () -> CaptureFiles.open(tmp.resolve("nope"), ZoneOffset.UTC));
    }

    @Test
    void pcapWriterOutputReadsBackThroughLibpcap() throws IOException {
        Path out = tmp.resolve("w.pcap");
        PacketView v = new PacketView();
        int n = 0;
        try (CaptureReader r = CaptureFiles.open(Fixtures.path("wifi.ncf"), ZoneOffset.UTC);
             PcapWriter w = new PcapWriter(Files.newOutputStream(out), LinkType.IEEE802_11)) {
            while (r.next(v)) {
                w.write(v.timestampMicros(), v.buffer(), v.frameOffset(), v.capturedLength(), v.originalLength());
                n++;
            }
        }
        List<IpPacket> want = IpDecoderTest.read("wifi.pcap");
        PacketView back = new PacketView();
        try (PcapFileReader r = new PcapFileReader(out, CaptureFormat.PCAP)) {
            assertEquals(LinkType.IEEE802_11, r.linkType());
            for (int k = 0; k < n; k++) {
                assertTrue(r.next(back));
                assertEquals(want.get(k), IpPacket.of(back));
            }
            assertEquals(false, r.next(back));
        }
        assertEquals(want.size(), n);
    }

    /** Seconds since the epoch that a signed 32-bit field gets wrong, and the last one pcap can hold. */
    private static final long[] LATE_SECONDS = {0L, 2_147_483_647L, 2_147_483_648L, 2_208_988_800L /* 2040 */,
        4_294_967_295L /* 2106-02-07T06:28:15Z */};

    /** Regression: a pcap stamped in 2040 read as 1904 (libpcap sign-extends the 32-bit seconds). */
    @Test
    void pcapTimesAfter2038ReadAsWrittenUpTo2106() throws IOException {
        Path out = tmp.resolve("late.pcap");
        byte[] frame = Arrays.copyOfRange(Fixtures.bytes("eth.ncf"), 24, 24 + 58);
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.wrappedBuffer(frame);
        try (PcapWriter w = new PcapWriter(Files.newOutputStream(out), LinkType.ETHERNET)) {
            for (long s : LATE_SECONDS) {
                w.write(s * 1_000_000L + 999_999, b, 0, frame.length, frame.length);
            }
        }
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(out, ZoneOffset.UTC)) {
            for (long s : LATE_SECONDS) {
                assertTrue(r.next(v));
                assertEquals(s * 1_000_000L + 999_999, v.timestampMicros(), "seconds " + s);
            }
        }
    }

    @Test
    void pcapngTimesAfter2038ReadAsWritten() throws IOException {
        Path out = tmp.resolve("late.pcapng");
        byte[] frame = Arrays.copyOfRange(Fixtures.bytes("eth.ncf"), 24, 24 + 58);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4096).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        bb.putInt(1).putInt(20).putShort((short) LinkType.ETHERNET).putShort((short) 0).putInt(0).putInt(20);
        long[] late = {2_208_988_800L, 4_294_967_296L /* 2106, past what pcap holds */};
        for (long s : late) {
            long us = s * 1_000_000L + 5;
            int len = 32 + 60;
            bb.putInt(6).putInt(len).putInt(0).putInt((int) (us >>> 32)).putInt((int) us).putInt(58).putInt(58);
            bb.put(frame).put(new byte[2]).putInt(len);
        }
        Files.write(out, Arrays.copyOf(bb.array(), bb.position()));
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(out, ZoneOffset.UTC)) {
            for (long s : late) {
                assertTrue(r.next(v));
                assertEquals(s * 1_000_000L + 5, v.timestampMicros(), "seconds " + s);
            }
        }
    }
}
