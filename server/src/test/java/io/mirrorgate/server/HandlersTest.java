package io.mirrorgate.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrame;
import io.mirrorgate.protocol.InjectionFrameDecoder;
import io.mirrorgate.protocol.WallClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The collector's handlers in an EmbeddedChannel, against the narrow interfaces they see
 * (AgentEvents, RecordSink, SubscriberEvents, Injection): what they report, publish and count,
 * with no sockets and no collector.
 */
class HandlersTest {
    /** Everything an agent connection reported. */
    static final class Recorded implements AgentEvents, RecordSink {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream published = new ByteArrayOutputStream();
        int runs;
        int records;
        boolean wanted = true;

        @Override
        public void connected(Channel ch, SourceStats stats) {
            events.add("connected");
        }

        @Override
        public void dialectDecided(Channel ch, Dialect dialect) {
            events.add("dialect " + dialect);
        }

        @Override
        public void closed(Channel ch, SourceStats stats) {
            events.add("closed");
        }

        @Override
        public boolean firstTimeFrom(Channel ch, String event) {
            events.add("first " + event);
            return true;
        }

        @Override
        public boolean wanted() {
            return wanted;
        }

        @Override
        public void publish(ByteBuf run, Dialect dialect, int count, long[] timestamps, String agent, String description) {
            try {
                published.writeBytes(ByteBufUtil.getBytes(run));
                runs++;
                records += count;
            } finally {
                run.release();
            }
        }
    }

    private static EmbeddedChannel agent(Recorded r, SourceStats s, Dialect dialect, BpfFilter filter) {
        return new EmbeddedChannel(new AgentHandler(r, r, s, dialect, new WallClock(ZoneOffset.UTC), filter, 0, () -> false));
    }

    /** Writes {@code data} in seeded random pieces, as a socket would deliver it. */
    private static void feed(EmbeddedChannel ch, byte[] data, long seed) {
        Random rnd = new Random(seed);
        for (int off = 0; off < data.length; ) {
            int n = Math.min(data.length - off, 1 + rnd.nextInt(300));
            ch.writeInbound(Unpooled.wrappedBuffer(data, off, n));
            off += n;
        }
    }

    @Test
    void anAgentPublishesEveryRecordByteForByteAndCountsThem() throws Exception {
        byte[] data = Files.readAllBytes(TestAgents.testdata("eth.ncf"));
        Recorded r = new Recorded();
        SourceStats s = new SourceStats("agent test");
        EmbeddedChannel ch = agent(r, s, null, null);
        feed(ch, data, 1);
        assertArrayEquals(data, r.published.toByteArray(), "the records as received, whole, in order");
        assertEquals(39, r.records);
        assertEquals(List.of("connected", "dialect NCF"), r.events);
        assertEquals(39, s.received.get());
        assertEquals(data.length, s.bytes.get());
        assertEquals(39, s.decoded.get() + s.malformed.get() + s.nonIp.get());
        assertFalse(ch.finishAndReleaseAll());
        assertEquals("closed", r.events.get(r.events.size() - 1));
    }

    @Test
    void anAgentSkipsTheSliceWhenNobodyWantsRecordsButStillCounts() throws Exception {
        byte[] data = Files.readAllBytes(TestAgents.testdata("wifi.ncfx"));
        Recorded r = new Recorded();
        r.wanted = false;
        SourceStats s = new SourceStats("agent test");
        EmbeddedChannel ch = agent(r, s, Dialect.NCFX, null);
        feed(ch, data, 2);
        assertEquals(0, r.runs);
        assertEquals(TestAgents.read("wifi.ncfx").size(), s.received.get());
        assertFalse(r.events.contains("dialect NCFX"), "a configured dialect is not decided");
        ch.finishAndReleaseAll();
    }

    @Test
    void aFilterCutsRunsAndCountsWhatItLeftOut() throws Exception {
        byte[] data = Files.readAllBytes(TestAgents.testdata("eth.ncf"));
        Recorded r = new Recorded();
        SourceStats s = new SourceStats("agent test");
        EmbeddedChannel ch;
        try (BpfFilter udp = new BpfFilter("udp")) {
            ch = agent(r, s, Dialect.NCF, udp);
            ch.writeInbound(Unpooled.wrappedBuffer(data));
            long want = 0; // libpcap's own verdict on each record
            io.mirrorgate.protocol.PacketView v = new io.mirrorgate.protocol.PacketView();
            try (io.mirrorgate.protocol.CaptureReader in = io.mirrorgate.protocol.CaptureFiles.open(
                    TestAgents.testdata("eth.ncf"), ZoneOffset.UTC)) {
                while (in.next(v)) {
                    want += udp.matches(v) ? 1 : 0;
                }
            }
            assertEquals(want, r.records);
            assertEquals(39 - want, s.filtered.get());
            assertTrue(r.runs > 1, "runs are cut where a record is left out: " + r.runs);
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void aBrokenStreamPublishesWhatCameBeforeThenClosesWithItsOffset() throws Exception {
        byte[] bad = Files.readAllBytes(TestAgents.testdata("eth-badmonth.ncf"));
        Recorded r = new Recorded();
        SourceStats s = new SourceStats("agent test");
        EmbeddedChannel ch = agent(r, s, Dialect.NCF, null);
        ch.writeInbound(Unpooled.wrappedBuffer(bad));
        assertEquals(5, r.records, "the records before the broken header");
        assertFalse(ch.isActive(), "a broken stream closes this connection");
        assertEquals(1, s.closedBadStream.get());
        assertTrue(r.events.contains("first broken stream"), r.events.toString());
        assertEquals("closed", r.events.get(r.events.size() - 1));
        ch.finishAndReleaseAll();
    }

    /**
     * --backpressure block: while the outputs are full the agent hands on nothing more (the
     * records wait unread in its cumulation buffer); resumed, it hands on all of them, whole and in
     * order, without waiting for the agent's next bytes.
     */
    @Test
    void whileTheOutputsAreFullAnAgentHoldsItsRecordsAndResumesWithoutLosingOne() throws Exception {
        byte[] data = Files.readAllBytes(TestAgents.testdata("eth.ncf"));
        Recorded r = new Recorded();
        SourceStats s = new SourceStats("agent test");
        java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean(true);
        AgentHandler h = new AgentHandler(r, r, s, Dialect.NCF, new WallClock(ZoneOffset.UTC), null, 0, full::get);
        EmbeddedChannel ch = new EmbeddedChannel(h);
        feed(ch, data, 3);
        assertEquals(0, r.records, "nothing handed on while full");
        full.set(false);
        h.resume();
        ch.runPendingTasks();
        assertArrayEquals(data, r.published.toByteArray());
        assertEquals(39, s.received.get());
        assertFalse(ch.finishAndReleaseAll());
    }

    /** At close, what was held is handed on: nothing is lost because the output was full. */
    @Test
    void anAgentThatClosesWhileHeldHandsOnEverything() throws Exception {
        byte[] data = Files.readAllBytes(TestAgents.testdata("eth.ncf"));
        Recorded r = new Recorded();
        SourceStats s = new SourceStats("agent test");
        EmbeddedChannel ch = new EmbeddedChannel(new AgentHandler(r, r, s, Dialect.NCF, new WallClock(ZoneOffset.UTC), null,
                0, () -> true));
        ch.writeInbound(Unpooled.wrappedBuffer(data));
        assertEquals(0, r.records);
        ch.close();
        assertArrayEquals(data, r.published.toByteArray());
        ch.finishAndReleaseAll();
    }

    /** Everything a receiving peer reported. */
    static final class Joined implements SubscriberEvents {
        final List<Subscriber> live = new ArrayList<>();
        int closed;

        @Override
        public void connected(Subscriber s) {
            live.add(s);
        }

        @Override
        public void closed(Subscriber s) {
            live.remove(s);
            closed++;
        }
    }

    /** Frames the policy let through. */
    static final class Taken implements Injector {
        final List<byte[]> frames = new ArrayList<>();
        int flushes;

        @Override
        public void inject(InjectionFrame frame, InjectContext ctx) {
            frames.add(ByteBufUtil.getBytes(frame.content()));
            frame.release();
        }

        @Override
        public void flush(InjectContext ctx) {
            flushes++;
        }

        @Override
        public String state() {
            return "test";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aSubscriberJoinsTheFanOutAndItsInjectionFramesMeetThePolicy() {
        Joined joined = new Joined();
        Taken taken = new Taken();
        SourceStats totals = new SourceStats("injection");
        Injection injection = new Injection(totals, new AccessPolicy(List.of(), List.of()), 0, 0, taken);
        SourceStats s = new SourceStats("subscriber test");
        EmbeddedChannel ch = new EmbeddedChannel(new InjectionFrameDecoder(Dialect.NCF),
                new SubscriberHandler(joined, injection, Dialect.NCF, s, null, new Backpressure(false), 0));
        assertEquals(1, joined.live.size());
        assertEquals(1, s.connected.get());
        // an EmbeddedChannel's peer is no IP address: never in --inject-allow, so refused and counted
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {3, 0, 1, 2, 3}));
        assertEquals(0, taken.frames.size());
        assertEquals(1, s.injectRefused.get());
        assertEquals(1, totals.injectRefused.get());
        assertEquals(1, taken.flushes, "read complete still reaches the injector");
        ch.close();
        assertEquals(0, joined.live.size());
        assertEquals(1, joined.closed);
        ch.finishAndReleaseAll();
    }
}
