package io.mirrorgate.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium (Debian's) driven over the DevTools protocol through the JDK's
 * WebSocket client: navigate, evaluate JavaScript in the page, set the viewport, take screenshots.
 */
final class Chromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();

    private Chromium(Process process, WebSocket ws) {
        this.process = process;
        this.ws = ws;
    }

    /** The browser binary: Debian's, past its shell launcher when it is there. */
    static String binary() {
        return Files.isExecutable(Paths.get("/usr/lib/chromium/chromium")) ? "/usr/lib/chromium/chromium" : "chromium";
    }

    static Chromium start(Path profile) throws Exception {
        Process p = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile,
                "about:blank").redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        String browser = null;
        StringBuilder said = new StringBuilder();
        while (browser == null && (line = r.readLine()) != null) {
            said.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                browser = m.group(1);
            }
        }
        if (browser == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not start: " + said);
        }
        Thread drain = new Thread(() -> {
            try {
                while (r.readLine() != null) {
                    // chromium's own chatter
                }
            } catch (IOException e) {
                // gone
            }
        }, "chromium-output");
        drain.setDaemon(true);
        drain.start();
        URI b = URI.create(browser);
        String list = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + b.getHost() + ":" + b.getPort() + "/json/list"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        String page = null;
        for (Object o : (List<?>) JsonTree.parse(list.getBytes(StandardCharsets.UTF_8))) {
            Map<?, ?> t = (Map<?, ?>) o;
            if ("page".equals(t.get("type"))) {
                page = (String) t.get("webSocketDebuggerUrl");
            }
        }
        if (page == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium has no page: " + list);
        }
        Chromium[] self = new Chromium[1];
        WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String msg = text.toString();
                    text.setLength(0);
                    self[0].received(msg);
                }
                w.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        self[0] = new Chromium(p, ws);
        return self[0];
    }

    @SuppressWarnings("unchecked")
    private void received(String msg) {
        try {
            Map<String, Object> m = (Map<String, Object>) JsonTree.parse(msg.getBytes(StandardCharsets.UTF_8));
            Object id = m.get("id");
            if (id != null) {
                CompletableFuture<Map<String, Object>> f = pending.remove(((Long) id).intValue());
                if (f != null) {
                    f.complete(m);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("not JSON from chromium: " + msg, e);
        }
    }

    /** Calls a DevTools method with its parameters as a JSON object; returns the result. */
    @SuppressWarnings("unchecked")
    Map<String, Object> call(String method, String params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        ws.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true).get(30, TimeUnit.SECONDS);
        Map<String, Object> m = f.get(30, TimeUnit.SECONDS);
        if (m.get("error") != null) {
            throw new IllegalStateException(method + ": " + m.get("error"));
        }
        return (Map<String, Object>) m.get("result");
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** Evaluates {@code js} in the page; its value (a string, number, boolean; null when undefined). */
    @SuppressWarnings("unchecked")
    Object eval(String js) throws Exception {
        Map<String, Object> r = call("Runtime.evaluate", "{\"expression\":" + quote(js) + ",\"returnByValue\":true}");
        Map<String, Object> v = (Map<String, Object>) r.get("result");
        if (r.get("exceptionDetails") != null) {
            throw new IllegalStateException("in the page: " + r.get("exceptionDetails"));
        }
        return v.get("value");
    }

    void navigate(String url) throws Exception {
        call("Page.enable", "{}");
        call("Page.navigate", "{\"url\":" + quote(url) + "}");
    }

    void viewport(int width, int height, boolean mobile) throws Exception {
        call("Emulation.setDeviceMetricsOverride", "{\"width\":" + width + ",\"height\":" + height
                + ",\"deviceScaleFactor\":1,\"mobile\":" + mobile + "}");
    }

    void screenshot(Path file) throws Exception {
        Map<String, Object> r = call("Page.captureScreenshot", "{\"format\":\"png\"}");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, java.util.Base64.getDecoder().decode((String) r.get("data")));
    }

    @Override
    public void close() {
        ws.abort();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
