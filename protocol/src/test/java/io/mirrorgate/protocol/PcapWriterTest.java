package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** What reaches the file, and when: whole records only, and exact accounting when a write fails. */
class PcapWriterTest {
    /** Records every write's end offset; fails (after taking {@code failAfter} bytes) if asked. */
    static final class RecordingChannel implements WritableByteChannel {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<Long> writeEnds = new ArrayList<>();
        long failAfter = Long.MAX_VALUE;

        @Override
        public int write(ByteBuffer src) throws IOException {
            int room = (int) Math.min(src.remaining(), failAfter - data.size());
            if (room <= 0) {
                throw new IOException("No space left on device");
            }
            byte[] b = new byte[room];
            src.get(b);
            data.write(b, 0, room);
            writeEnds.add((long) data.size());
            return room;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static ByteBuf frame(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return Unpooled.wrappedBuffer(b);
    }

    /** Regression: the writer handed a record header to the stream alone, and a 64 KiB buffer cut records anywhere. */
    @Test
    void everyWriteEndsAtARecordBoundary() throws IOException {
        RecordingChannel ch = new RecordingChannel();
        TreeSet<Long> boundaries = new TreeSet<>(List.of(24L));
        long at = 24;
        Random rnd = new Random(7);
        try (PcapWriter w = new PcapWriter(ch, LinkType.ETHERNET)) {
            for (int k = 0; k < 20_000; k++) {
                int len = rnd.nextInt(10) == 0 ? 9000 + rnd.nextInt(56_000) : 14 + rnd.nextInt(1500);
                w.write(1_700_000_000_000_000L + k, frame(len, k), 0, len, len);
                at += 16 + len;
                boundaries.add(at);
            }
        }
        assertTrue(ch.writeEnds.size() > 10, "writes " + ch.writeEnds.size());
        for (long end : ch.writeEnds) {
            assertTrue(boundaries.contains(end), "a write ended at " + end + ", inside a record");
        }
        assertEquals(at, ch.data.size());
    }

    @Test
    void streamWritesEndAtRecordBoundariesToo() throws IOException {
        List<Integer> ends = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                all.write(b);
                ends.add(all.size());
            }

            @Override
            public void write(byte[] b, int off, int len) {
                all.write(b, off, len);
                ends.add(all.size());
            }
        };
        TreeSet<Integer> boundaries = new TreeSet<>(List.of(24));
        int at = 24;
        try (PcapWriter w = new PcapWriter(out, LinkType.ETHERNET)) {
            for (int k = 0; k < 5000; k++) {
                int len = 60 + (k * 37) % 1400;
                w.write(k, frame(len, k), 0, len, len);
                at += 16 + len;
                boundaries.add(at);
                if (k % 777 == 0) {
                    w.flush();
                }
            }
        }
        for (int end : ends) {
            assertTrue(boundaries.contains(end), "a write ended at " + end + ", inside a record");
        }
    }

    /** A disk that fills mid-write: the records it took whole are counted, the rest reported lost, once. */
    @Test
    void aFailedWriteReportsExactlyTheRecordsThatDidNotReachTheFile() throws IOException {
        RecordingChannel ch = new RecordingChannel();
        ch.failAfter = 24 + 10 * (16 + 100) + 50; // room for 10 records and half of the 11th
        PcapWriter w = new PcapWriter(ch, LinkType.ETHERNET);
        for (int k = 0; k < 30; k++) {
            w.write(k, frame(100, k), 0, 100, 100);
        }
        PcapWriter.WriteFailedException e = assertThrows(PcapWriter.WriteFailedException.class, w::flush);
        assertEquals(10, w.packets());
        assertEquals(20, e.lost());
        assertEquals(20 + 10, e.lost() + w.packets());
        // on a FileChannel the half record is trimmed (FaultIT's full disk); here the channel kept it
        assertEquals(ch.failAfter, ch.data.size());
    }
}
