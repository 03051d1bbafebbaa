package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-frame TCP analysis flags against tshark's own (testdata/golden/X.analysis, make_golden.sh):
 * zero window, window update, keep-alive and its ack, retransmission on the TCP case fixtures, and
 * nothing where tshark flags nothing.
 */
class TcpAnalysisTest {
    private static List<String> ours(String file) throws IOException {
        ConversationTracker t = new ConversationTracker(1000);
        List<String> out = new ArrayList<>();
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(Fixtures.path(file), ZoneOffset.UTC)) {
            while (r.next(v)) {
                t.add(v);
                out.add(v.hasIpHeader() ? TcpAnalysis.names(t.lastAnalysis()) : "");
            }
        }
        return out;
    }

    @Test
    void everyFrameFlaggedAsTsharkFlagsIt() throws IOException {
        for (String f : List.of("tcp-cases.pcap", "eth.pcap")) {
            assertEquals(Files.readAllLines(Fixtures.path("golden/" + f + ".analysis")), ours(f), f);
        }
    }

    @Test
    void namesInAFixedOrder() {
        assertEquals("", TcpAnalysis.names(0));
        assertEquals("retransmission,duplicate_ack", TcpAnalysis.names(TcpAnalysis.DUPLICATE_ACK | TcpAnalysis.RETRANSMISSION));
    }
}
