package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class InjectionFrameCodecTest {
    private static byte[] frame(int len, int seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] encode(Dialect d, List<byte[]> frames) {
        EmbeddedChannel enc = new EmbeddedChannel(new InjectionFrameEncoder(d));
        int rate = 0;
        for (byte[] f : frames) {
            enc.writeOutbound(new InjectionFrame(Unpooled.wrappedBuffer(f), rate++));
        }
        ByteBuf all = Unpooled.buffer();
        ByteBuf part;
        while ((part = enc.readOutbound()) != null) {
            all.writeBytes(part);
            part.release();
        }
        assertFalse(enc.finishAndReleaseAll());
        byte[] out = ByteBufUtil.getBytes(all);
        all.release();
        return out;
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void roundTripSplitAtEveryBoundary(Dialect d) {
        List<byte[]> frames = List.of(frame(14, 1), new byte[0], frame(60, 2), frame(1514, 3));
        byte[] wire = encode(d, frames);
        assertEquals(frames.stream().mapToInt(f -> f.length + (d == Dialect.NCF ? 2 : 4)).sum(), wire.length);
        for (int split = 0; split <= wire.length; split += (split < 100 || split > wire.length - 100) ? 1 : 37) {
            EmbeddedChannel ch = new EmbeddedChannel(new InjectionFrameDecoder(d));
            ch.writeInbound(Unpooled.wrappedBuffer(wire, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(wire, split, wire.length - split));
            List<InjectionFrame> got = new ArrayList<>();
            InjectionFrame f;
            while ((f = ch.readInbound()) != null) {
                got.add(f);
            }
            assertEquals(frames.size(), got.size());
            for (int k = 0; k < frames.size(); k++) {
                assertArrayEquals(frames.get(k), ByteBufUtil.getBytes(got.get(k).content()));
                assertEquals(d == Dialect.NCF ? InjectionFrame.NO_RATE : k, got.get(k).rateIndex());
                got.get(k).release();
            }
            assertFalse(ch.finishAndReleaseAll());
            assertEquals(0, got.get(0).refCnt());
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void maxLengthFrameThenAGoodOne(Dialect d) {
        byte[] big = frame(InjectionFrame.MAX_FRAME_LENGTH, 4);
        byte[] small = frame(42, 5);
        byte[] wire = encode(d, List.of(big, small));
        EmbeddedChannel ch = new EmbeddedChannel(new InjectionFrameDecoder(d));
        for (int off = 0; off < wire.length; off += 1000) {
            ch.writeInbound(Unpooled.wrappedBuffer(wire, off, Math.min(1000, wire.length - off)));
        }
        InjectionFrame a = ch.readInbound();
        InjectionFrame b = ch.readInbound();
        assertArrayEquals(big, ByteBufUtil.getBytes(a.content()));
        assertArrayEquals(small, ByteBufUtil.getBytes(b.content()));
        a.release();
        b.release();
        assertNull(ch.readInbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void oversizeFrameIsRefusedByTheEncoder() {
        EmbeddedChannel enc = new EmbeddedChannel(new InjectionFrameEncoder(Dialect.NCF));
        ByteBuf tooBig = Unpooled.buffer(70_000).writeZero(70_000);
        assertThrows(EncoderException.class, () -> enc.writeOutbound(new InjectionFrame(tooBig)));
        assertEquals(0, tooBig.refCnt());
        assertFalse(enc.finishAndReleaseAll());
    }

    @Test
    void wireBytesAreExactlyAsSpecified() {
        assertArrayEquals(new byte[] {3, 0, 9, 8, 7}, encode(Dialect.NCF, List.of(new byte[] {9, 8, 7})));
        assertArrayEquals(new byte[] {2, 0, 0, 0, 5, 6}, encode(Dialect.NCFX, List.of(new byte[] {5, 6})));
    }
}
