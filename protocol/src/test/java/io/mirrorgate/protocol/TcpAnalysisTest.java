package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-frame TCP analysis flags under Wireshark's rules against tshark's own
 * (testdata/golden/X.analysis, make_golden.sh), every flag Wireshark has, on the TCP case
 * fixtures, a real capture and the impaired-link capture; and nothing where tshark flags nothing.
 */
class TcpAnalysisTest {
    static List<String> ours(String file, TcpAnalysis.Rules rules) throws IOException {
        return ours(Fixtures.path(file), rules);
    }

    static List<String> ours(java.nio.file.Path file, TcpAnalysis.Rules rules) throws IOException {
        ConversationTracker t = new ConversationTracker(1000, rules);
        List<String> out = new ArrayList<>();
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(file, ZoneOffset.UTC)) {
            while (r.next(v)) {
                t.add(v);
                out.add(v.hasIpHeader() ? TcpAnalysis.names(t.lastAnalysis()) : "");
            }
        }
        return out;
    }

    @Test
    void underWiresharksRulesEveryFrameIsFlaggedAsTsharkFlagsIt() throws IOException {
        for (String f : List.of("tcp-cases.pcap", "eth.pcap", "impaired.pcap")) {
            List<String> want = Files.readAllLines(Fixtures.path("golden/" + f + ".analysis"));
            List<String> got = ours(f, TcpAnalysis.Rules.WIRESHARK);
            for (int k = 0; k < Math.min(want.size(), got.size()); k++) {
                assertEquals(want.get(k), got.get(k), f + " frame " + (k + 1));
            }
            assertEquals(want.size(), got.size(), f);
        }
    }

    @Test
    void namesInAFixedOrder() {
        assertEquals("", TcpAnalysis.names(0));
        assertEquals("retransmission,duplicate_ack", TcpAnalysis.names(TcpAnalysis.DUPLICATE_ACK | TcpAnalysis.RETRANSMISSION));
        assertEquals(TcpAnalysis.WINDOW_FULL, TcpAnalysis.flag("window_full"));
        assertEquals("mirror_duplicate", TcpAnalysis.names(TcpAnalysis.MIRROR_DUPLICATE));
    }
}
