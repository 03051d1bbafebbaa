package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The web console's JSON API on a real collector: /api/status has the documented shape (every
 * field, its type) and counts what the agents sent; /api/rates keeps per-second series;
 * /api/conversations needs --analysis and checks its parameters; /api/events streams the status;
 * anything but GET is refused (the console is read-only).
 */
class ConsoleApiIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<byte[]> get(Collector c, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.metricsAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    /** Asserts that {@code m} has exactly {@code keys}, each of the type given (Long, Double, String, Boolean, List, Map, or null). */
    private static void shape(Map<String, Object> m, Object... keysAndTypes) {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        for (int k = 0; k < keysAndTypes.length; k += 2) {
            String key = (String) keysAndTypes[k];
            keys.add(key);
            Class<?> type = (Class<?>) keysAndTypes[k + 1];
            assertTrue(m.containsKey(key), "missing " + key + " in " + m);
            if (type == null) {
                assertNull(m.get(key), key);
            } else if (m.get(key) != null || type != String.class) {
                assertInstanceOf(type, m.get(key), key + " in " + m);
            }
        }
        assertEquals(keys, m.keySet(), "fields");
    }

    @Test
    void statusRatesConversationsAndEventsHaveTheirDocumentedShape() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.metricsPort = 0;
        cfg.vxlanPort = 0;
        try (Collector c = new Collector(cfg, System.out).start();
             java.net.Socket agent = new java.net.Socket("127.0.0.1", c.mirrorAddress().getPort());
             TestAgents.Reader sub = new TestAgents.Reader(c.clientAddress())) {
            agent.getOutputStream().write(TestAgents.concat(TestAgents.records(3, 500, 200)));
            agent.getOutputStream().flush();
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() == 500
                    && c.subscriberTotals().connected.get() == 1);
            // the sampler takes one sample a second: wait for the one that saw the records
            await().atMost(WAIT).until(() -> list(JsonTree.object(get(c, "/api/rates").body()).get("time")).size() >= 3);

            HttpResponse<byte[]> r = get(c, "/api/status");
            assertEquals(200, r.statusCode());
            assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
            Map<String, Object> st = JsonTree.object(r.body());
            shape(st, "time", Long.class, "startedAt", Long.class, "analysis", Boolean.class, "totals", Map.class,
                    "agents", List.class, "subscribers", List.class, "pcapOverIp", Map.class, "injection", Map.class,
                    "kafka", null, "files", null);
            Map<String, Object> t = map(st.get("totals"));
            shape(t, "agents", Long.class, "received", Long.class, "bytes", Long.class, "decoded", Long.class,
                    "malformed", Long.class, "datagramsMalformed", Long.class, "brokenStreams", Long.class,
                    "subscribers", Long.class, "sent", Long.class, "dropped", Long.class, "recordsPerSecond", Double.class,
                    "dropsPerSecond", Double.class, "refusedConnections", Long.class, "udpSourcesRefused", Long.class, "agentsNotListed", Long.class);
            assertEquals(500L, t.get("received"));
            assertEquals(1L, t.get("agents"));
            assertEquals(1L, t.get("subscribers"));
            Map<String, Object> a = map(list(st.get("agents")).get(0));
            shape(a, "name", String.class, "address", String.class, "kind", String.class, "media", List.class,
                    "since", Long.class, "received", Long.class, "bytes", Long.class, "recordsPerSecond", Double.class,
                    "bytesPerSecond", Double.class, "malformed", Long.class, "datagramsMalformed", Long.class,
                    "brokenStreams", Long.class, "filtered", Long.class, "deduplicated", Long.class,
                    "conversationsActive", Long.class, "kernelDrops", null);
            assertEquals("127.0.0.1:" + agent.getLocalPort(), a.get("name"));
            assertEquals("NCF", a.get("kind"));
            assertEquals(List.of("ethernet"), a.get("media"));
            assertEquals(500L, a.get("received"));
            Map<String, Object> s = map(list(st.get("subscribers")).get(0));
            shape(s, "name", String.class, "kind", String.class, "since", Long.class, "sent", Long.class,
                    "dropped", Long.class, "skipped", Long.class);
            assertEquals("NCF", s.get("kind"));
            Map<String, Object> inj = map(st.get("injection"));
            assertEquals(Set.of("state", "sent", "failed", "discarded", "empty", "refused", "rate_limited", "dropped"),
                    inj.keySet());

            Map<String, Object> rates = JsonTree.object(get(c, "/api/rates").body());
            shape(rates, "intervalSeconds", Long.class, "time", List.class, "recordsPerSecond", List.class,
                    "dropsPerSecond", List.class, "agents", List.class, "untrackedAgents", Long.class);
            double sum = 0;
            for (Object v : list(rates.get("recordsPerSecond"))) {
                sum += ((Number) v).doubleValue();
            }
            assertTrue(sum >= 499, "records/s over the samples add up to the records (one a second): " + sum);
            Map<String, Object> series = map(list(rates.get("agents")).get(0));
            assertEquals(a.get("name"), series.get("name"));
            assertEquals(list(rates.get("time")).size(), list(series.get("recordsPerSecond")).size());

            assertEquals(404, get(c, "/api/conversations").statusCode(), "needs --analysis");
            HttpResponse<byte[]> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + c.metricsAddress().getPort() + "/api/status")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(405, post.statusCode());
            HttpResponse<byte[]> page = get(c, "/");
            assertEquals(200, page.statusCode());
            assertTrue(new String(page.body(), StandardCharsets.UTF_8).contains("EventSource(\"api/events\")"));

            HttpResponse<java.io.InputStream> ev = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + c.metricsAddress().getPort() + "/api/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals("text/event-stream; charset=utf-8", ev.headers().firstValue("content-type").orElse(""));
            try (BufferedReader in = new BufferedReader(new InputStreamReader(ev.body(), StandardCharsets.UTF_8))) {
                String line;
                int events = 0;
                while (events < 2 && (line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        Map<String, Object> e = JsonTree.object(line.substring(6).getBytes(StandardCharsets.UTF_8));
                        assertEquals(500L, map(e.get("totals")).get("received"));
                        events++;
                    }
                }
                assertEquals(2, events);
            }
        }
    }

    @Test
    void conversationsAreTheHeaviestLiveOnesOverAllAgents() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.metricsPort = 0;
        cfg.analysis = true;
        try (Collector c = new Collector(cfg, System.out).start()) {
            TestAgents.send(c.mirrorAddress(), java.nio.file.Files.readAllBytes(TestAgents.testdata("eth.ncf")), 1);
            try (java.net.Socket agent = new java.net.Socket("127.0.0.1", c.mirrorAddress().getPort())) {
                agent.getOutputStream().write(TestAgents.concat(TestAgents.records(5, 300, 400)));
                agent.getOutputStream().flush();
                await().atMost(WAIT).until(() -> c.agentTotals().received.get() == 339);
                // the agent's top list is renewed with its next read, at most once a second
                await().atMost(WAIT).until(() -> {
                    agent.getOutputStream().write(TestAgents.concat(TestAgents.records(5, 1, 400)));
                    List<Object> top = list(JsonTree.object(get(c, "/api/conversations?top=5").body()).get("conversations"));
                    return !top.isEmpty() && (Long) map(top.get(0)).get("frames") >= 300;
                });
                Map<String, Object> conv = JsonTree.object(get(c, "/api/conversations?top=5&sort=bytes").body());
                assertEquals("bytes", conv.get("sort"));
                List<Object> rows = list(conv.get("conversations"));
                Map<String, Object> first = map(rows.get(0));
                shape(first, "agent", String.class, "proto", String.class, "addrA", String.class, "portA", Long.class,
                        "addrB", String.class, "portB", Long.class, "frames", Long.class, "bytes", Long.class,
                        "retransmissions", Long.class, "zeroWindows", Long.class, "reset", Boolean.class, "state", String.class,
                        "history", String.class, "startMicros", Long.class, "lastMicros", Long.class, "communityId", String.class);
                assertEquals("10.0.5.1", first.get("addrA"), "the live agent's one flow of 300+ records is the heaviest");
                assertTrue((Long) first.get("frames") >= 300);
                long prev = Long.MAX_VALUE;
                for (Object o : rows) {
                    long b = (Long) map(o).get("bytes");
                    assertTrue(b <= prev, "sorted by bytes");
                    prev = b;
                }
                assertEquals(400, get(c, "/api/conversations?top=0").statusCode());
                assertEquals(400, get(c, "/api/conversations?sort=name").statusCode());
                assertEquals(200, get(c, "/api/conversations?top=3&sort=retransmissions").statusCode());
            }
        }
    }

    /** /api/status lists at most 1,000 agents, the busiest; the others are counted, and in the totals. */
    @Test
    void statusListsTheBusiestThousandAgents() throws Exception {
        ServeConfig cfg = TestAgents.ephemeralPorts();
        cfg.metricsPort = 0;
        cfg.vxlanPort = 0;
        byte[] f = TestAgents.frame(1, 1, 60);
        int n = ConsoleApi.MAX_AGENT_ROWS + 1;
        try (Collector c = new Collector(cfg, System.out).start(); java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
            java.net.InetSocketAddress to = new java.net.InetSocketAddress("127.0.0.1",
                    c.udpAddress(io.mirrorgate.protocol.Decapsulation.Kind.VXLAN).getPort());
            for (int vni = 0; vni < n; vni++) {
                for (int k = vni == 7 ? 0 : 1; k < 2; k++) { // VNI 7 sends two: the busiest
                    byte[] d = UdpMirrorIT.vxlan(vni, f);
                    udp.send(new java.net.DatagramPacket(d, d.length, to));
                }
                if (vni % 256 == 255) {
                    long sent = vni + 2;
                    await().atMost(WAIT).until(() -> c.agentTotals().received.get() >= sent);
                }
            }
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() == n + 1);
            Map<String, Object> st = JsonTree.object(get(c, "/api/status").body());
            assertEquals((long) n, map(st.get("totals")).get("agents"));
            assertEquals(1L, map(st.get("totals")).get("agentsNotListed"));
            List<Object> rows = list(st.get("agents"));
            assertEquals(ConsoleApi.MAX_AGENT_ROWS, rows.size());
            assertTrue(rows.stream().anyMatch(r -> "127.0.0.1 vxlan vni 7".equals(map(r).get("name"))
                    && Long.valueOf(2).equals(map(r).get("received"))), "the busiest is listed");
        }
    }
}
