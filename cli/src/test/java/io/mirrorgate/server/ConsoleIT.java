package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real headless Chromium against a real {@code serve} with agents streaming:
 * the page's numbers equal /metrics (within one update), an agent that disconnects leaves the page
 * within 2 s, a stalled subscriber's drops show in red, 200 agents scroll in their table, and after
 * the collector restarts the page reconnects by itself. Screenshots at 1366×768 and 390×844 go to
 * {@code target/}.
 */
class ConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The sum over every series of {@code name} on /metrics. */
    private static long metric(int port, String name) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + name + "(?:_total)?(?:\\{[^}]*\\})? (\\S+)$").matcher(body);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return Math.round(sum);
    }

    private static long pageNumber(Chromium c, String selector) throws Exception {
        Object v = c.eval("(document.querySelector('" + selector + "') || {dataset: {v: '-1'}}).dataset.v");
        return Math.round(Double.parseDouble(String.valueOf(v)));
    }

    private static Process serve(List<String> lines, int[] port, int metricsPort) throws Exception {
        return ServeProcessIT.start(lines, port, "--mirror-port", "0", "--client-port", "0", "--metrics-port",
                Integer.toString(metricsPort), "--analysis", "--timezone", "UTC");
    }

    @Test
    void thePageShowsWhatMetricsShowsAndFollowsAgentsDropsAndRestarts() throws Exception {
        int metricsPort = freePort();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        int[] port = {-1};
        Process p = serve(lines, port, metricsPort);
        List<Socket> many = new ArrayList<>();
        try (Chromium browser = Chromium.start(tmp.resolve("profile"));
             Socket a = new Socket("127.0.0.1", port[0]);
             Socket b = new Socket("127.0.0.1", port[0]);
             Socket stalled = new Socket()) {
            // a subscriber that never reads: the collector's queue for it fills, and it drops
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new java.net.InetSocketAddress("127.0.0.1", clientPort(lines)));
            browser.viewport(1366, 768, false);
            browser.navigate("http://127.0.0.1:" + metricsPort + "/");
            await().atMost(WAIT).until(() -> "live".equals(browser.eval("document.querySelector('#conn').textContent")));

            byte[] chunk = TestAgents.concat(TestAgents.records(1, 10_000, 1400));
            OutputStream outA = a.getOutputStream();
            for (int k = 0; k < 3; k++) {
                outA.write(chunk); // 42 MB: more than the stalled subscriber's queue holds
            }
            outA.flush();
            b.getOutputStream().write(TestAgents.concat(TestAgents.records(2, 500, 200)));
            b.getOutputStream().flush();
            await().atMost(WAIT).until(() -> metric(metricsPort, "mirrorgate_agent_records_received") == 30_500);
            await().atMost(WAIT).until(() -> metric(metricsPort, "mirrorgate_subscriber_records_dropped") > 0);
            long dropped = metric(metricsPort, "mirrorgate_subscriber_records_dropped");

            // the page equals /metrics within one update (the agents have stopped: the numbers stand still)
            await().atMost(Duration.ofSeconds(5)).until(() -> pageNumber(browser, "#t-received") == 30_500);
            assertEquals(metric(metricsPort, "mirrorgate_agent_records_received"), pageNumber(browser, "#t-received"));
            assertEquals(metric(metricsPort, "mirrorgate_agent_received_bytes"), pageNumber(browser, "#t-bytes"));
            assertEquals(metric(metricsPort, "mirrorgate_agents_connected"), pageNumber(browser, "#t-agents"));
            assertEquals(metric(metricsPort, "mirrorgate_subscribers_connected"), pageNumber(browser, "#t-subscribers"));
            assertEquals(metric(metricsPort, "mirrorgate_subscriber_records_sent"), pageNumber(browser, "#t-sent"));
            await().atMost(Duration.ofSeconds(3)).until(() -> pageNumber(browser, "#t-dropped")
                    == metric(metricsPort, "mirrorgate_subscriber_records_dropped"));
            assertTrue(dropped > 0 && pageNumber(browser, "#t-dropped") >= dropped);
            assertEquals(true, browser.eval("document.querySelector('#t-dropped').classList.contains('bad')"), "drops in red");
            String stalledRow = "tr[data-subscriber=\"127.0.0.1:" + stalled.getLocalPort() + "\"] td.dropped";
            assertEquals(true, browser.eval("document.querySelector('" + stalledRow + "').classList.contains('bad')"));
            String rowA = "tr[data-agent=\"127.0.0.1:" + a.getLocalPort() + "\"] td.received";
            assertEquals(30_000, pageNumber(browser, rowA));
            // --analysis: the top conversations fill in (agent 1's flow is the heaviest)
            await().atMost(WAIT).until(() -> ((Number) browser.eval(
                    "document.querySelectorAll('#conversations tbody tr').length")).intValue() >= 1);
            assertEquals("10.0.1.1:40001", browser.eval("document.querySelector('#conversations tbody tr td:nth-child(3)').textContent"));
            Path target = Paths.get("target").toAbsolutePath();
            browser.screenshot(target.resolve("console-1366x768.png"));
            browser.viewport(390, 844, true);
            await().atMost(WAIT).until(() -> ((Number) browser.eval("window.innerWidth")).intValue() == 390);
            browser.screenshot(target.resolve("console-390x844.png"));
            assertTrue(Files.size(target.resolve("console-390x844.png")) > 10_000);
            browser.viewport(1366, 768, false);

            // an agent that disconnects leaves the page within 2 s
            String rowB = "tr[data-agent=\"127.0.0.1:" + b.getLocalPort() + "\"]";
            assertEquals(true, browser.eval("document.querySelector('" + rowB + "') !== null"));
            b.close();
            await().atMost(Duration.ofSeconds(2)).until(() -> (Boolean) browser.eval("document.querySelector('" + rowB + "') === null"));

            // 200 agents: one row each, in a box that scrolls
            for (int k = 0; k < 200; k++) {
                Socket s = new Socket("127.0.0.1", port[0]);
                many.add(s);
                s.getOutputStream().write(TestAgents.concat(TestAgents.records(3, 1, 100)));
            }
            await().atMost(WAIT).until(() -> ((Number) browser.eval("document.querySelectorAll('#agents tbody tr').length"))
                    .intValue() == 201);
            assertEquals(true, browser.eval("(b => b.scrollHeight > b.clientHeight)(document.querySelector('#agents-box'))"));
            assertEquals(201, pageNumber(browser, "#t-agents"));
            for (Socket s : many) {
                s.close();
            }

            // the collector restarts on the same port: the page says so, then reconnects by itself
            ServeProcessIT.signal(p, "TERM");
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            await().atMost(WAIT).until(() -> "reconnecting".equals(browser.eval("document.querySelector('#conn').textContent")));
            lines.clear();
            port[0] = -1;
            p = serve(lines, port, metricsPort);
            await().atMost(WAIT).until(() -> "live".equals(browser.eval("document.querySelector('#conn').textContent")));
            try (Socket c = new Socket("127.0.0.1", port[0])) {
                c.getOutputStream().write(TestAgents.concat(TestAgents.records(4, 7, 100)));
                await().atMost(WAIT).until(() -> pageNumber(browser, "#t-received") == 7
                        && pageNumber(browser, "tr[data-agent=\"127.0.0.1:" + c.getLocalPort() + "\"] td.received") == 7);
            }
        } finally {
            for (Socket s : many) {
                s.close();
            }
            p.destroyForcibly();
        }
    }

    /** The client port serve printed at start. */
    private static int clientPort(List<String> lines) {
        return ServeProcessIT.awaitNumber(lines, Pattern.compile("subscribers -> 127\\.0\\.0\\.1:(\\d+)"));
    }
}
