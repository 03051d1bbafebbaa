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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NcfxFramingTest {
    private static final byte[] WIFI = Fixtures.bytes("wifi.ncfx");
    private static final byte[] ETH = Fixtures.bytes("eth.ncfx");

    private static List<byte[]> drain(EmbeddedChannel ch) {
        List<byte[]> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readInbound()) != null) {
            out.add(ByteBufUtil.getBytes(b));
            b.release();
        }
        return out;
    }

    private static void assertSplitsDecode(byte[] data) {
        List<int[]> recs = Fixtures.ncfxRecords(data);
        for (int split = 0; split <= data.length; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(Framed.ncfx());
            ByteBuf a = Unpooled.wrappedBuffer(data, 0, split);
            ByteBuf b = Unpooled.wrappedBuffer(data, split, data.length - split);
            ch.writeInbound(a);
            ch.writeInbound(b);
            List<byte[]> got = drain(ch);
            assertEquals(recs.size(), got.size());
            for (int k = 0; k < recs.size(); k++) {
                assertArrayEquals(Arrays.copyOfRange(data, recs.get(k)[0], recs.get(k)[0] + recs.get(k)[1]), got.get(k));
            }
            assertFalse(ch.finishAndReleaseAll());
            assertEquals(0, split == 0 ? 0 : a.refCnt()); // an empty wrap is the shared EMPTY_BUFFER
            assertEquals(0, split == data.length ? 0 : b.refCnt());
        }
    }

    @Test
    void splitAtEveryByteBoundary() {
        assertSplitsDecode(WIFI);
        assertSplitsDecode(Arrays.copyOf(ETH, Fixtures.ncfxRecords(ETH).get(12)[0]));
    }

    @Test
    void oneByteAtATime() {
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncfx());
        for (byte b : WIFI) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertEquals(Fixtures.ncfxRecords(WIFI).size(), drain(ch).size());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void radioFieldsAreDecoded() {
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncfx());
        ch.writeInbound(Unpooled.wrappedBuffer(WIFI));
        PacketView v = new PacketView();
        WallClock clock = new WallClock(ZoneOffset.UTC);
        ByteBuf r = ch.readInbound();
        NcfRecords.decodeNcfx(r, r.readerIndex(), 0, clock, v);
        assertEquals(Medium.WIFI, v.medium());
        assertTrue(v.hasWifi());
        assertEquals(540, v.wifiRate100kbps());
        assertEquals(6, v.wifiChannel());
        assertEquals(-40, v.wifiSignalDbm());
        assertEquals(-95, v.wifiNoiseDbm());
        assertEquals(70, v.wifiSignalPercent());
        assertEquals(0x80, v.wifiBand());
        assertEquals(-1, v.wifiMcsIndex());
        assertEquals(4, v.ipVersion());
        assertEquals(1_700_000_200_123_456L, v.timestampMicros());
        r.release();
        ((ByteBuf) ch.readInbound()).release(); // record 2
        ByteBuf third = ch.readInbound(); // record 3 carries the MCS extension (make_ncfx.py)
        NcfRecords.decodeNcfx(third, third.readerIndex(), 0, clock, v);
        assertEquals(7, v.wifiMcsIndex());
        assertEquals(6, v.ipVersion());
        third.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void absurdLengthIsABrokenStream() {
        ByteBuf in = Unpooled.buffer();
        NcfxHeader.write(in, 10, 0, ZoneOffset.UTC, Medium.ETHERNET, 0, 0, null);
        in.writeZero(10);
        in.setIntLE(0, 0x7FFF_FFFF);
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncfx());
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> ch.writeInbound(in));
        assertTrue(e.getMessage().startsWith("ncfx data_len 2147483647 at offset 0 (expected 20.."), e.getMessage());
        assertEquals(0, in.refCnt());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void radioHeaderLongerThanRecordIsABrokenStream() {
        byte[] rec = Arrays.copyOf(WIFI, Fixtures.ncfxRecords(WIFI).get(0)[1]);
        Unpooled.wrappedBuffer(rec).setShortLE(20, 2000);
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncfx());
        StreamFormatException e = assertThrows(StreamFormatException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(rec)));
        assertTrue(e.getMessage().startsWith("ncfx radio header_len 2000 at offset 0"), e.getMessage());
        assertNull(ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void wifiRecordTooShortForRadioHeader() {
        ByteBuf in = Unpooled.buffer();
        NcfxHeader.write(in, 0, 0, ZoneOffset.UTC, Medium.ETHERNET, 0, 0, null);
        in.setByte(15, Medium.WIFI);
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncfx());
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> ch.writeInbound(in));
        assertTrue(e.getMessage().contains("too short for a radio header"), e.getMessage());
        ch.finishAndReleaseAll();
    }

    @Test
    void zeroLengthEthernetFrameIsValid() {
        ByteBuf in = Unpooled.buffer();
        NcfxHeader.write(in, 0, 5_000_000, ZoneOffset.UTC, Medium.ETHERNET, 0, RecordDirection.INBOUND, null);
        EmbeddedChannel ch = new EmbeddedChannel(Framed.ncfx());
        ch.writeInbound(in);
        ByteBuf r = ch.readInbound();
        assertEquals(NcfxHeader.LENGTH, r.readableBytes());
        PacketView v = new PacketView();
        NcfRecords.decodeNcfx(r, r.readerIndex(), 0, new WallClock(ZoneOffset.UTC), v);
        assertEquals(0, v.capturedLength());
        assertEquals(RecordDirection.INBOUND, v.direction());
        assertEquals(5_000_000, v.timestampMicros());
        r.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void headerWriterRoundTripsThroughTheFramer() {
        WifiInfo w = new WifiInfo(55, 1200, 0x40, 36, -50, -90, false, true, -1);
        ByteBuf in = Unpooled.buffer();
        NcfxHeader.write(in, 30, 1_000_000_123L, ZoneOffset.UTC, Medium.WIFI, 0, 0, w);
        in.writeZero(30);
        EmbeddedChannel dec = new EmbeddedChannel(Framed.ncfx());
        dec.writeInbound(in);
        ByteBuf r = dec.readInbound();
        assertEquals(20 + 20 + 30, r.readableBytes());
        PacketView v = new PacketView();
        NcfRecords.decodeNcfx(r, r.readerIndex(), 0, new WallClock(ZoneOffset.UTC), v);
        assertEquals(1_000_000_123L, v.timestampMicros());
        assertEquals(1200, v.wifiRate100kbps());
        assertEquals(36, v.wifiChannel());
        assertEquals(-50, v.wifiSignalDbm());
        assertTrue(v.wifiBadFcs());
        assertEquals(30, v.capturedLength());
        r.release();
        assertFalse(dec.finishAndReleaseAll());
        assertEquals(0, in.refCnt());
    }

    /** The dialect decided from the first header, split at every byte of the first record. */
    @Test
    void detectingTheDialectAtEverySplitOfTheFirstHeader() {
        List<int[]> recs = Fixtures.ncfxRecords(WIFI);
        for (int split = 0; split <= NcfxHeader.LENGTH + 4; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(Framed.detecting());
            ch.writeInbound(Unpooled.wrappedBuffer(WIFI, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(WIFI, split, WIFI.length - split));
            assertEquals(recs.size(), drain(ch).size(), "split " + split);
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void dialectDetection() {
        assertEquals(Dialect.NCFX, Dialect.detect(Unpooled.wrappedBuffer(WIFI), 0, 24));
        assertEquals(Dialect.NCFX, Dialect.detect(Unpooled.wrappedBuffer(ETH), 0, 24));
        byte[] ncf = Fixtures.bytes("eth.ncf");
        assertEquals(Dialect.NCF, Dialect.detect(Unpooled.wrappedBuffer(ncf), 0, 24));
        assertNull(Dialect.detect(Unpooled.wrappedBuffer(new byte[24]), 0, 24));
    }
}
