package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The conversation table against tshark's, and its bounds. */
class ConversationTrackerTest {
    private static List<ConversationTracker.Conversation> track(String file) throws IOException {
        ConversationTracker t = new ConversationTracker(1000);
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(Fixtures.path(file), ZoneOffset.UTC)) {
            while (r.next(v)) {
                t.add(v);
            }
        }
        return t.drain();
    }

    /** tshark -q -z conv,tcp -z conv,udp (golden/X.conv), as "proto a:pa b:pb frames_ab bytes_ab frames_ba bytes_ba". */
    private static List<String> tshark(String file) throws IOException {
        List<String> out = new ArrayList<>();
        String proto = null;
        for (String line : Files.readAllLines(Fixtures.path("golden/" + file + ".conv"))) {
            if (line.startsWith("TCP Conversations")) {
                proto = "tcp";
            } else if (line.startsWith("UDP Conversations")) {
                proto = "udp";
            } else if (line.contains("<->")) {
                String[] sides = line.split("<->");
                String a = sides[0].trim();
                String[] rest = sides[1].trim().split("\\s+");
                // B, frames and bytes B->A ("<-"), frames and bytes A->B ("->"), totals, start, duration
                out.add(proto + " " + a + " " + rest[0] + " " + rest[4] + " " + rest[5] + " " + rest[1] + " " + rest[2]);
            }
        }
        return out;
    }

    private static String row(ConversationTracker.Conversation c) {
        return String.format(Locale.ROOT, "%s %s:%d %s:%d %d %d %d %d", c.protoName(), AddressText.of(c.addrA), c.portA,
                AddressText.of(c.addrB), c.portB, c.framesAB, c.bytesAB, c.framesBA, c.bytesBA);
    }

    /**
     * Every TCP and UDP conversation with ports, frames and bytes each way, equal to tshark's
     * (reassembly off): reused ports after FIN start a new conversation, tunnels count as their
     * innermost flow, A is the endpoint that sent first.
     */
    @Test
    void tcpAndUdpConversationsAsTsharkCountsThem() throws IOException {
        List<String> ours = new ArrayList<>();
        for (ConversationTracker.Conversation c : track("eth.pcap")) {
            if ((c.proto == 6 || c.proto == 17) && c.portA >= 0) {
                ours.add(row(c));
            }
        }
        List<String> want = tshark("eth.pcap");
        assertEquals(22, want.size());
        assertEquals(want.stream().sorted().toList(), ours.stream().sorted().toList());
    }

    /**
     * Real TCP and UDP through an impaired link (drops, held-back segments, a 128-byte snap length):
     * frames and bytes each way equal tshark's per stream (golden/impaired.pcap.convrows, exact
     * bytes), and the ICMP error at the end is no UDP frame.
     */
    @Test
    void impairedLinkConversationsAsTsharkCountsThem() throws IOException {
        List<String> ours = new ArrayList<>();
        for (ConversationTracker.Conversation c : track("impaired.pcap")) {
            if (c.proto == 6 || c.proto == 17) {
                ours.add(row(c).replaceFirst("^(\\w+) ", "$1 "));
            }
        }
        List<String> want = Files.readAllLines(Fixtures.path("golden/impaired.pcap.convrows"));
        assertEquals(4, want.size());
        assertEquals(want.stream().sorted().toList(), ours.stream().sorted().toList());
    }

    /**
     * One fixture per case (testdata/tcp-cases.pcap, make_tcp_cases.py): handshake and graceful
     * close, a refused SYN, an abort, a zero window, a keep-alive, a real retransmission. State and
     * history as Zeek writes them; frames and bytes as tshark counts them.
     */
    @Test
    void tcpCasesHaveZeeksStateAndHistory() throws IOException {
        List<ConversationTracker.Conversation> all = track("tcp-cases.pcap");
        List<String> got = new ArrayList<>();
        for (ConversationTracker.Conversation c : all) {
            got.add(c.portB + " " + c.state() + " " + c.history() + " retx=" + c.retransmissions + " zw=" + c.zeroWindows
                    + " full=" + c.windowFull + " rtt=" + c.handshakeRttMicros);
        }
        assertEquals(List.of("80 SF ShADadFf retx=0 zw=0 full=0 rtt=2000", "81 REJ Sr retx=0 zw=0 full=0 rtt=-1",
                "82 RSTO ShAR retx=0 zw=0 full=0 rtt=2000", "83 S1 ShADaw retx=0 zw=1 full=0 rtt=2000",
                "84 S1 ShADa retx=0 zw=0 full=0 rtt=2000", "85 S1 ShADTa retx=1 zw=0 full=0 rtt=2000",
                "86 S1 ShADaw retx=0 zw=2 full=0 rtt=2000", "87 S1 ShADa retx=0 zw=0 full=1 rtt=2000",
                "88 SF ShAFf retx=0 zw=0 full=0 rtt=2000", "88 SF ShAFf retx=0 zw=0 full=0 rtt=2000"), got,
                "handshake, refusal, abort, zero window, keep-alive (no retransmission), a resent segment (one), "
                        + "a zero-window probe, a full window, ports reused after a close");
        List<String> ours = new ArrayList<>();
        all.forEach(c -> ours.add(row(c)));
        assertEquals(tshark("tcp-cases.pcap").stream().sorted().toList(), ours.stream().sorted().toList());
    }

    private static void udp(PacketView v, ByteBuf b, int src, int sport, long micros) {
        b.clear();
        b.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).writeShort(0x0800);
        b.writeByte(0x45).writeByte(0).writeShort(28).writeShort(1).writeShort(0).writeByte(64).writeByte(17).writeShort(0);
        b.writeInt(src).writeInt(0x0A000002);
        b.writeShort(sport).writeShort(53).writeShort(8).writeShort(0);
        v.startRecord(micros, b.readableBytes(), b.readableBytes(), Medium.ETHERNET);
        IpDecoder.decode(b, 0, b.readableBytes(), LinkType.ETHERNET, v);
    }

    /** Bounded: past the maximum the least recently seen is evicted, an idle one expires; both counted, none lost. */
    @Test
    void boundedByCountAndIdleTimeWithNothingLost() {
        ConversationTracker t = new ConversationTracker(100);
        PacketView v = new PacketView();
        ByteBuf b = Unpooled.buffer(64);
        for (int k = 0; k < 150; k++) {
            udp(v, b, 0x0A000100 + k, 1000, 1_000_000L + k);
            t.add(v);
        }
        assertEquals(100, t.size());
        assertEquals(50, t.evicted());
        udp(v, b, 0x0A0001FF, 1000, 1_000_000L + ConversationTracker.OTHER_TIMEOUT_MICROS + 10_000_000L);
        t.add(v);
        assertEquals(100, t.expired(), "every earlier one idle past the UDP timeout");
        List<ConversationTracker.Conversation> all = t.drain();
        assertEquals(151, all.size(), "evicted and expired conversations are still reported");
        assertTrue(all.stream().allMatch(c -> c.framesAB == 1));
    }

    /**
     * Trackers sharing a budget (the collector's agents) keep no more live conversations together
     * than it allows: past it each evicts its own least recently seen, counted; what ends gives its
     * slot back.
     */
    @Test
    void trackersSharingABudgetStayWithinItTogether() {
        ConversationTracker.Budget budget = new ConversationTracker.Budget(100);
        ConversationTracker a = new ConversationTracker(1000).budget(budget);
        ConversationTracker b = new ConversationTracker(1000).budget(budget);
        PacketView v = new PacketView();
        ByteBuf buf = Unpooled.buffer(64);
        for (int k = 0; k < 80; k++) {
            udp(v, buf, 0x0A000100 + k, 1000, 1_000_000L + k);
            a.add(v);
            udp(v, buf, 0x0B000100 + k, 1000, 1_000_000L + k);
            b.add(v);
        }
        assertEquals(100, a.size() + b.size());
        assertEquals(100, budget.used());
        assertEquals(60, a.evicted() + b.evicted());
        udp(v, buf, 0x0A000100, 1000, 2_000_000L); // seen again in a: a new conversation (it was evicted)
        a.add(v);
        assertEquals(100, budget.used());
        a.close();
        assertEquals(b.size(), budget.used(), "a's conversations gave their slots back");
        b.close();
        assertEquals(0, budget.used());
        assertEquals(160 + 1, a.drain().size() + b.drain().size(), "every conversation is still reported");
    }

    /** Idle timeouts per protocol: a UDP flow quiet for longer than its timeout ends, a listener hears it close. */
    @Test
    void idleTimeoutsAreConfigurablePerProtocol() {
        List<String> closed = new java.util.ArrayList<>();
        ConversationTracker t = new ConversationTracker(100).timeouts(300_000_000L, 5_000_000L, 2_000_000L, 60_000_000L)
                .listener(new ConversationTracker.Listener() {
                    @Override
                    public void closed(ConversationTracker.Conversation c) {
                        closed.add(c.protoName() + " " + c.framesAB);
                    }
                });
        PacketView v = new PacketView();
        ByteBuf b = Unpooled.buffer(64);
        udp(v, b, 0x0A000101, 1000, 10_000_000L);
        t.add(v);
        udp(v, b, 0x0A000101, 1000, 11_500_000L);
        t.add(v);
        assertEquals(List.of(), closed, "1.5 s quiet: within udp=2");
        udp(v, b, 0x0A000101, 1000, 14_000_000L);
        t.add(v);
        assertEquals(List.of("udp 2"), closed, "2.5 s quiet: past udp=2, a new conversation began");
        assertEquals(1, t.expired());
        assertEquals(1, t.size());
    }
}
