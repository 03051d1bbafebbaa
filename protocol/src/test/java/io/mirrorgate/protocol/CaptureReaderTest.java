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
}
