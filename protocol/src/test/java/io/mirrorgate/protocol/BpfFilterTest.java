package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filter is compiled per link type: one that only 802.11 takes ({@code wlan type data}) matches
 * 802.11 frames as tshark counts them and never an Ethernet frame, also in one file of both; one
 * that no medium takes is refused at once with libpcap's message.
 */
class BpfFilterTest {
    @TempDir
    Path tmp;

    private static int matching(Path file, String expression) throws IOException {
        int n = 0;
        PacketView v = new PacketView();
        try (BpfFilter f = new BpfFilter(expression); CaptureReader r = CaptureFiles.open(file, ZoneOffset.UTC)) {
            while (r.next(v)) {
                n += f.matches(v) ? 1 : 0;
            }
        }
        return n;
    }

    private static int tshark(Path file, String displayFilter) throws Exception {
        Process p = new ProcessBuilder("tshark", "-r", file.toString(), "-Y", displayFilter, "-T", "fields", "-e", "frame.number")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return (int) out.lines().filter(l -> !l.isBlank()).count();
    }

    @Test
    void aFilterOnlySomeMediaTakeMatchesTheirFramesAndNoOthers() throws Exception {
        Path wifi = Fixtures.path("wifi.pcap");
        int data = tshark(wifi, "wlan.fc.type == 2");
        assertTrue(data > 0);
        assertEquals(data, matching(wifi, "wlan type data"));
        assertEquals(0, matching(Fixtures.path("eth.pcap"), "wlan type data"));
        Path both = tmp.resolve("both.pcapng");
        Process m = new ProcessBuilder("mergecap", "-a", "-F", "pcapng", "-w", both.toString(),
                Fixtures.path("eth.pcap").toString(), wifi.toString()).inheritIO().start();
        assertTrue(m.waitFor(60, TimeUnit.SECONDS));
        assertEquals(data, matching(both, "wlan type data"));
        int tcp = matching(Fixtures.path("eth.pcap"), "tcp") + matching(wifi, "tcp");
        assertTrue(tcp > matching(wifi, "tcp"));
        assertEquals(tcp, matching(both, "tcp"), "an expression every medium takes, each compiled for its own");
    }

    @Test
    void anExpressionNoMediumTakesIsRefusedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BpfFilter("tcp prt 80"));
        assertTrue(e.getMessage().startsWith("filter 'tcp prt 80': "), e.getMessage());
    }
}
