package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation tests: real fixtures with bytes flipped, spliced, cut and repeated, 100,000
 * inputs per decoder, through the shipped framer in an EmbeddedChannel (tests run with paranoid
 * leak detection). The only thing allowed to escape a stream decoder is StreamFormatException;
 * nothing escapes the IP decoder; nothing hangs; heap use stays flat.
 */
class MutationTest {
    private static final int RUNS = 100_000;
    private static final long SEED = 0x6d69_7272_6f72L;
    private static final long MAX_HEAP_GROWTH = 64L << 20;

    private static byte[] mutate(byte[] in, Random rnd, byte[] donor) {
        byte[] b = in.clone();
        int ops = 1 + rnd.nextInt(4);
        for (int k = 0; k < ops && b.length > 0; k++) {
            switch (rnd.nextInt(6)) {
                case 0: // flip bits
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    break;
                case 1: // random byte
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                    break;
                case 2: { // interesting values at a random place (lengths!)
                    int at = rnd.nextInt(b.length);
                    byte[] vals = {0, (byte) 0xff, 0x7f, (byte) 0x80, 1, 60, 13, 24};
                    b[at] = vals[rnd.nextInt(vals.length)];
                    break;
                }
                case 3: { // splice a chunk of another fixture in
                    int len = 1 + rnd.nextInt(Math.min(64, donor.length));
                    int from = rnd.nextInt(donor.length - len + 1);
                    int at = rnd.nextInt(b.length);
                    int n = Math.min(len, b.length - at);
                    System.arraycopy(donor, from, b, at, n);
                    break;
                }
                case 4: // cut
                    b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                    break;
                default: { // repeat a slice
                    int from = rnd.nextInt(b.length);
                    int len = Math.min(b.length - from, 1 + rnd.nextInt(48));
                    byte[] r = new byte[b.length + len];
                    System.arraycopy(b, 0, r, 0, from + len);
                    System.arraycopy(b, from, r, from + len, b.length - from);
                    b = r;
                }
            }
        }
        return b;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int k = 0; k < 3; k++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static byte[] window(byte[] file, List<int[]> recs, Random rnd) {
        int first = rnd.nextInt(recs.size());
        int count = 1 + rnd.nextInt(Math.min(6, recs.size() - first));
        int start = recs.get(first)[0];
        int[] last = recs.get(first + count - 1);
        return Arrays.copyOfRange(file, start, last[0] + last[1]);
    }

    /**
     * The collector's own path (as its agent handler runs it): records framed in place by the
     * shipped {@link RecordStreamDecoderBase} and decoded where they lie.
     */
    private static final class Decoding extends RecordStreamDecoderBase {
        private final PacketView v = new PacketView();
        private final WallClock clock = new WallClock(ZoneOffset.UTC);
        long records;

        Decoding(Dialect dialect) {
            super(dialect);
        }

        @Override
        protected void record(ByteBuf buf, int index, int length) {
            if (framer().dialect() == Dialect.NCFX) {
                NcfRecords.decodeNcfx(buf, index, 0, clock, v);
            } else {
                NcfRecords.decode(buf, index, clock, v);
            }
            IpDecoderTest.assertInBounds(v);
            IpPacket.of(v);
            records++;
        }
    }

    private void streamMutations(String[] files, Dialect dialect) {
        boolean ncfx = dialect == Dialect.NCFX;
        List<byte[]> data = new ArrayList<>();
        List<List<int[]>> recs = new ArrayList<>();
        for (String f : files) {
            byte[] b = Fixtures.bytes(f);
            data.add(b);
            recs.add(ncfx ? Fixtures.ncfxRecords(b) : Fixtures.ncfRecords(b));
        }
        Random rnd = new Random(SEED);
        long before = usedHeap();
        long broken = 0;
        long records = 0;
        for (int run = 0; run < RUNS; run++) {
            int fi = rnd.nextInt(files.length);
            byte[] input = mutate(window(data.get(fi), recs.get(fi), rnd), rnd, data.get(rnd.nextInt(files.length)));
            // every tenth stream leaves the dialect to be decided from its first header
            Decoding decoder = new Decoding(run % 10 == 0 ? null : dialect);
            EmbeddedChannel ch = new EmbeddedChannel(decoder);
            try {
                int off = 0;
                while (off < input.length) {
                    int n = Math.min(input.length - off, 1 + rnd.nextInt(200));
                    ch.writeInbound(Unpooled.wrappedBuffer(input, off, n));
                    off += n;
                }
            } catch (StreamFormatException expected) {
                broken++;
            } catch (RuntimeException e) {
                fail("run " + run + ": " + e, e);
            }
            records += decoder.records;
            ch.finishAndReleaseAll();
        }
        long growth = usedHeap() - before;
        assertTrue(growth < MAX_HEAP_GROWTH, "heap grew by " + growth + " bytes");
        assertTrue(broken > RUNS / 20 && records > RUNS, "mutations exercised both outcomes: broken=" + broken
                + " records=" + records);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void ncfStream() {
        streamMutations(new String[] {"eth.ncf", "wifi.ncf", "token-ring.ncf", "eth-malformed.ncf"}, Dialect.NCF);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void ncfxStream() {
        streamMutations(new String[] {"eth.ncfx", "wifi.ncfx"}, Dialect.NCFX);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void ipDecoder() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        String[] files = {"eth.pcap", "eth-malformed.pcap", "wifi.pcap", "token-ring.pcap", "radiotap.pcap", "raw.pcap",
            "sll.pcap", "sll2.pcap", "null.pcap", "loop.pcap"};
        PacketView v = new PacketView();
        for (String f : files) {
            try (CaptureReader r = CaptureFiles.open(Fixtures.path(f), ZoneOffset.UTC)) {
                while (r.next(v)) {
                    byte[] b = new byte[v.capturedLength()];
                    v.buffer().getBytes(v.frameOffset(), b);
                    frames.add(b);
                    types.add(v.linkType());
                }
            }
        }
        int[] known = {LinkType.NULL, LinkType.ETHERNET, LinkType.TOKEN_RING, LinkType.RAW, LinkType.IEEE802_11,
            LinkType.LOOP, LinkType.LINUX_SLL, LinkType.IEEE802_11_RADIOTAP, LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL2};
        Random rnd = new Random(SEED);
        long before = usedHeap();
        long malformed = 0;
        for (int run = 0; run < RUNS; run++) {
            int i = rnd.nextInt(frames.size());
            byte[] m = mutate(frames.get(i), rnd, frames.get(rnd.nextInt(frames.size())));
            int lt = rnd.nextInt(10) == 0 ? known[rnd.nextInt(known.length)] : types.get(i);
            // a slice whose capacity ends at the frame: any read past it throws
            ByteBuf b = Unpooled.wrappedBuffer(m);
            int orig = rnd.nextBoolean() ? m.length : m.length + rnd.nextInt(100);
            v.startRecord(run, m.length, orig, Medium.ofLinkType(lt));
            try {
                IpDecoder.decode(b, 0, m.length, lt, v);
                IpDecoderTest.assertInBounds(v);
                if (v.isMalformed()) {
                    malformed++;
                    v.malformedReason();
                }
                IpPacket.of(v).toString();
            } catch (RuntimeException e) {
                fail("run " + run + " link type " + lt + ": " + e, e);
            }
        }
        long growth = usedHeap() - before;
        assertTrue(growth < MAX_HEAP_GROWTH, "heap grew by " + growth + " bytes");
        assertTrue(malformed > 1000, "malformed " + malformed);
    }
}
