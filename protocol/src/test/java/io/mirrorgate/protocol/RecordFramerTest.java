package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordFramerTest {
    private static List<byte[]> frameInTwoWrites(Dialect d, byte[] data, int split) {
        RecordFramer f = new RecordFramer(d);
        List<byte[]> got = new ArrayList<>();
        RecordFramer.Sink sink = (buf, index, length) -> got.add(ByteBufUtil.getBytes(buf, index, length));
        ByteBuf cumulation = Unpooled.buffer();
        cumulation.writeBytes(data, 0, split);
        f.drain(cumulation, sink);
        cumulation.discardReadBytes();
        cumulation.writeBytes(data, split, data.length - split);
        f.drain(cumulation, sink);
        assertEquals(0, cumulation.readableBytes());
        assertEquals(data.length, f.streamOffset());
        return got;
    }

    @Test
    void sameRecordsAtEverySeventhSplitOfTwoWrites() {
        for (String[] c : new String[][] {{"eth.ncf", "NCF"}, {"wifi.ncfx", "NCFX"}, {"token-ring.ncf", "NCF"}}) {
            byte[] data = Fixtures.bytes(c[0]);
            Dialect d = Dialect.valueOf(c[1]);
            List<int[]> recs = d == Dialect.NCF ? Fixtures.ncfRecords(data) : Fixtures.ncfxRecords(data);
            for (int split = 0; split <= data.length; split += 7) {
                List<byte[]> got = frameInTwoWrites(d, data, split);
                assertEquals(recs.size(), got.size());
                for (int k = 0; k < recs.size(); k++) {
                    assertArrayEquals(Arrays.copyOfRange(data, recs.get(k)[0], recs.get(k)[0] + recs.get(k)[1]), got.get(k));
                }
            }
        }
    }

    @Test
    void brokenHeaderThrowsWithOffsetAndConsumesNothingOfIt() {
        byte[] bad = Fixtures.bytes("eth-badmonth.ncf");
        int off = Fixtures.ncfRecords(bad).get(5)[0];
        RecordFramer f = new RecordFramer(Dialect.NCF);
        List<Integer> seen = new ArrayList<>();
        ByteBuf in = Unpooled.wrappedBuffer(bad);
        StreamFormatException e = assertThrows(StreamFormatException.class, () -> f.drain(in, (b, i, l) -> seen.add(i)));
        assertEquals(off, e.offset());
        assertEquals(5, seen.size());
        assertEquals(off, in.readerIndex());
    }
}
