package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.IpPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --pcap-port} against the real thing: {@code tshark -i TCP@127.0.0.1:PORT} (dumpcap's
 * PCAP-over-IP reader) captures while agents stream. Every frame tshark writes equals the
 * original, bytes and timestamps; records of another medium (an 802.11 agent) are skipped and
 * counted for the Ethernet client.
 */
class PcapOverIpIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void tsharkReadingThePcapPortGetsEveryFrameAsSentWithItsTime() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.pcapPort = 0;
        List<IpPacket> want = TestAgents.read("eth.ncf");
        int wifi = TestAgents.read("wifi.ncfx").size();
        Path out = tmp.resolve("tshark.pcap");
        try (Collector c = new Collector(cfg, System.out).start()) {
            Process tshark = new ProcessBuilder("tshark", "-i", "TCP@127.0.0.1:" + c.pcapAddress().getPort(), "-c",
                    Integer.toString(want.size()), "-F", "pcap", "-w", out.toString()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("tshark.log").toFile()).start();
            try {
                await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() >= 1 || !tshark.isAlive());
                assertTrue(tshark.isAlive(), Files.readString(tmp.resolve("tshark.log")));
                // an 802.11 agent first: its records are not Ethernet, so the client skips them, counted
                TestAgents.send(c.mirrorAddress(), Files.readAllBytes(TestAgents.testdata("wifi.ncfx")), 1);
                await().atMost(WAIT).until(() -> c.agentTotals().received.get() == wifi);
                TestAgents.send(c.mirrorAddress(), Files.readAllBytes(TestAgents.testdata("eth.ncf")), 2);
                assertTrue(tshark.waitFor(60, TimeUnit.SECONDS), "tshark got every frame");
                assertEquals(0, tshark.exitValue(), Files.readString(tmp.resolve("tshark.log"), StandardCharsets.UTF_8));
            } finally {
                tshark.destroyForcibly();
            }
            List<IpPacket> got = TestAgents.read(out);
            assertEquals(want.size(), got.size());
            for (int k = 0; k < want.size(); k++) {
                assertArrayEquals(want.get(k).frame(), got.get(k).frame(), "frame " + k);
                assertEquals(want.get(k).timestamp(), got.get(k).timestamp(), "time of frame " + k);
                assertEquals(want.get(k).originalLength(), got.get(k).originalLength(), "length of frame " + k);
            }
            assertEquals(wifi, c.subscriberTotals().skipped.get(), "the 802.11 records, skipped for an Ethernet client");
            assertEquals(want.size(), c.subscriberTotals().sent.get());
        }
    }
}
