package io.mirrorgate.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.server.Collector;
import io.mirrorgate.server.ServeConfig;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --analysis --dedup --conversations-log}: a real collector, agents replaying a
 * capture with mirror copies (testdata/mirrored.pcap), then the same capture again from a second
 * agent. Every copy is dropped and counted, the conversation log equals what
 * {@code read --conversations --format jsonl} gives for the capture without copies, and /metrics
 * carries the analysis counts.
 */
class ServeAnalysisIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static String scrape(Collector c) throws Exception {
        HttpURLConnection h = (HttpURLConnection) new URL("http://127.0.0.1:" + c.metricsAddress().getPort() + "/metrics")
                .openConnection();
        assertEquals(200, h.getResponseCode());
        try (InputStream in = h.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static long metric(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{agent=\"127\\.0\\.0\\.1\"\\} ([0-9.eE+-]+)$").matcher(body);
        assertTrue(m.find(), name + " in\n" + body);
        return (long) Double.parseDouble(m.group(1));
    }

    /**
     * NCF records carry the captured length only (SPEC: original = data_len for NCF): through replay and serve, a
     * frame cut by the capture's 128-byte snap length counts as 128 bytes, where read counts the
     * length on the wire. Every other count is the same.
     */
    private static String withoutFrameBytes(String line) {
        return line.replaceAll(",\"frame_bytes_(ab|ba)\":[0-9]+", "");
    }

    @Test
    void copiesDroppedConversationsLoggedAndExported(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("conn.log");
        ServeConfig cfg = new ServeConfig();
        cfg.dedup = true;
        cfg.conversationsLog = log.toString();
        cfg.metricsPort = 0;
        String mirrored = Cli.testdata("mirrored.pcap").toString();
        try (Collector c = io.mirrorgate.server.TestAgents.collector(cfg)) {
            String to = "127.0.0.1:" + c.mirrorAddress().getPort();
            assertEquals(0, Cli.run("replay", mirrored, "--mirror", to).status);
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() == 1073 && c.agentTotals().connected.get() == 1
                    && c.conversationsLogged()[0] == 1);
            assertEquals(373, c.agentTotals().deduplicated.get(), "the copies");
            String body = scrape(c);
            assertEquals(373, metric(body, "mirrorgate_agent_records_deduplicated_total"));
            assertTrue(metric(body, "mirrorgate_agent_tcp_retransmissions_total") > 0, body);
            assertEquals(0, metric(body, "mirrorgate_agent_mirror_duplicates_total"), "--dedup took them first");
            assertEquals(1, metric(body, "mirrorgate_agent_conversations_total"), body);
            assertEquals(0, metric(body, "mirrorgate_agent_conversations_active"), "the agent is gone");
            assertTrue(body.contains("mirrorgate_agent_capture_loss_ratio{agent=\"127.0.0.1\"}"), body);
            assertEquals(0, Cli.run("replay", mirrored, "--mirror", to).status);
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() == 2 * 1073 && c.agentTotals().connected.get() == 2);
            assertEquals(373 + 1073, c.agentTotals().deduplicated.get(), "the second agent's packets are all copies");
        }
        List<String> logged = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            assertTrue(l.endsWith(",\"agent\":\"127.0.0.1\"}") || l.contains("\"agent\":\"127.0.0.1:"), l);
            logged.add(withoutFrameBytes(l.replaceFirst(",\"agent\":\"[^\"]*\"}$", "}")));
        }
        Cli read = Cli.run("read", "--conversations", "--format", "jsonl", "--count", "700", Cli.testdata("impaired.pcap").toString());
        assertEquals(0, read.status, read.err);
        assertEquals(List.of(read.out.split("\n")).stream().map(ServeAnalysisIT::withoutFrameBytes).sorted().toList(),
                logged.stream().sorted().toList());
    }
}
