package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The distribution tarball as an operator installs it: bin/, lib/, conf/, systemd/; the example
 * configuration starts; and, as the systemd unit runs it, a non-root user with only the ambient
 * capabilities CAP_NET_RAW and CAP_NET_ADMIN can inject, while the same user without them cannot.
 */
class PackagingIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    static Path unpack() throws Exception {
        Path tar = Files.list(Paths.get("target")).filter(p -> p.getFileName().toString().endsWith(".tar.gz")).findFirst()
                .orElseThrow(() -> new AssertionError("run after 'package': no tarball in target/"));
        Path dir = Files.createTempDirectory(Paths.get("/tmp"), "mirrorgate-dist");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process p = new ProcessBuilder("tar", "xzf", tar.toAbsolutePath().toString(), "-C", dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        return dir.resolve("mirrorgate");
    }

    static void delete(Path home) throws Exception {
        Path root = home.getParent();
        try (java.util.stream.Stream<Path> w = Files.walk(root)) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        }
        Files.deleteIfExists(Paths.get("/tmp/" + root.getFileName() + "-caps.log"));
        Files.deleteIfExists(Paths.get("/tmp/" + root.getFileName() + "-nocaps.log"));
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static long metric(int port, String name) {
        return SoakIT.metricOrMinusOne(port, name);
    }

    @Test
    void tarballHasTheDaemonLayoutAndTheExampleConfigurationStarts() throws Exception {
        Path home = unpack();
        for (String f : List.of("bin/mirrorgate", "lib/mirrorgate.jar", "conf/mirrorgate.conf", "systemd/mirrorgate.service")) {
            assertTrue(Files.exists(home.resolve(f)), f);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/mirrorgate")));
        int metrics = freePort();
        Path out = home.resolve("cap.pcap");
        Process p = new ProcessBuilder(home.resolve("bin/mirrorgate").toString(), "serve", "--config",
                home.resolve("conf/mirrorgate.conf").toString(), "--bind", "127.0.0.1", "--mirror-port", "0", "--client-port", "0",
                "--metrics-port", "" + metrics, "-w", out.toString(), "--log-format", "text")
                .redirectErrorStream(true).redirectOutput(home.resolve("serve.log").toFile()).start();
        try {
            await().atMost(WAIT).until(() -> metric(metrics, "mirrorgate_agents_connected") == 0);
        } finally {
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(home.resolve("serve.log")));
        // class-data sharing: the first read makes lib/mirrorgate.jsa, later ones use it, output unchanged
        String want = new String(new ProcessBuilder("java", "-jar", home.resolve("lib/mirrorgate.jar").toString(), "read",
                TestAgents.testdata("eth.pcap").toString()).start().getInputStream().readAllBytes());
        for (int run = 0; run < 2; run++) {
            Process r = new ProcessBuilder(home.resolve("bin/mirrorgate").toString(), "read",
                    TestAgents.testdata("eth.pcap").toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String got = new String(r.getInputStream().readAllBytes());
            assertTrue(r.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, r.exitValue());
            assertEquals(want, got, "run " + run);
            assertTrue(Files.size(home.resolve("lib/mirrorgate.jsa")) > 0, "the archive after run " + run);
        }
        delete(home);
    }

    /** Runs serve as nobody, with or without the two capabilities; returns inject_sent after 3 frames. */
    static long injectAsNobody(Path home, String adapter, boolean caps) throws Exception {
        int client = freePort();
        int metrics = freePort();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        if (caps) {
            cmd.addAll(List.of("--inh-caps=+net_raw,+net_admin", "--ambient-caps=+net_raw,+net_admin"));
        }
        cmd.addAll(List.of(home.resolve("bin/mirrorgate").toString(), "serve", "--mirror-port", "0", "--client-port", "" + client,
                "--metrics-port", "" + metrics, "--inject-adapter", adapter));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(Paths.get("/tmp/" + home.getParent().getFileName()
                + (caps ? "-caps.log" : "-nocaps.log")).toFile()).start();
        try {
            await().atMost(WAIT).until(() -> metric(metrics, "mirrorgate_agents_connected") == 0);
            try (Socket s = new Socket("127.0.0.1", client)) {
                byte[] f = InjectionIT.frame(60, 1);
                for (int k = 0; k < 3; k++) {
                    s.getOutputStream().write(new byte[] {(byte) f.length, 0});
                    s.getOutputStream().write(f);
                }
                s.getOutputStream().flush();
                String sent = "mirrorgate_inject_frames_total{outcome=\"sent\"}";
                String failed = "mirrorgate_inject_frames_total{outcome=\"failed\"}";
                await().atMost(WAIT).until(() -> metric(metrics, sent) + metric(metrics, failed) == 3);
                return metric(metrics, sent);
            }
        } finally {
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void capNetRawAndCapNetAdminAreTheOnlyPrivilegeInjectionNeeds() throws Exception {
        Path home = unpack();
        try (VethForTests veth = new VethForTests("mgp")) {
            assertEquals(3, injectAsNobody(home, veth.a(), true), "nobody + CAP_NET_RAW + CAP_NET_ADMIN injects");
            assertEquals(0, injectAsNobody(home, veth.a(), false), "nobody without capabilities cannot");
        } finally {
            delete(home);
        }
    }
}
