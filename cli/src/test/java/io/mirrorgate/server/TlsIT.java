package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.client.MirrorClient;
import io.mirrorgate.protocol.Tls;
import io.mirrorgate.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both ports with certificates openssl makes for the test: a CA, a server certificate for
 * "localhost", a client certificate, and a second CA nobody trusts.
 */
class TlsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    static File f(String name) {
        return dir.resolve(name).toFile();
    }

    static void openssl(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    static void ca(String name) throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "2",
                "-subj", "/CN=" + name);
    }

    static void signed(String name, String ca, String cn, String san) throws Exception {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        Files.writeString(dir.resolve(name + ".ext"), san == null ? "basicConstraints=CA:FALSE\n"
                : "basicConstraints=CA:FALSE\nsubjectAltName=" + san + "\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial", "-out",
                name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    @BeforeAll
    static void certificates() throws Exception {
        ca("ca");
        ca("otherca");
        signed("server", "ca", "localhost", "DNS:localhost");
        signed("client", "ca", "agent-1", null);
        signed("stranger", "otherca", "agent-2", null);
        // an expired server certificate signed by a valid CA (OpenSSL 3.0 cannot back-date one;
        // keytool -gencert can), as PEM
        keytool("-genkeypair", "-keystore", "expca.p12", "-alias", "ca", "-dname", "CN=expca", "-ext", "bc:c", "-validity", "30");
        keytool("-exportcert", "-keystore", "expca.p12", "-alias", "ca", "-rfc", "-file", "expca.pem");
        keytool("-genkeypair", "-keystore", "expired.p12", "-alias", "leaf", "-dname", "CN=localhost");
        keytool("-certreq", "-keystore", "expired.p12", "-alias", "leaf", "-file", "expired.csr");
        keytool("-gencert", "-keystore", "expca.p12", "-alias", "ca", "-infile", "expired.csr", "-outfile", "expired.pem",
                "-rfc", "-startdate", "2020/01/01 00:00:00", "-validity", "1", "-ext", "SAN=dns:localhost");
        openssl("pkcs12", "-in", "expired.p12", "-passin", "pass:changeit", "-nocerts", "-nodes", "-out", "expired.key");
    }

    static void keytool(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("keytool"));
        cmd.addAll(java.util.List.of(args));
        cmd.addAll(java.util.List.of("-storetype", "PKCS12", "-storepass", "changeit"));
        if (args[0].equals("-genkeypair")) {
            cmd.addAll(java.util.List.of("-keyalg", "RSA", "-keysize", "2048"));
        }
        Process k = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(k.waitFor(60, TimeUnit.SECONDS) && k.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        ServeConfig cfg = new ServeConfig();
        cfg.mirrorPort = 0;
        cfg.clientPort = 0;
        cfg.tlsCert = f("expired.pem");
        cfg.tlsKey = f("expired.key");
        try (Collector c = new Collector(cfg, System.out).start()) {
            assertEquals(69, replay(c, "localhost", "--tls-ca", f("expca.pem").toString()), "the client refuses an expired certificate");
            await().atMost(WAIT).until(() -> c.tlsRefused() == 1);
            assertEquals(0, c.agentTotals().received.get());
        }
    }

    /** Regression: the metrics port served plaintext to anyone, whatever TLS the other ports had. */
    @Test
    void theMetricsPortIsTlsLikeTheOthers() throws Exception {
        ServeConfig cfg = new ServeConfig();
        cfg.mirrorPort = 0;
        cfg.clientPort = 0;
        cfg.metricsPort = 0;
        cfg.tlsCert = f("server.pem");
        cfg.tlsKey = f("server.key");
        try (Collector c = new Collector(cfg, System.out).start()) {
            InetSocketAddress m = new InetSocketAddress("localhost", c.metricsAddress().getPort());
            io.mirrorgate.protocol.Tls tls = io.mirrorgate.protocol.Tls.client(f("ca.pem"), null, null);
            try (java.net.Socket s = tls.wrap(new java.net.Socket("127.0.0.1", m.getPort()), m)) {
                s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String body = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(body.startsWith("HTTP/1.1 200 OK"), body.substring(0, Math.min(80, body.length())));
                assertTrue(body.contains("mirrorgate_agents_connected"), "a scrape over https");
            }
            try (java.net.Socket plain = new java.net.Socket("127.0.0.1", m.getPort())) {
                plain.setSoTimeout(10_000);
                plain.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] got = plain.getInputStream().readAllBytes();
                assertTrue(!new String(got, java.nio.charset.StandardCharsets.ISO_8859_1).contains("mirrorgate_"),
                        "no metrics over plaintext");
            }
            await().atMost(WAIT).until(() -> c.tlsRefused() == 1);
        }
    }

    private static Collector collector(boolean mutual) throws InterruptedException {
        ServeConfig cfg = new ServeConfig();
        cfg.mirrorPort = 0;
        cfg.clientPort = 0;
        cfg.timezone = ZoneOffset.UTC;
        cfg.tlsCert = f("server.pem");
        cfg.tlsKey = f("server.key");
        cfg.tlsCa = mutual ? f("ca.pem") : null;
        return new Collector(cfg, System.out).start();
    }

    private static int replay(Collector c, String host, String... tls) {
        String[] base = {"replay", TestAgents.testdata("eth.ncf").toString(), "--mirror", host + ":" + c.mirrorAddress().getPort(),
            "--retry", "1"};
        String[] args = new String[base.length + tls.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(tls, 0, args, base.length, tls.length);
        return Main.run(args, new ByteArrayOutputStream(), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void agentAndSubscriberOverTls() throws Exception {
        try (Collector c = collector(false);
             MirrorClient m = MirrorClient.builder("localhost", c.clientAddress().getPort())
                     .tls(Tls.client(f("ca.pem"), null, null)).timezone(ZoneOffset.UTC).build().start()) {
            assertTrue(m.awaitConnected(WAIT));
            await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
            assertEquals(0, replay(c, "localhost", "--tls-ca", f("ca.pem").toString()));
            for (int k = 0; k < 39; k++) {
                assertTrue(m.poll(WAIT) != null, "record " + k);
            }
            assertEquals(0, c.tlsRefused());
        }
    }

    @Test
    void plaintextPeerOnATlsPortIsRefusedNeverServedInPlaintext() throws Exception {
        try (Collector c = collector(false)) {
            try (Socket s = new Socket("127.0.0.1", c.mirrorAddress().getPort())) {
                s.getOutputStream().write(Files.readAllBytes(TestAgents.testdata("eth.ncf")));
                s.setSoTimeout(10_000);
                try {
                    while (s.getInputStream().read() >= 0) {
                        // TLS alert bytes at most, then the close
                    }
                } catch (java.net.SocketException e) {
                    // reset: refused
                }
            }
            await().atMost(WAIT).until(() -> c.tlsRefused() == 1);
            assertEquals(0, c.agentTotals().received.get());
        }
    }

    @Test
    void mutualTlsNeedsAClientCertificateFromTheCa() throws Exception {
        try (Collector c = collector(true)) {
            assertEquals(0, replay(c, "localhost", "--tls-ca", f("ca.pem").toString(), "--tls-cert", f("client.pem").toString(),
                    "--tls-key", f("client.key").toString()));
            await().atMost(WAIT).until(() -> c.agentTotals().received.get() == 39);
            int noCert = replay(c, "localhost", "--tls-ca", f("ca.pem").toString());
            int wrongCa = replay(c, "localhost", "--tls-ca", f("ca.pem").toString(), "--tls-cert", f("stranger.pem").toString(),
                    "--tls-key", f("stranger.key").toString());
            await().atMost(WAIT).until(() -> c.tlsRefused() == 2);
            assertTrue(noCert != 0 || c.agentTotals().received.get() == 39, "no records without a certificate");
            assertEquals(39, c.agentTotals().received.get(), "nothing from peers the CA did not sign");
            assertTrue(wrongCa != 0 || c.agentTotals().received.get() == 39);
        }
    }

    @Test
    void clientsVerifyTheCollectorsCaAndHostName() throws Exception {
        try (Collector c = collector(false)) {
            assertEquals(69, replay(c, "localhost", "--tls-ca", f("otherca.pem").toString()), "untrusted CA");
            assertEquals(69, replay(c, "127.0.0.1", "--tls-ca", f("ca.pem").toString()), "certificate is for localhost only");
            await().atMost(WAIT).until(() -> c.tlsRefused() == 2);
            assertEquals(0, c.agentTotals().received.get());
        }
    }

    @Test
    void sighupReloadsTheTlsMaterial() throws Exception {
        ca("ca2");
        signed("server2", "ca2", "localhost", "DNS:localhost");
        Path cert = dir.resolve("live.pem");
        Path key = dir.resolve("live.key");
        Files.copy(dir.resolve("server.pem"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("server.key"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> lines = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        int[] port = {-1};
        Process p = ServeProcessIT.start(lines, port, "--mirror-port", "0", "--client-port", "0", "--tls-cert", cert.toString(),
                "--tls-key", key.toString(), "--log-level", "info"); // a routine reload logs at INFO
        try {
            InetSocketAddress at = new InetSocketAddress("localhost", port[0]);
            assertEquals(0, replayTo(at, "ca.pem"), "the first certificate is served");
            Files.copy(dir.resolve("server2.pem"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(dir.resolve("server2.key"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ServeProcessIT.signal(p, "HUP");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                synchronized (lines) {
                    return String.join("\n", lines).contains("reloaded:");
                }
            });
            assertEquals(69, replayTo(at, "ca.pem"), "after SIGHUP the old CA no longer matches");
            assertEquals(0, replayTo(at, "ca2.pem"), "the new certificate is served");
        } finally {
            ServeProcessIT.signal(p, "TERM");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(String.join("\n", lines).contains("reloaded:"), String.join("\n", lines));
    }

    private static int replayTo(InetSocketAddress at, String ca) {
        return Main.run(new String[] {"replay", TestAgents.testdata("eth.ncf").toString(), "--mirror",
            at.getHostString() + ":" + at.getPort(), "--tls-ca", f(ca).toString()}, new ByteArrayOutputStream(),
                new PrintStream(new ByteArrayOutputStream()));
    }
}
