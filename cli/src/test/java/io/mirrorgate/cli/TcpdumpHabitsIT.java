package io.mirrorgate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The habits of tcpdump and tshark users, against the real executable: {@code read -} and pipes,
 * {@code -c}, a filter after {@code --}, {@code --time}, {@code --version}, and the messages and
 * exit statuses of commands that cannot reach their peer or input.
 */
class TcpdumpHabitsIT {
    @TempDir
    Path tmp;

    /** What a finished process printed. */
    record Run(int status, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    static Path jar() {
        Path p = Path.of("target/mirrorgate.jar").toAbsolutePath();
        assertTrue(Files.exists(p), "run after 'package': " + p);
        return p;
    }

    /** Runs mirrorgate with {@code stdin} written into its standard input through a pipe. */
    static Run run(byte[] stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // the command stopped reading (-c): fine
            }
        });
        feeder.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        feeder.join(10_000);
        return new Run(p.exitValue(), out, err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth.pcap", "eth-ns.pcap", "eth-be.pcap", "eth.pcapng", "eth.ncf", "eth.ncfx", "wifi.ncfx", "wifi.ncf"})
    void readDashTakesEveryFormatFromAPipe(String name) throws Exception {
        Path f = Cli.testdata(name);
        Run file = run(null, "read", "--format", "tsv", "--timezone", "UTC", f.toString());
        Run piped = run(Files.readAllBytes(f), "read", "--format", "tsv", "--timezone", "UTC", "-");
        assertEquals(0, piped.status(), piped.err());
        assertEquals(file.text(), piped.text());
        assertTrue(file.text().lines().count() > 1, "a header and records");
    }

    @Test
    void readOfANamedPipeIsReadAsAFile() throws Exception {
        for (String name : List.of("eth.pcap", "eth.ncf")) {
            Path fifo = tmp.resolve(name + ".fifo");
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
            Thread writer = new Thread(() -> {
                try {
                    Files.write(fifo, Files.readAllBytes(Cli.testdata(name)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            Run piped = run(null, "read", "--format", "tsv", "--timezone", "UTC", fifo.toString());
            writer.join(10_000);
            assertEquals(0, piped.status(), piped.err());
            assertEquals(run(null, "read", "--format", "tsv", "--timezone", "UTC", Cli.testdata(name).toString()).text(),
                    piped.text());
        }
    }

    @Test
    void damageOnStandardInputIsNamedWithItsOffset() throws Exception {
        byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(Cli.testdata("eth.pcap")), 300);
        Run r = run(cut, "read", "--format", "tsv", "-");
        assertEquals(2, r.status());
        assertEquals(4, r.text().lines().count(), "header and the three whole records before the damage");
        assertTrue(r.err().contains("standard input: pcap record 4 at offset 275"), r.err());
    }

    @Test
    void countShortOptionAndAFilterAfterDashDashAsTcpdumpTakesThem() throws Exception {
        String f = Cli.testdata("eth.pcap").toString();
        Run tcpdumpStyle = run(null, "read", "-c", "3", "--format", "tsv", f, "--", "udp", "or", "icmp");
        Run longStyle = run(null, "read", "--count", "3", "--format", "tsv", "--filter", "udp or icmp", f);
        assertEquals(0, tcpdumpStyle.status(), tcpdumpStyle.err());
        assertEquals(longStyle.text(), tcpdumpStyle.text());
        assertEquals(4, tcpdumpStyle.text().lines().count());
        Run both = run(null, "read", "--filter", "tcp", f, "--", "udp");
        assertEquals(64, both.status());
    }

    /** Regression: a filter given as operands read the whole file, printed it, then exited 66. */
    @Test
    void aFilterGivenAsOperandsGetsAHintAndNothingIsPrinted() throws Exception {
        Run r = run(null, "read", Cli.testdata("eth.pcap").toString(), "tcp", "port", "80");
        assertEquals(64, r.status());
        assertEquals("", r.text());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("-- tcp port 80"), r.err());
    }

    @Test
    void timeModesOfTheTextFormat() throws Exception {
        String f = Cli.testdata("eth.ncf").toString();
        List<String> rel = run(null, "read", "-c", "3", "--timezone", "UTC", f).text().lines().toList();
        List<String> abs = run(null, "read", "-c", "3", "--timezone", "UTC", "--time", "absolute", f).text().lines().toList();
        // NCF carries the agent's wall clock: shown in the zone it was read in, it is that wall clock
        List<String> berlin = run(null, "read", "-c", "1", "--timezone", "Europe/Berlin", "--time", "absolute", f)
                .text().lines().toList();
        List<String> epoch = run(null, "read", "-c", "3", "--timezone", "UTC", "--time", "epoch", f).text().lines().toList();
        List<String> delta = run(null, "read", "-c", "3", "--timezone", "UTC", "--time", "delta", f).text().lines().toList();
        assertTrue(rel.get(0).startsWith("0.000000 "), rel.get(0));
        assertTrue(rel.get(2).startsWith("0.002026 "), rel.get(2));
        assertTrue(abs.get(0).startsWith("2023-11-14 22:13:20.123456 "), abs.get(0));
        assertTrue(berlin.get(0).startsWith("2023-11-14 22:13:20.123456 "), berlin.get(0));
        assertTrue(epoch.get(0).startsWith("1700000000.123456 "), epoch.get(0));
        assertTrue(delta.get(1).startsWith("0.001013 ") && delta.get(2).startsWith("0.001013 "), delta.toString());
        for (int k = 0; k < 3; k++) {
            assertEquals(rel.get(k).substring(rel.get(k).indexOf(' ')), epoch.get(k).substring(epoch.get(k).indexOf(' ')));
        }
        Run pcapBerlin = run(null, "read", "-c", "1", "--timezone", "Europe/Berlin", "--time", "absolute",
                Cli.testdata("eth.pcap").toString());
        assertTrue(pcapBerlin.text().startsWith("2023-11-14 23:13:20.123456 "), pcapBerlin.text());
        assertEquals(64, run(null, "read", "--time", "never", f).status());
    }

    @Test
    void versionNamesTheReleaseAndTheCommit() throws Exception {
        Run r = run(null, "--version");
        assertEquals(0, r.status());
        assertTrue(r.text().trim().matches("mirrorgate \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{10}|unknown)\\)"), r.text());
        Process git = new ProcessBuilder("git", "rev-parse", "--short=10", "HEAD").start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (git.waitFor() == 0) {
            assertTrue(r.text().contains("(commit " + head + ")"), r.text() + " vs HEAD " + head);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Regression: a one-shot inject retried for ever when nothing listened. */
    @Test
    void oneShotInjectFailsWith69WhenItCannotConnect() throws Exception {
        Run r = run(null, "inject", "--connect", "127.0.0.1:" + closedPort(), "--hex", "0011223344556677889900aabbcc0800");
        assertEquals(69, r.status());
        assertTrue(r.err().startsWith("mirrorgate: inject: cannot connect to 127.0.0.1:"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    /** Regression: watch said nothing while it could not connect. */
    @Test
    void watchSaysOnStderrThatItCannotConnectAndRetries() throws Exception {
        int port = closedPort();
        Process p = new ProcessBuilder("java", "-jar", jar().toString(), "watch", "--connect", "127.0.0.1:" + port,
                "--retry", "1").start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            String line = err.readLine();
            assertEquals("mirrorgate watch: cannot connect to 127.0.0.1:" + port + ": Connection refused; retrying every 1 s",
                    line);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Regression: replay DIR exited 74, a status the README did not list. */
    @Test
    void replayOfADirectoryIsAnInputThatCannotBeOpened() throws Exception {
        Run r = run(null, "replay", tmp.toString(), "--mirror", "127.0.0.1:" + closedPort());
        assertEquals(66, r.status());
        assertTrue(r.err().contains("is a directory"), r.err());
    }

    /** Regression: --bind 256.1.1.1 printed "serve: null". */
    @Test
    void serveNamesABadBindAddressAndAPortInUse() throws Exception {
        Run bad = run(null, "serve", "--bind", "256.1.1.1");
        assertEquals(64, bad.status());
        assertTrue(bad.err().contains("--bind '256.1.1.1' is not an IPv4 or IPv6 address"), bad.err());
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Run busy = run(null, "serve", "--mirror-port", Integer.toString(taken.getLocalPort()), "--client-port", "0");
            assertEquals(69, busy.status());
            assertTrue(busy.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use"),
                    busy.err());
        }
    }

    @Test
    void pipedReadWritesPcapThatMatchesTheFile() throws Exception {
        Path f = Cli.testdata("eth.pcapng");
        Run a = run(null, "read", "-w", "-", f.toString());
        Run b = run(Files.readAllBytes(f), "read", "-w", "-", "-");
        assertEquals(0, b.status(), b.err());
        assertArrayEquals(a.out(), b.out());
    }
}
