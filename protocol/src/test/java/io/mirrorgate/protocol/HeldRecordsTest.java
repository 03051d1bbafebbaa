package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Records {@link RecordStreamDecoderBase#hold} kept back, as the collector's agent handler holds
 * them under {@code --backpressure block}: a subclass that, like the collector, gathers a read's
 * records and forwards them only at {@link RecordStreamDecoderBase#afterRead} must find every
 * buffer they came from still alive then, also when the hold began again in the middle of
 * handing on what was held and the next read had to be merged behind the rest.
 */
class HeldRecordsTest {
    private static final byte[] ETH = Fixtures.bytes("eth.ncf");

    /** Gathers (buffer, index, length) per read and copies the records out at the end of the read. */
    private static final class Gathering extends RecordStreamDecoderBase {
        final List<byte[]> out = new ArrayList<>();
        private final List<Object[]> pending = new ArrayList<>();
        boolean holding;
        /** Hold again after this many more records (-1: never). */
        int holdAfter = -1;

        Gathering() {
            super(Dialect.NCF);
        }

        @Override
        protected void record(ByteBuf buf, int index, int length) {
            pending.add(new Object[] {buf, index, length});
            if (holdAfter > 0 && --holdAfter == 0) {
                holding = true; // what handing on a run does when it fills an output
            }
        }

        @Override
        protected void afterRead() {
            for (Object[] p : pending) {
                out.add(ByteBufUtil.getBytes((ByteBuf) p[0], (Integer) p[1], (Integer) p[2]));
            }
            pending.clear();
        }

        @Override
        protected boolean hold() {
            return holding;
        }
    }

    @Test
    void recordsHandedOnBeforeTheHoldResumedOutliveTheMergeOfTheNextRead() {
        List<int[]> at = Fixtures.ncfRecords(ETH);
        assertTrue(at.size() >= 8, "the fixture has enough records");
        int firstPart = at.get(6)[0]; // six whole records, then the rest of the stream
        Gathering g = new Gathering();
        EmbeddedChannel ch = new EmbeddedChannel(g);
        g.holding = true;
        ByteBuf a = Unpooled.wrappedBuffer(Arrays.copyOfRange(ETH, 0, firstPart)); // cannot grow: a merge copies it
        ch.writeInbound(a);
        assertEquals(0, g.out.size(), "held");
        assertTrue(g.holdsRecords());

        g.holding = false;
        g.holdAfter = 3; // the hold begins again after three of the six held records
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(ETH, firstPart, ETH.length)));
        assertEquals(3, g.out.size(), "three handed on, and their buffer was alive at the end of the read");
        assertEquals(0, a.refCnt(), "the rest moved behind the next read into a bigger buffer; the first was released after the read");

        g.holding = false;
        ch.writeInbound(Unpooled.EMPTY_BUFFER); // what resume() does
        assertFalse(g.holdsRecords());
        assertEquals(at.size(), g.out.size());
        for (int k = 0; k < at.size(); k++) {
            assertArrayEquals(Arrays.copyOfRange(ETH, at.get(k)[0], at.get(k)[0] + at.get(k)[1]), g.out.get(k), "record " + k);
        }
        assertFalse(ch.finishAndReleaseAll());
    }
}
