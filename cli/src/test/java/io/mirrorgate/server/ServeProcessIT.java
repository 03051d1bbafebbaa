package io.mirrorgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.CaptureFormat;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.PcapFileReader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real executable: start, print addresses, take agents, SIGTERM, drain, exit 0 with stats. */
class ServeProcessIT {
    private static final Pattern AGENTS = Pattern.compile("agents -> 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    static Path jar() {
        Path p = Paths.get("target/mirrorgate.jar").toAbsolutePath();
        assertTrue(Files.exists(p), "run after 'package': " + p);
        return p;
    }

    @Test
    void sigtermDrainsClosesFilesAndExitsZero() throws Exception {
        Path out = tmp.resolve("all.pcap");
        Process p = new ProcessBuilder("java", "-jar", jar().toString(), "serve", "--mirror-port", "0", "--client-port", "0",
                "--timezone", "UTC", "-w", out.toString()).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        int port = -1;
        String line;
        while (port < 0 && (line = r.readLine()) != null) {
            lines.add(line);
            Matcher m = AGENTS.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        assertTrue(port > 0, String.join("\n", lines));
        byte[] data = Files.readAllBytes(TestAgents.testdata("eth.ncf"));
        TestAgents.send(new InetSocketAddress("127.0.0.1", port), data, 1); // returns once the collector read it all
        // SIGTERM (Process.destroy() would also close our end of its output)
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        while ((line = r.readLine()) != null) {
            lines.add(line);
        }
        String all = String.join("\n", lines);
        assertEquals(0, p.exitValue(), all);
        assertTrue(all.contains("mirrorgate serve: agents total received=39 "), all);
        assertTrue(all.contains("files written=39 dropped=0 files=1"), all);
        assertTrue(!all.contains("Exception"), all);
        int n = 0;
        PacketView v = new PacketView();
        try (PcapFileReader pr = new PcapFileReader(out, CaptureFormat.PCAP)) {
            while (pr.next(v)) {
                n++;
            }
        }
        assertEquals(39, n);
    }

    @Test
    void writeToStdoutStreamsPcap() throws Exception {
        Process p = new ProcessBuilder("java", "-jar", jar().toString(), "serve", "--mirror-port", "0", "--client-port", "0",
                "-w", "-").start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        int port = -1;
        String line;
        while (port < 0 && (line = err.readLine()) != null) {
            Matcher m = AGENTS.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        Thread drain = new Thread(() -> {
            try {
                while (err.readLine() != null) {
                    // statistics at exit
                }
            } catch (java.io.IOException e) {
                // closed
            }
        });
        drain.start();
        // send() returns when the collector closed the connection, after it read every record
        TestAgents.send(new InetSocketAddress("127.0.0.1", port), Files.readAllBytes(TestAgents.testdata("eth.ncf")), 1);
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
        byte[] pcap = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        Path f = tmp.resolve("stdout.pcap");
        Files.write(f, pcap);
        int n = 0;
        PacketView v = new PacketView();
        try (PcapFileReader r = new PcapFileReader(f, CaptureFormat.PCAP)) {
            while (r.next(v)) {
                n++;
            }
        }
        assertEquals(39, n);
    }

    /** Starts serve with extra arguments; returns the process and its agent port; stderr lines go to {@code lines}. */
    static Process start(List<String> lines, int[] port, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar().toString(), "serve"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while (port[0] < 0 && (line = r.readLine()) != null) {
            lines.add(line);
            Matcher m = AGENTS.matcher(line);
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
            }
        }
        Thread t = new Thread(() -> {
            try {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                // ended
            }
        });
        t.setDaemon(true);
        t.start();
        return p;
    }

    /** Waits until a line of {@code lines} matches {@code p}; returns the pattern's first group as a number (a port). */
    static int awaitNumber(List<String> lines, java.util.regex.Pattern p) {
        int[] found = {-1};
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
            synchronized (lines) {
                for (String l : lines) {
                    Matcher m = p.matcher(l);
                    if (m.find()) {
                        found[0] = Integer.parseInt(m.group(1));
                        return true;
                    }
                }
            }
            return false;
        });
        return found[0];
    }

    static void signal(Process p, String sig) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor());
    }

    /**
     * Regression: with --log-format json the banner and the statistics block were plain text
     * between the JSON lines. Now every line on stderr is one JSON object, at the default level too.
     */
    @Test
    void jsonLogsAreOneObjectPerLine() throws Exception {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Process p = startWithOneAgent(lines, "--log-format", "json", "--log-level", "info");
        signal(p, "USR1"); // a statistics block while running, and one at exit
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> joined(lines).contains("connections refused="));
        signal(p, "TERM");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> joined(lines).split("connections refused=", -1).length - 1 >= 2);
        List<String> all;
        synchronized (lines) {
            all = new ArrayList<>(lines);
        }
        assertTrue(all.stream().anyMatch(l -> l.contains("\"level\":\"INFO\"") && l.contains("connected")), all.toString());
        assertTrue(all.stream().anyMatch(l -> l.contains("agents total received=39")), all.toString());
        for (String l : all) {
            assertTrue(l.startsWith("{") && l.endsWith("}"), "not one JSON object: " + l);
            try (com.fasterxml.jackson.core.JsonParser jp = new com.fasterxml.jackson.core.JsonFactory().createParser(l)) {
                while (jp.nextToken() != null) {
                    // parses: one object per line
                }
            }
        }
    }

    /**
     * Starts serve on free ports with {@code extra} options (INFO logging among them), streams
     * eth.ncf as one agent and waits until the collector has logged that agent's close.
     */
    private static Process startWithOneAgent(List<String> lines, String... extra) throws Exception {
        int[] port = {-1};
        List<String> args = new ArrayList<>(List.of("--mirror-port", "0", "--client-port", "0"));
        args.addAll(List.of(extra));
        Process p = start(lines, port, args.toArray(new String[0]));
        TestAgents.send(new InetSocketAddress("127.0.0.1", port[0]), Files.readAllBytes(TestAgents.testdata("eth.ncf")), 1);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> joined(lines).contains(" closed: agent"));
        return p;
    }

    private static String joined(List<String> lines) {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Regression: at --log-level info pcap4j's own INFO lines (library loaded, properties) filled the log. */
    @Test
    void thirdPartyChatterStaysBelowInfo() throws Exception {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Process p = startWithOneAgent(lines, "--inject-adapter", "lo", "--log-level", "info");
        signal(p, "TERM");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String all = joined(lines);
        assertTrue(all.contains("injection on adapter lo"), all);
        assertTrue(!all.contains("NativeMappings") && !all.contains("PropertiesLoader") && !all.contains("Pcap4J"), all);
    }

    /** The two statistics blocks of a SIGUSR1 at exit come one after the other, never mixed. */
    @Test
    void statisticsBlocksNeverInterleave() throws Exception {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        int[] port = {-1};
        Process p = start(lines, port, "--mirror-port", "0", "--client-port", "0");
        TestAgents.send(new InetSocketAddress("127.0.0.1", port[0]), Files.readAllBytes(TestAgents.testdata("eth.ncf")), 1);
        for (int k = 0; k < 20; k++) {
            signal(p, "USR1");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> joined(lines).split("connections refused=", -1).length - 1 >= 2);
        signal(p, "TERM"); // possibly while SIGUSR1 blocks are still being printed
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> joined(lines).contains("agents total received=39") && joined(lines).endsWith("tls_refused=0"));
        List<String> stats;
        synchronized (lines) {
            stats = lines.stream().filter(l -> l.startsWith("mirrorgate serve: ") && !l.contains(" -> ")
                    && !l.startsWith("mirrorgate serve: injection off")).collect(java.util.stream.Collectors.toList());
        }
        // every block runs agents .. subscribers .. injection .. connections, in that order
        String[] order = {"mirrorgate serve: agents ", "mirrorgate serve: subscribers ", "mirrorgate serve: injection ",
            "mirrorgate serve: connections "};
        int at = 0;
        for (String l : stats) {
            if (l.startsWith("mirrorgate serve:   ")) {
                continue; // a live agent's or subscriber's own line inside a block
            }
            assertTrue(l.startsWith(order[at % 4]), "line " + at + " of the blocks: " + l + "\n" + String.join("\n", stats));
            at++;
        }
        assertTrue(at >= 8 && at % 4 == 0, "whole blocks: " + at + " lines");
    }

    @Test
    void sighupReloadsTheAllowListFromTheConfigFile() throws Exception {
        Path conf = tmp.resolve("serve.conf");
        Files.writeString(conf, "# test\nmirror-port = 0\nclient-port = 0\nallow = 10.0.0.0/8\n");
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        int[] port = {-1};
        Process p = start(lines, port, "--config", conf.toString(), "--log-level", "info"); // a routine reload logs at INFO
        byte[] data = Files.readAllBytes(TestAgents.testdata("eth.ncf"));
        TestAgents.send(new InetSocketAddress("127.0.0.1", port[0]), data, 1); // refused: not in the allow list
        Files.writeString(conf, "mirror-port = 0\nclient-port = 0\nallow = 127.0.0.0/8\n");
        signal(p, "HUP");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> joined(lines).contains("reloaded: allow [127.0.0.0/8]"));
        TestAgents.send(new InetSocketAddress("127.0.0.1", port[0]), data, 2);
        signal(p, "TERM");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> joined(lines).contains("connections refused=")); // the statistics at exit, read
        String all = joined(lines);
        assertEquals(0, p.exitValue(), all);
        assertTrue(all.contains("agents total received=39 "), all);
        assertTrue(all.contains("connections refused=1 "), all);
        assertTrue(all.contains("reloaded: allow [127.0.0.0/8]"), all);
    }

    @Test
    void sigusr2ReopensCaptureFilesAfterTheyAreMovedAway() throws Exception {
        Path cap = tmp.resolve("cap.pcap");
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        int[] port = {-1};
        Process p = start(lines, port, "--mirror-port", "0", "--client-port", "0", "-w", cap.toString(), "--log-level", "info");
        byte[] data = Files.readAllBytes(TestAgents.testdata("eth.ncf"));
        TestAgents.send(new InetSocketAddress("127.0.0.1", port[0]), data, 1);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> FaultIT.readable(cap) == 39);
        Files.move(cap, tmp.resolve("cap.pcap.old")); // what logrotate does
        signal(p, "USR2");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> joined(lines).contains("capture files closed; new ones open with the next record"));
        TestAgents.send(new InetSocketAddress("127.0.0.1", port[0]), data, 2);
        signal(p, "TERM");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(39, FaultIT.readable(tmp.resolve("cap.pcap.old")));
        assertEquals(39, FaultIT.readable(cap));
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        for (String[] args : new String[][] {{"--bogus"}, {"--mirror-port", "70000"}, {"--dialect", "xml"},
            {"-C", "5"}, {"--mirror-port", "0", "--client-port", "0", "--filter", "port port"}, {"stray"}}) {
            List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar().toString(), "serve"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            boolean ended = p.waitFor(30, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ended, String.join(" ", args) + " did not exit");
            assertEquals(64, p.exitValue(), String.join(" ", args) + ": " + outText);
            assertEquals(1, outText.trim().split("\n").length, outText);
        }
    }
}
