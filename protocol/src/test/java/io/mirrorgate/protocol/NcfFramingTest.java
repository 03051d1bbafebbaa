package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NcfFramingTest {
    private static final byte[] ETH = Fixtures.bytes("eth.ncf");

    private static List<byte[]> drain(EmbeddedChannel ch) {
        List<byte[]> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readInbound()) != null) {
            try {
                out.add(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }
        return out;
    }

    private static List<byte[]> expected(byte[] data) {
        List<byte[]> out = new ArrayList<>();
        for (int[] r : Fixtures.ncfRecords(data)) {
            out.add(java.util.Arrays.copyOfRange(data, r[0], r[0] + r[1]));
        }
        return out;
    }

    private static void assertRecords(List<byte[]> want, List<byte[]> got) {
        assertEquals(want.size(), got.size());
        for (int k = 0; k < want.size(); k++) {
            assertArrayEquals(want.get(k), got.get(k), "record " + k);
        }
    }

    @Test
    void splitAtEveryByteBoundaryYieldsTheSameRecords() {
        List<byte[]> want = expected(ETH);
        for (int split = 0; split <= ETH.length; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(Framed.ncf());
            ByteBuf a = Unpooled.wrappedBuffer(ETH, 0, split);
            ByteBuf b = Unpooled.wrappedBuffer(ETH, split, ETH.length - split);
            ch.writeInbound(a);
            ch.writeInbound(b);
            assertRecords(want, drain(ch));
            assertFalse(ch.finishAndReleaseAll());
            assertEquals(0, split == 0 ? 0 : a.refCnt()); // an empty wrap is the shared EMPTY_BUFFER
            assertEquals(0, split == ETH.length ? 0 : b.refCnt());
        }
    }

    /**
     * Reads of random sizes, smaller and larger than a record: every record comes out once, in
     * order; a record that lies within one read is a slice of that read (framed where it lies, not
     * copied); a cut record, also one cut across several reads, is completed apart; and every read
     * buffer is released.
     */
    @Test
    void recordsWithinAReadAreFramedWhereTheyLieAndCutRecordsAreCompletedApart() {
        List<byte[]> want = expected(ETH);
        java.util.Random rnd = new java.util.Random(7);
        for (int round = 0; round < 200; round++) {
            boolean small = round % 2 == 0;
            EmbeddedChannel ch = new EmbeddedChannel(Framed.ncf());
            List<ByteBuf> reads = new ArrayList<>();
            List<byte[]> got = new ArrayList<>();
            int inPlace = 0;
            for (int off = 0; off < ETH.length;) {
                int n = Math.min(ETH.length - off, 1 + rnd.nextInt(small ? 64 : 3000));
                ByteBuf read = Unpooled.copiedBuffer(ETH, off, n);
                reads.add(read);
                ch.writeInbound(read);
                for (ByteBuf b; (b = ch.readInbound()) != null;) {
                    if (b.unwrap() == read) {
                        inPlace++;
                    }
                    got.add(ByteBufUtil.getBytes(b));
                    b.release();
                }
                off += n;
            }
            assertRecords(want, got);
            if (!small) {
                assertTrue(inPlace > want.size() / 2, inPlace + " of " + want.size() + " records framed in place");
            }
            for (ByteBuf r : reads) {
                assertEquals(0, r.refCnt());
            }
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void oneByteAtATime() {
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncf());
        for (byte b : ETH) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertRecords(expected(ETH), drain(ch));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void maxLengthAndZeroLengthRecords() {
        ByteBuf in = Unpooled.buffer();
        long t = 1_700_000_000_123_456L;
        NcfHeader.write(in, NcfHeader.MAX_DATA_LENGTH, t, ZoneOffset.UTC, Medium.ETHERNET, RecordDirection.INBOUND);
        for (int k = 0; k < NcfHeader.MAX_DATA_LENGTH; k++) {
            in.writeByte(k);
        }
        NcfHeader.write(in, 0, t, ZoneOffset.UTC, Medium.ETHERNET, RecordDirection.OUTBOUND);
        NcfHeader.write(in, 3, t, ZoneOffset.UTC, Medium.ETHERNET, RecordDirection.PASS_THROUGH);
        in.writeBytes(new byte[] {1, 2, 3});
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncf());
        ch.writeInbound(in);
        List<byte[]> got = drain(ch);
        assertEquals(3, got.size());
        assertEquals(NcfHeader.MAX_RECORD_LENGTH, got.get(0).length);
        assertEquals(NcfHeader.LENGTH, got.get(1).length);
        assertEquals(NcfHeader.LENGTH + 3, got.get(2).length);
        PacketView v = new PacketView();
        WallClock clock = new WallClock(ZoneOffset.UTC);
        NcfRecords.decode(Unpooled.wrappedBuffer(got.get(1)), 0, clock, v);
        assertEquals(0, v.capturedLength());
        assertEquals(t, v.timestampMicros());
        assertEquals(RecordDirection.OUTBOUND, v.direction());
        assertEquals(0, v.ipVersion());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void badMonthClosesWithOffsetAndDiscardsTheRest() {
        byte[] bad = Fixtures.bytes("eth-badmonth.ncf");
        List<int[]> recs = Fixtures.ncfRecords(bad);
        int badOffset = recs.get(5)[0];
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncf());
        StreamFormatException e = assertThrows(StreamFormatException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(bad)));
        assertEquals("ncf month 13 at offset " + badOffset + " (expected 1..12)", e.getMessage());
        assertEquals(badOffset, e.offset());
        assertEquals(5, drain(ch).size());
        // after the failure nothing more is decoded, even a good record
        ch.writeInbound(Unpooled.wrappedBuffer(ETH, 0, recs.get(0)[1]));
        assertNull(ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void everyHeaderRangeIsChecked() {
        int[][] cases = {{4, 1}, {5, 0xB1}, {7, 0}, {7, 13}, {8, 0}, {8, 32}, {9, 24}, {10, 60}, {11, 61}, {16, 3}, {16, 0x0F}};
        String[] names = {"version", "year", "month", "month", "day", "day", "hours", "minutes", "seconds", "medium", "medium"};
        for (int k = 0; k < cases.length; k++) {
            byte[] rec = java.util.Arrays.copyOf(ETH, Fixtures.ncfRecords(ETH).get(0)[1]);
            rec[cases[k][0]] = (byte) cases[k][1];
            if (cases[k][0] == 5) {
                rec[6] = 0x07; // year 0x07B1 = 1969
            }
            EmbeddedChannel ch = new EmbeddedChannel(Framed.ncf());
            StreamFormatException e = assertThrows(StreamFormatException.class,
                    () -> ch.writeInbound(Unpooled.wrappedBuffer(rec)));
            assertTrue(e.getMessage().startsWith("ncf " + names[k] + " "), e.getMessage());
            assertTrue(e.getMessage().contains(" at offset 0 (expected "), e.getMessage());
            ch.finishAndReleaseAll();
        }
        // usecs 1000000
        byte[] rec = java.util.Arrays.copyOf(ETH, Fixtures.ncfRecords(ETH).get(0)[1]);
        Unpooled.wrappedBuffer(rec).setIntLE(12, 1_000_000);
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncf());
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(rec)));
        assertEquals("ncf usecs 1000000 at offset 0 (expected 0..999999)", e.getMessage());
        ch.finishAndReleaseAll();
    }

    @Test
    void secondsSixtyAndCompressedRecordsAreValid() {
        ByteBuf in = Unpooled.buffer();
        NcfHeader.write(in, 2, 0, ZoneOffset.UTC, Medium.ETHERNET | NcfHeader.FLAG_COMPRESSED, 0);
        in.writeShort(0xABCD);
        in.setByte(11, 60);
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncf());
        ch.writeInbound(in);
        ByteBuf r = ch.readInbound();
        PacketView v = new PacketView();
        NcfRecords.decode(r, r.readerIndex(), new WallClock(ZoneOffset.UTC), v);
        assertTrue(v.compressed());
        assertEquals(60_000_000L, v.timestampMicros()); // 1970-01-01 00:00:60 = 00:01:00
        r.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    /** The framing the style guide names, proved equal to ours on a real stream. */
    @Test
    void plainLengthFieldFramerAgrees() {
        EmbeddedChannel plain = new EmbeddedChannel(
                new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN, 24 + 65535, 0, 2, 22, 0, true));
        plain.writeInbound(Unpooled.wrappedBuffer(ETH));
        assertRecords(expected(ETH), drain(plain));
        assertFalse(plain.finishAndReleaseAll());
    }

    @Test
    void headerWriterRoundTripsThroughTheFramer() {
        WifiInfo w = new WifiInfo(70, 540, 0x04, 6, -40, -95, true, false, -1);
        ByteBuf in = Unpooled.buffer();
        NcfHeader.write(in, 5, 1_700_000_000_123_456L, ZoneOffset.UTC, Medium.WIFI, 0, w);
        in.writeBytes(new byte[] {1, 2, 3, 4, 5});
        EmbeddedChannel dec = new EmbeddedChannel(Framed.ncf());
        for (int k = 0; k < in.writerIndex(); k += 7) { // in pieces, as a socket delivers it
            dec.writeInbound(in.retainedSlice(k, Math.min(7, in.writerIndex() - k)));
        }
        in.release();
        ByteBuf rec = dec.readInbound();
        PacketView v = new PacketView();
        NcfRecords.decode(rec, rec.readerIndex(), new WallClock(ZoneOffset.UTC), v);
        assertEquals(1_700_000_000_123_456L, v.timestampMicros());
        assertEquals(Medium.WIFI, v.medium());
        assertEquals(70, v.wifiSignalPercent());
        assertEquals(540, v.wifiRate100kbps());
        assertEquals(6, v.wifiChannel());
        assertEquals(-40, v.wifiSignalDbm());
        assertEquals(-95, v.wifiNoiseDbm());
        assertTrue(v.wifiDecrypted());
        assertEquals(5, v.capturedLength());
        rec.release();
        assertFalse(dec.finishAndReleaseAll());
        assertEquals(0, in.refCnt());
    }

    /** The dialect decided from the first header, as a collector with --dialect auto does. */
    @Test
    void detectingTheDialectFramesTheSameRecords() {
        EmbeddedChannel ch = new EmbeddedChannel(Framed.detecting());
        for (int k = 0; k < ETH.length; k += 5) {
            ch.writeInbound(Unpooled.wrappedBuffer(ETH, k, Math.min(5, ETH.length - k)));
        }
        assertRecords(expected(ETH), drain(ch));
        assertFalse(ch.finishAndReleaseAll());
    }
}
