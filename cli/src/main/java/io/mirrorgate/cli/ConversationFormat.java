package io.mirrorgate.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.ConversationTracker.Conversation;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The conversation table of {@code read --conversations}: TSV with the columns of docs/ANALYSIS.md,
 * Zeek conn.log-compatible JSON lines, or a text table. Times are seconds relative to the first
 * record, as tshark's "Relative Start".
 */
final class ConversationFormat {
    static final String TSV_HEADER = "proto\taddr_a\tport_a\taddr_b\tport_b\tframes_ab\tbytes_ab\tframes_ba\tbytes_ba"
            + "\tstart\tduration\tretransmissions\tstate\thistory\tcommunity_id";

    private ConversationFormat() {
    }

    /**
     * Sorts the table as {@code --sort} says: {@code start} (the default: as they began),
     * {@code bytes} or {@code packets} (both ways, most first).
     */
    static void sort(List<Conversation> conversations, String by) {
        switch (by) {
            case "bytes":
                conversations.sort((a, b) -> Long.compare(b.bytesAB + b.bytesBA, a.bytesAB + a.bytesBA));
                break;
            case "packets":
                conversations.sort((a, b) -> Long.compare(b.framesAB + b.framesBA, a.framesAB + a.framesBA));
                break;
            default:
                conversations.sort((a, b) -> Long.compare(a.start, b.start));
        }
    }

    /** {@code --sort}, checked. */
    static String sortOption(String command, org.apache.commons.cli.CommandLine cl) throws CliException {
        String by = cl.getOptionValue("sort", "start");
        if (!by.equals("start") && !by.equals("bytes") && !by.equals("packets")) {
            throw CommandLines.usage(command, "--sort '" + by + "' (expected start, bytes or packets)");
        }
        if (cl.hasOption("sort") && !cl.hasOption("conversations")) {
            throw CommandLines.usage(command, "--sort goes with --conversations");
        }
        return by;
    }

    static org.apache.commons.cli.Option option() {
        return org.apache.commons.cli.Option.builder().longOpt("sort").hasArg().argName("start|bytes|packets")
                .desc("order of the conversation table (default start)").get();
    }

    static void write(String format, List<Conversation> conversations, long firstMicros, OutputStream out)
            throws IOException {
        if (format.equals("jsonl")) {
            jsonl(conversations, out);
            return;
        }
        PrintStream p = new PrintStream(out, false, StandardCharsets.UTF_8);
        if (format.equals("tsv")) {
            p.println(TSV_HEADER);
        }
        for (Conversation c : conversations) {
            String start = String.format(Locale.ROOT, "%.6f", (c.start - firstMicros) / 1e6);
            String duration = String.format(Locale.ROOT, "%.6f", c.durationMicros() / 1e6);
            String a = AddressText.of(c.addrA);
            String b = AddressText.of(c.addrB);
            boolean ports = (c.proto == 6 || c.proto == 17) && c.portA >= 0;
            if (format.equals("tsv")) {
                p.println(c.protoName() + "\t" + a + "\t" + (ports ? c.portA : "") + "\t" + b + "\t" + (ports ? c.portB : "")
                        + "\t" + c.framesAB + "\t" + c.bytesAB + "\t" + c.framesBA + "\t" + c.bytesBA + "\t" + start + "\t"
                        + duration + "\t" + (c.proto == 6 ? c.retransmissions : "") + "\t" + c.state() + "\t"
                        + c.history() + "\t" + (c.communityId() == null ? "" : c.communityId()));
            } else {
                p.println(String.format(Locale.ROOT, "%-6s %s <-> %s  %d frames %d bytes ->  %d frames %d bytes <-  start %s"
                        + " duration %s %s%s", c.protoName(), ports ? endpoint(a, c.portA) : a, ports ? endpoint(b, c.portB) : b,
                        c.framesAB, c.bytesAB, c.framesBA, c.bytesBA, start, duration, c.state(),
                        c.history().isEmpty() ? "" : " " + c.history()));
            }
        }
        p.flush();
    }

    private static String endpoint(String addr, int port) {
        return (addr.indexOf(':') >= 0 ? "[" + addr + "]" : addr) + ":" + port;
    }

    /** Zeek conn.log field names, so Zeek log pipelines read it; mirrorgate's own counts under their own names. */
    private static void jsonl(List<Conversation> conversations, OutputStream out) throws IOException {
        JsonGenerator g = io.mirrorgate.server.ConnRecords.generator(out);
        for (Conversation c : conversations) {
            io.mirrorgate.server.ConnRecords.write(g, c, null);
        }
        g.flush();
    }
}
