package io.mirrorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.mirrorgate.protocol.CaptureFormat;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.LinkType;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.PcapFileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadCommandTest {
    @TempDir
    Path tmp;

    private static String f(String name) {
        return Cli.testdata(name).toString();
    }

    private static String[] lines(String s) {
        return s.isEmpty() ? new String[0] : s.split("\n");
    }

    /**
     * Every jsonl event carries the flow's Community ID, the one Wireshark computes for the frame
     * (testdata/golden/eth.pcap.communityid), but for the three frames docs/ANALYSIS.md explains.
     */
    /** The conversation table: the TSV header of docs/ANALYSIS.md, and Zeek conn.log fields in jsonl. */
    /**
     * Mirror copies: read --dedup writes the capture without them (testdata/mirrored.pcap is
     * impaired.pcap's first 700 frames with 373 copies), and --analysis flags each copy
     * mirror_duplicate and nothing else; --analysis-rules wireshark gives tshark's flags.
     */
    @Test
    void dedupDropsMirrorCopiesAndAnalysisFlagsThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path out = dir.resolve("dedup.pcap");
        Cli d = Cli.run("read", "--dedup", "-w", out.toString(), f("mirrored.pcap"));
        assertEquals(0, d.status, d.err);
        assertTrue(d.err.contains("373 mirror copies dropped"), d.err);
        Cli clean = Cli.run("read", "--format", "tsv", "--count", "700", f("impaired.pcap"));
        Cli deduped = Cli.run("read", "--format", "tsv", out.toString());
        assertEquals(clean.out, deduped.out);
        java.util.Set<String> copies = new java.util.HashSet<>(java.nio.file.Files.readAllLines(Cli.testdata("mirrored.copies")));
        String[] lines = Cli.run("read", "--analysis", "--format", "tsv", f("mirrored.pcap")).out.split("\n");
        for (int k = 1; k < lines.length; k++) {
            String[] col = lines[k].split("\t", -1);
            String flags = col[col.length - 1];
            assertEquals(copies.contains(col[0]), flags.equals("mirror_duplicate"), lines[k]);
        }
        String[] ws = Cli.run("read", "--analysis", "--analysis-rules", "wireshark", "--format", "tsv", f("impaired.pcap"))
                .out.split("\n");
        List<String> want = java.nio.file.Files.readAllLines(Cli.testdata("golden/impaired.pcap.analysis"));
        for (int k = 1; k < ws.length; k++) {
            String[] col = ws[k].split("\t", -1);
            assertEquals(want.get(k - 1), col[col.length - 1], ws[k]);
        }
        assertEquals(64, Cli.run("read", "--analysis", "--analysis-rules", "zeek", f("impaired.pcap")).status);
        Cli bad = Cli.run("read", "--conversations", "--conversation-timeout", "tcp=0", f("impaired.pcap"));
        assertEquals(64, bad.status);
        assertTrue(bad.err.contains("'tcp=0'"), bad.err);
        // udp=1: the UDP flow of impaired.pcap has no quiet second, so it stays one conversation
        Cli t = Cli.run("read", "--conversations", "--format", "tsv", "--conversation-timeout", "udp=1,tcp-closed=1", f("impaired.pcap"));
        assertEquals(0, t.status, t.err);
        assertEquals(Cli.run("read", "--conversations", "--format", "tsv", f("impaired.pcap")).out, t.out);
    }

    /** --analysis: the flags as a last TSV column, a jsonl array, brackets in text; as tshark flags them. */
    @Test
    void analysisFlagsInEveryFormat() throws Exception {
        Cli tsv = Cli.run("read", "--analysis", "--format", "tsv", f("tcp-cases.pcap"));
        assertEquals(0, tsv.status, tsv.err);
        String[] lines = tsv.out.split("\n");
        assertTrue(lines[0].endsWith("\twindow\tanalysis"), lines[0]);
        List<String> want = java.nio.file.Files.readAllLines(Cli.testdata("golden/tcp-cases.pcap.analysis"));
        for (int k = 1; k < lines.length; k++) {
            String[] col = lines[k].split("\t", -1);
            assertEquals(want.get(k - 1), col[col.length - 1], lines[k]);
        }
        Cli text = Cli.run("read", "--analysis", f("tcp-cases.pcap"));
        assertTrue(text.out.split("\n")[33].endsWith(" [retransmission]"), text.out.split("\n")[33]);
        Cli jsonl = Cli.run("read", "--analysis", "--format", "jsonl", f("tcp-cases.pcap"));
        assertTrue(jsonl.out.split("\n")[20].contains("\"analysis\":[\"zero_window\"]"), jsonl.out.split("\n")[20]);
        assertTrue(jsonl.out.split("\n")[0].contains("\"analysis\":[]"), jsonl.out.split("\n")[0]);
        assertEquals(64, Cli.run("read", "--analysis", "--conversations", f("tcp-cases.pcap")).status);
    }

    @Test
    void conversationsAsATsvTableAndAsZeekConnRecords() throws Exception {
        Cli tsv = Cli.run("read", "--conversations", "--format", "tsv", f("eth.pcap"));
        assertEquals(0, tsv.status, tsv.err);
        String[] lines = tsv.out.split("\n");
        assertEquals(ConversationFormat.TSV_HEADER, lines[0]);
        assertTrue(lines[1].startsWith("tcp\t192.168.1.10\t49152\t93.184.216.34\t80\t2\t149\t1\t54\t0.000000\t"), lines[1]);
        assertTrue(lines[1].endsWith("\t1:h1eb0VhgdYs0KPGUsg1yGSMBjac="), lines[1]);
        Cli jsonl = Cli.run("read", "--conversations", "--format", "jsonl", f("eth.pcap"));
        String first = jsonl.out.split("\n")[0];
        for (String field : List.of("\"ts\"", "\"id.orig_h\":\"192.168.1.10\"", "\"id.orig_p\":49152", "\"id.resp_h\"",
                "\"id.resp_p\":80", "\"proto\":\"tcp\"", "\"duration\"", "\"orig_pkts\":2", "\"orig_ip_bytes\"",
                "\"resp_pkts\":1", "\"resp_ip_bytes\"", "\"conn_state\"", "\"history\"", "\"community_id\"")) {
            assertTrue(first.contains(field), field + " in " + first);
        }
        assertEquals(64, Cli.run("read", "--conversations", "-w", "x.pcap", f("eth.pcap")).status);
        assertEquals(64, Cli.run("read", "--sort", "bytes", f("eth.pcap")).status, "--sort needs --conversations");
        assertEquals(64, Cli.run("read", "--conversations", "--sort", "size", f("eth.pcap")).status);
        String[] byBytes = Cli.run("read", "--conversations", "--sort", "bytes", "--format", "tsv", f("eth.pcap")).out.split("\n");
        long previous = Long.MAX_VALUE;
        for (int k = 1; k < byBytes.length; k++) {
            String[] col = byBytes[k].split("\t", -1);
            long total = Long.parseLong(col[6]) + Long.parseLong(col[8]);
            assertTrue(total <= previous, "most bytes first: " + byBytes[k]);
            previous = total;
        }
    }

    @Test
    void jsonlEventsCarryTheCommunityIdWiresharkGivesTheFlow() throws Exception {
        Cli r = Cli.run("read", "--format", "jsonl", f("eth.pcap"));
        assertEquals(0, r.status, r.err);
        List<String> want = java.nio.file.Files.readAllLines(Cli.testdata("golden/eth.pcap.communityid"));
        String[] lines = r.out.split("\n");
        assertEquals(want.size(), lines.length);
        int same = 0;
        for (int k = 0; k < lines.length; k++) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"communityId\":\"([^\"]+)\"").matcher(lines[k]);
            String ours = m.find() ? m.group(1) : "";
            if (ours.equals(want.get(k))) {
                same++;
            }
        }
        assertEquals(want.size() - 3, same);
        Cli seeded = Cli.run("read", "--format", "jsonl", "--community-id-seed", "1", "-c", "1", f("eth.pcap"));
        assertTrue(!seeded.out.contains(want.get(0)), "another seed, another ID");
        assertEquals(64, Cli.run("read", "--community-id-seed", "65536", f("eth.pcap")).status);
    }

    @Test
    void damagedFilePrintsEveryRecordBeforeTheDamageThenExits2() {
        Cli r = Cli.run("read", "--format", "tsv", "--timezone", "UTC", f("eth-cut.ncf"));
        assertEquals(2, r.status);
        assertEquals(1 + 5, lines(r.out).length);
        String[] err = lines(r.err);
        assertEquals(1, err.length, r.err);
        assertTrue(err[0].matches("mirrorgate: read: .*eth-cut\\.ncf: ncf record at offset \\d+ declares \\d+ bytes, file ends after 30"), err[0]);
    }

    @Test
    void brokenHeaderNamesFieldAndOffset() {
        Cli r = Cli.run("read", "--format", "tsv", "--timezone", "UTC", f("eth-badmonth.ncf"));
        assertEquals(2, r.status);
        assertEquals(1 + 5, lines(r.out).length);
        assertTrue(r.err.matches("mirrorgate: read: .*eth-badmonth\\.ncf: ncf month 13 at offset \\d+ \\(expected 1\\.\\.12\\)\n"), r.err);
    }

    @Test
    void missingFileIs66AndOtherFilesStillRead() {
        Cli r = Cli.run("read", "--format", "tsv", tmp.resolve("nope.ncf").toString(), f("token-ring.ncf"));
        assertEquals(66, r.status);
        assertEquals(1 + 3, lines(r.out).length);
        assertEquals("mirrorgate: read: " + tmp.resolve("nope.ncf") + ": no such file\n", r.err);
    }

    @Test
    void usageErrorsAre64WithOneLine() {
        for (String[] args : new String[][] {{"read", "--bogus", f("eth.ncf")}, {"read"}, {"read", "--format", "xml", f("eth.ncf")},
            {"read", "--count", "-3", f("eth.ncf")}, {"read", "--timezone", "Mars/Olympus", f("eth.ncf")}, {"frobnicate"}}) {
            Cli r = Cli.run(args);
            assertEquals(64, r.status, String.join(" ", args));
            assertEquals(1, lines(r.err).length, r.err);
            assertFalse(r.err.contains("Exception"), r.err);
        }
    }

    @Test
    void helpListsOptions() {
        Cli r = Cli.run("read", "--help");
        assertEquals(0, r.status);
        for (String o : List.of("--format", "--count", "--timezone", "--filter", "--write")) {
            assertTrue(r.out.contains(o), o);
        }
        Cli top = Cli.run("--help");
        assertEquals(0, top.status);
        assertTrue(top.out.contains("read FILE..."));
    }

    @Test
    void countStopsAfterNAcrossFiles() {
        Cli r = Cli.run("read", "--format", "tsv", "--count", "40", f("eth.ncf"), f("wifi.ncf"));
        assertEquals(0, r.status);
        String[] l = lines(r.out);
        assertEquals(41, l.length);
        assertTrue(l[40].startsWith("40\t"));
    }

    @Test
    void timezoneShiftsNcfButNotPcap() {
        String utc = lines(Cli.run("read", "--format", "tsv", "--timezone", "UTC", f("eth.ncf")).out)[1];
        String berlin = lines(Cli.run("read", "--format", "tsv", "--timezone", "Europe/Berlin", f("eth.ncf")).out)[1];
        long a = Long.parseLong(utc.split("\t")[1]);
        long b = Long.parseLong(berlin.split("\t")[1]);
        assertEquals(3_600_000_000L, a - b); // November: Berlin is UTC+1, so its wall clock is an hour ahead
        String pcap = lines(Cli.run("read", "--format", "tsv", "--timezone", "Europe/Berlin", f("eth.pcap")).out)[1];
        assertEquals(a, Long.parseLong(pcap.split("\t")[1]));
    }

    @Test
    void filterUsesLibpcap() {
        Cli r = Cli.run("read", "--format", "tsv", "--filter", "udp and port 53", f("eth.ncf"));
        assertEquals(0, r.status, r.err);
        String[] l = lines(r.out);
        assertEquals(2, l.length);
        assertTrue(l[1].contains("\t53124\t53\t"), l[1]);
        Cli bad = Cli.run("read", "--filter", "port port", f("eth.ncf"));
        assertEquals(64, bad.status);
    }

    @Test
    void textFormat() {
        Cli r = Cli.run("read", "--timezone", "UTC", f("eth.ncf"));
        assertEquals(0, r.status);
        String[] l = lines(r.out);
        assertEquals("0.000000 192.168.1.10:49152 -> 93.184.216.34:80 TCP ....S., len: 0, seq: 339000739, ack: 0, win: 64240", l[0]);
        assertEquals("0.001013 93.184.216.34:80 -> 192.168.1.10:49152 TCP .A..S., len: 0, seq: 346564215, ack: 339000740, win: 8760", l[1]);
        assertTrue(l[36].startsWith("0.036468 non-IP ethertype 0x0806, len: 42"), l[36]);
    }

    @Test
    void jsonLinesHaveTheEventFields() throws IOException {
        Cli r = Cli.run("read", "--format", "jsonl", "--timezone", "UTC", f("wifi.ncfx"));
        assertEquals(0, r.status, r.err);
        String[] l = lines(r.out);
        assertEquals(6, l.length);
        Map<String, String> first = flat(l[0]);
        assertEquals("1700000200123456", first.get("timestamp"));
        assertEquals("192.168.50.2", first.get("sourceAddress"));
        assertEquals("40000", first.get("sourcePort"));
        assertEquals("6", first.get("ipProtocol"));
        assertEquals("wifi", first.get("medium"));
        assertEquals("540", first.get("wifi.rate100kbps"));
        assertEquals("-40", first.get("wifi.signalDbm"));
        assertTrue(first.get("payload").matches("[0-9a-f]+"));
        assertEquals(Integer.parseInt(first.get("payloadLength")) * 2, first.get("payload").length());
    }

    private static Map<String, String> flat(String json) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            String prefix = "";
            String name = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    name = p.currentName();
                } else if (t == JsonToken.START_OBJECT && name != null) {
                    prefix = name + ".";
                } else if (t == JsonToken.END_OBJECT) {
                    prefix = "";
                } else if (t.isScalarValue()) {
                    m.put(prefix + name, p.getText());
                }
            }
        }
        return m;
    }

    @Test
    void writeProducesPcapThatLibpcapReadsBack() throws IOException {
        for (String[] c : new String[][] {{"eth.ncf", "eth.pcap", "1"}, {"wifi.ncfx", "wifi.pcap", "105"},
            {"token-ring.ncf", "token-ring.pcap", "6"}}) {
            Path out = tmp.resolve(c[0] + ".pcap");
            Cli r = Cli.run("read", "--timezone", "UTC", "-w", out.toString(), f(c[0]));
            assertEquals(0, r.status, r.err);
            assertEquals("", r.out);
            List<IpPacket> back = readPcap(out, Integer.parseInt(c[2]));
            List<IpPacket> want = readPcap(Cli.testdata(c[1]), Integer.parseInt(c[2]));
            assertEquals(want, back, c[0]);
        }
    }

    @Test
    void writeToStdout() throws IOException {
        Cli r = Cli.run("read", "-w", "-", f("eth.pcapng"));
        assertEquals(0, r.status, r.err);
        Path p = tmp.resolve("stdout.pcap");
        Files.write(p, r.outBytes);
        assertEquals(readPcap(Cli.testdata("eth.pcap"), 1), readPcap(p, 1));
    }

    private static List<IpPacket> readPcap(Path p, int linkType) throws IOException {
        List<IpPacket> out = new ArrayList<>();
        PacketView v = new PacketView();
        try (PcapFileReader r = new PcapFileReader(p, CaptureFormat.PCAP)) {
            assertEquals(linkType, LinkType.forFile(r.linkType()));
            while (r.next(v)) {
                out.add(IpPacket.of(v));
            }
        }
        return out;
    }
}
