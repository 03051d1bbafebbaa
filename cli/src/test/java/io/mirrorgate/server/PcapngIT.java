package io.mirrorgate.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.NcfxHeader;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.RecordDirection;
import io.mirrorgate.protocol.StreamFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve -w FILE.pcapng} as a user runs it, with tshark and capinfos as the oracle: one file
 * for two agents (NCF and NCFX; Ethernet and 802.11), an interface per agent and medium named
 * after the agent, the direction in epb_flags, every frame as sent; and after SIGKILL mid-stream,
 * every rotated file reads to its last whole block.
 */
class PcapngIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern AGENTS = Pattern.compile("agents -> 127\\.0\\.0\\.1:(\\d+)");
    private static final int[] DIRECTIONS = {RecordDirection.INBOUND, RecordDirection.OUTBOUND, RecordDirection.PASS_THROUGH};

    @TempDir
    Path tmp;

    /** An NCF agent's Ethernet records, directions in turn: in, out, pass. */
    private static byte[] ncfRecords(int agent, int n, List<byte[]> frames) {
        ByteBuf r = Unpooled.buffer();
        for (int k = 0; k < n; k++) {
            byte[] f = TestAgents.frame(agent, k, 60 + k * 7 % 1400);
            NcfHeader.write(r, f.length, 1_700_000_000_000_000L + k * 10L, ZoneOffset.UTC, Medium.ETHERNET, DIRECTIONS[k % 3]);
            r.writeBytes(f);
            frames.add(f);
        }
        return ByteBufUtil.getBytes(r);
    }

    /** An NCFX agent: the 802.11 records of wifi.ncfx, then Ethernet records, directions in turn. */
    private static byte[] ncfxRecords(int agent, int n, List<byte[]> frames) throws IOException {
        ByteBuf r = Unpooled.buffer();
        PacketView v = new PacketView();
        try (CaptureReader in = CaptureFiles.open(TestAgents.testdata("wifi.ncfx"), ZoneOffset.UTC)) {
            while (in.next(v)) {
                frames.add(ByteBufUtil.getBytes(v.buffer(), v.frameOffset(), v.capturedLength()));
            }
        }
        r.writeBytes(Files.readAllBytes(TestAgents.testdata("wifi.ncfx")));
        for (int k = 0; k < n; k++) {
            byte[] f = TestAgents.frame(agent, k, 64 + k % 900);
            NcfxHeader.write(r, f.length, 1_800_000_000_000_000L + k, ZoneOffset.UTC, Medium.ETHERNET, 0, DIRECTIONS[k % 3], null);
            r.writeBytes(f);
            frames.add(f);
        }
        return ByteBufUtil.getBytes(r);
    }

    @Test
    void twoAgentsShareOneFileWithAnInterfacePerAgentAndMediumAndTheirDirections() throws Exception {
        Path out = tmp.resolve("both.pcapng");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        int[] port = {-1};
        Process p = ServeProcessIT.start(lines, port, "--mirror-port", "0", "--client-port", "0", "--timezone", "UTC",
                "--dialect", "auto", "-w", out.toString());
        List<byte[]> ncfFrames = new ArrayList<>();
        List<byte[]> ncfxFrames = new ArrayList<>();
        byte[] ncf = ncfRecords(3, 300, ncfFrames);
        byte[] ncfx = ncfxRecords(4, 200, ncfxFrames);
        String ncfName;
        String ncfxName;
        try {
            try (Socket a = new Socket("127.0.0.1", port[0]); Socket b = new Socket("127.0.0.1", port[0])) {
                ncfName = "127.0.0.1:" + a.getLocalPort();
                ncfxName = "127.0.0.1:" + b.getLocalPort();
                // interleaved, so that the file's blocks of the two agents alternate
                for (int off = 0; off < Math.max(ncf.length, ncfx.length); off += 5000) {
                    if (off < ncf.length) {
                        a.getOutputStream().write(ncf, off, Math.min(5000, ncf.length - off));
                    }
                    if (off < ncfx.length) {
                        b.getOutputStream().write(ncfx, off, Math.min(5000, ncfx.length - off));
                    }
                }
                a.shutdownOutput();
                b.shutdownOutput();
                a.getInputStream().readAllBytes(); // the collector closes once it has read every record
                b.getInputStream().readAllBytes();
            }
            ServeProcessIT.signal(p, "TERM");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        String log = String.join("\n", lines);
        assertEquals(0, p.exitValue(), log);
        int total = ncfFrames.size() + ncfxFrames.size();
        assertTrue(log.contains("writing pcapng to " + out), log);
        assertTrue(log.contains("files written=" + total + " dropped=0 files=1 skipped=0"), log);

        Run caps = run("capinfos", "-M", out.toString());
        assertEquals(0, caps.status, caps.out);
        assertTrue(caps.out.contains("Number of packets:   " + total), caps.out);
        assertTrue(caps.out.contains("Number of interfaces in file: 3"), caps.out);
        assertTrue(caps.out.contains("Capture application: mirrorgate serve"), caps.out);

        Run t = run("tshark", "-r", out.toString(), "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name",
                "-e", "frame.interface_description", "-e", "frame.packet_flags_direction", "-e", "frame.encap_type");
        assertEquals(0, t.status, t.out);
        Map<String, List<String[]>> byAgent = new HashMap<>();
        for (String l : t.out.split("\n")) {
            if (l.contains("|")) {
                String[] f = l.split("\\|", -1);
                byAgent.computeIfAbsent(f[0], x -> new ArrayList<>()).add(f);
            }
        }
        assertEquals(java.util.Set.of(ncfName, ncfxName), byAgent.keySet(), t.out);
        List<String[]> a = byAgent.get(ncfName);
        assertEquals(ncfFrames.size(), a.size());
        for (int k = 0; k < a.size(); k++) {
            assertEquals("CommView agent " + ncfName + ", NCF, Ethernet", a.get(k)[1]);
            assertEquals(tsharkDirection(DIRECTIONS[k % 3]), a.get(k)[2], "NCF record " + k);
        }
        List<String[]> b = byAgent.get(ncfxName);
        assertEquals(ncfxFrames.size(), b.size());
        int wifi = ncfxFrames.size() - 200;
        for (int k = 0; k < b.size(); k++) {
            String medium = k < wifi ? "802.11" : "Ethernet";
            assertEquals("CommView agent " + ncfxName + ", NCFX, " + medium, b.get(k)[1], "NCFX record " + k);
            assertEquals(k < wifi ? "" : tsharkDirection(DIRECTIONS[(k - wifi) % 3]), b.get(k)[2], "NCFX record " + k);
        }

        // every frame as sent, per agent in order; read back, the interface names are the sources
        Map<String, List<byte[]>> back = new HashMap<>();
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(out, ZoneOffset.UTC)) {
            while (r.next(v)) {
                back.computeIfAbsent(v.source().toString(), x -> new ArrayList<>())
                        .add(ByteBufUtil.getBytes(v.buffer(), v.frameOffset(), v.capturedLength()));
            }
        }
        assertFramesEqual(ncfFrames, back.get(ncfName));
        assertFramesEqual(ncfxFrames, back.get(ncfxName));
    }

    /** {@code serve -w - --pcapng}: one pcapng stream on stdout takes every medium, as Wireshark reads from a pipe. */
    @Test
    void stdoutCarriesEveryMediumInOnePcapngStream() throws Exception {
        Process p = new ProcessBuilder("java", "-jar", ServeProcessIT.jar().toString(), "serve", "--mirror-port", "0",
                "--client-port", "0", "-w", "-", "--pcapng").start();
        java.io.BufferedReader err = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(),
                StandardCharsets.UTF_8));
        int port = -1;
        String line;
        while (port < 0 && (line = err.readLine()) != null) {
            java.util.regex.Matcher m = AGENTS.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        Thread drain = new Thread(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException e) {
                // closed
            }
        });
        drain.setDaemon(true);
        drain.start();
        byte[] out;
        try {
            // send() returns when the collector closed the connection, after it read every record
            TestAgents.send(new java.net.InetSocketAddress("127.0.0.1", port), Files.readAllBytes(TestAgents.testdata("eth.ncf")), 1);
            TestAgents.send(new java.net.InetSocketAddress("127.0.0.1", port), Files.readAllBytes(TestAgents.testdata("wifi.ncfx")), 2);
            ServeProcessIT.signal(p, "TERM");
            out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue());
        Path f = Files.write(tmp.resolve("stdout.pcapng"), out);
        Run caps = run("capinfos", "-M", f.toString());
        assertEquals(0, caps.status, caps.out);
        assertTrue(caps.out.contains("Number of packets:   45"), caps.out);
        assertTrue(caps.out.contains("Number of interfaces in file: 2"), caps.out);
    }

    /** tshark's frame.packet_flags_direction for an NCF direction: 0x1 inbound, 0x2 outbound, empty when not given. */
    private static String tsharkDirection(int ncf) {
        return ncf == RecordDirection.INBOUND ? "0x00000001" : ncf == RecordDirection.OUTBOUND ? "0x00000002" : "";
    }

    private static void assertFramesEqual(List<byte[]> want, List<byte[]> got) {
        assertEquals(want.size(), got.size());
        for (int k = 0; k < want.size(); k++) {
            assertArrayEquals(want.get(k), got.get(k), "frame " + k);
        }
    }

    /**
     * SIGKILL three times mid-stream while -C 1 rotates: every file capinfos and tshark read whole,
     * except that a kill inside a multi-page write(2) may cut the one block that write was
     * appending, and then only the last block, which runs past the end of the file.
     */
    @Test
    void sigkillMidWriteLeavesEveryFileReadableToItsLastWholeBlock() throws Exception {
        int files = 0;
        int torn = 0;
        for (Path f : FaultIT.filesLeftByThreeKills(tmp, "k.pcapng")) {
            files++;
            int whole = wholeBlocks(f);
            long size = Files.size(f);
            Run t = run("tshark", "-r", f.toString(), "-T", "fields", "-e", "frame.number");
            assertEquals(whole, t.out.lines().filter(l -> l.matches("\\d+")).count(), f + ": " + t.out);
            if (endsWithWholeBlock(f)) {
                Run caps = run("capinfos", "-c", f.toString());
                assertEquals(0, caps.status, f + " (" + size + " bytes): " + caps.out);
                assertTrue(caps.out.contains("Number of packets:   " + whole), caps.out);
                assertEquals(0, t.status, f + ": " + t.out);
            } else {
                torn++;
            }
        }
        System.out.println("pcapng, SIGKILL mid-write: " + torn + " of " + files + " files end in a cut block, 3 kills");
        assertTrue(files >= 6, "files " + files);
    }

    /** Packets in the blocks of {@code f} that are whole; damage anywhere but a last block cut short fails. */
    private static int wholeBlocks(Path f) throws Exception {
        int n = 0;
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(f, ZoneOffset.UTC)) {
            while (r.next(v)) {
                n++;
            }
        } catch (StreamFormatException e) {
            assertTrue(!endsWithWholeBlock(f), f + ": damage before its last block: " + e.getMessage());
        }
        return n;
    }

    /** True when the blocks of {@code f}, walked by their lengths, end exactly at its end. */
    private static boolean endsWithWholeBlock(Path f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (at + 8 <= b.limit()) {
            long len = b.getInt(at + 4) & 0xFFFFFFFFL;
            if (len < 12 || at + len > b.limit()) {
                return false;
            }
            at += (int) len;
        }
        return at == b.limit();
    }

    private record Run(int status, String out) {
    }

    private static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        p.getInputStream().transferTo(o);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String s = o.toString(StandardCharsets.UTF_8).replaceAll("(?m)^Running as user \"root\".*\n", "");
        return new Run(p.exitValue(), s);
    }
}
