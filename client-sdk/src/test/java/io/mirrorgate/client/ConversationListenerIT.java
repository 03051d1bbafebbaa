package io.mirrorgate.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.ConversationTracker;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.NcfRecords;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.TcpAnalysis;
import io.mirrorgate.server.Collector;
import io.mirrorgate.server.TestAgents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SDK's conversation analysis: a {@link ConversationTracker} fed by a {@link MirrorClient}'s
 * packet handler hears, through its listener, every conversation open and close, every
 * retransmission, reset and zero window of testdata/tcp-cases.pcap sent through a real collector,
 * the same as the tracker reading the file.
 */
class ConversationListenerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Records what the listener hears, one line per call. */
    static final class Heard implements ConversationTracker.Listener {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        private static String id(ConversationTracker.Conversation c) {
            return c.portA + ">" + c.portB;
        }

        @Override
        public void opened(ConversationTracker.Conversation c) {
            calls.add("opened " + id(c));
        }

        @Override
        public void closed(ConversationTracker.Conversation c) {
            calls.add("closed " + id(c) + " " + c.state());
        }

        @Override
        public void retransmission(ConversationTracker.Conversation c, PacketView v, int flags) {
            calls.add("retransmission " + id(c) + " " + TcpAnalysis.names(flags));
        }

        @Override
        public void reset(ConversationTracker.Conversation c, PacketView v) {
            calls.add("reset " + id(c));
        }

        @Override
        public void zeroWindow(ConversationTracker.Conversation c, PacketView v) {
            calls.add("zero window " + id(c));
        }
    }

    @Test
    void listenerHearsWhatTheFileSays() throws Exception {
        Heard fromFile = new Heard();
        ConversationTracker t = new ConversationTracker(1000).listener(fromFile);
        ByteBuf ncf = Unpooled.buffer();
        int records = 0;
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(TestAgents.testdata("tcp-cases.pcap"), ZoneOffset.UTC)) {
            while (r.next(v)) {
                t.add(v);
                assertTrue(NcfRecords.write(v, Dialect.NCF, ZoneOffset.UTC, ncf));
                records++;
            }
        }
        t.close();
        assertTrue(fromFile.calls.contains("retransmission 40006>85 retransmission"), fromFile.calls.toString());
        assertTrue(fromFile.calls.contains("reset 40002>81"), fromFile.calls.toString());
        assertEquals(3, fromFile.calls.stream().filter(c -> c.startsWith("zero window")).count(), fromFile.calls.toString());
        assertEquals(10, fromFile.calls.stream().filter(c -> c.startsWith("opened")).count(), fromFile.calls.toString());
        assertEquals(10, fromFile.calls.stream().filter(c -> c.startsWith("closed")).count(), fromFile.calls.toString());

        Heard live = new Heard();
        ConversationTracker tracker = new ConversationTracker(1000).listener(live);
        int want = records;
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        try (Collector c = TestAgents.collector();
             MirrorClient m = MirrorClient.builder("127.0.0.1", c.clientAddress().getPort()).timezone(ZoneOffset.UTC)
                     .packetHandler(p -> {
                         synchronized (tracker) {
                             tracker.add(p);
                         }
                         seen.incrementAndGet();
                     }).build().start()) {
            assertTrue(m.awaitConnected(WAIT));
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            TestAgents.send(c.mirrorAddress(), ByteBufUtil.getBytes(ncf), 1);
            await().atMost(WAIT).until(() -> seen.get() == want);
        }
        synchronized (tracker) {
            tracker.close();
        }
        assertEquals(fromFile.calls, live.calls);
    }
}
