package io.mirrorgate.cli;

import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.StreamFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneId;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code mirrorgate read FILE...}: IPMonitor's ParsePcapFile. Reads NCF, NCFX, pcap and pcapng
 * (recognised by content) with the shared decoder and prints events, or writes pcap with
 * {@code -w}. Frame numbers run on across files.
 */
final class ReadCommand {
    static final String NAME = "read";
    /** Inputs larger than this get a progress bar when stderr is a terminal. */
    private static final long PROGRESS_MIN_BYTES = 4L << 20;
    /** Conversations tracked at once by {@code --conversations}; the least recently seen beyond are evicted. */
    static final int CONVERSATIONS_MAX = 1_000_000;
    private static final int PROGRESS_EVERY = 8192;

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("format").hasArg().argName("tsv|text|jsonl")
                .desc("output format (default text)").get());
        o.addOption(CommandLines.countOption("stop after N records (after the filter)"));
        o.addOption(CommandLines.timeOption());
        o.addOption(CommandLines.communityIdSeedOption());
        o.addOption(Option.builder().longOpt("conversations")
                .desc("print the conversation table at the end instead of the packets (--format tsv, text or jsonl)").get());
        o.addOption(ConversationFormat.option());
        o.addOption(Option.builder().longOpt("analysis")
                .desc("add each TCP packet's analysis flags (retransmission, duplicate_ack, zero_window, ...)").get());
        o.addOption(CommandLines.analysisRulesOption());
        o.addOption(CommandLines.dedupOption());
        o.addOption(CommandLines.conversationTimeoutOption());
        o.addOption(Option.builder().longOpt("timezone").hasArg().argName("ZONE")
                .desc("zone of the NCF/NCFX wall-clock times (default: this system's zone)").get());
        o.addOption(Option.builder().longOpt("filter").hasArg().argName("BPF")
                .desc("only records matching this libpcap filter expression (or give it after --, as tcpdump takes it)").get());
        o.addOption(Option.builder("w").longOpt("write").hasArg().argName("FILE")
                .desc("write the records as pcap to FILE ('-' for stdout) instead of printing them; pcapng when FILE ends in .pcapng").get());
        o.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        return o;
    }

    static int run(String[] args, OutputStream stdout, PrintStream err) throws CliException {
        Options options = options();
        CommandLine cl = CommandLines.parse(NAME, options, CommandLines.beforeDashDash(args), true);
        if (cl.hasOption("help")) {
            CommandLines.printHelp(stdout, NAME, "[options] FILE... [-- FILTER]",
                    "Decode capture files (NCF, NCFX, pcap, pcapng; recognised by content) into packet events. "
                            + "'-' reads standard input (e.g. tcpdump -w - | mirrorgate read -); a pipe works as a file.",
                    options, "Exit status: 0 ok, 2 damaged input (after printing every record before it), "
                            + "64 usage, 66 cannot open a file, 69 libpcap unavailable, 74 cannot write the output.");
            return ExitStatus.OK;
        }
        if (cl.getArgList().isEmpty()) {
            throw CommandLines.usage(NAME, "no input file (give FILE..., or - for standard input)");
        }
        for (String f : cl.getArgList()) {
            if (!f.equals("-") && !Files.exists(Paths.get(f)) && looksLikeFilter(f)) {
                throw CommandLines.usage(NAME, "'" + f + "' is no file; to filter, give the expression after --: "
                        + "mirrorgate read FILE -- " + String.join(" ", cl.getArgList().subList(
                                cl.getArgList().indexOf(f), cl.getArgList().size())));
            }
        }
        String format = CommandLines.formatName(NAME, cl);
        long count = CommandLines.positiveLong(NAME, cl, "count", Long.MAX_VALUE);
        ZoneId zone = CommandLines.zone(NAME, cl, "timezone");
        TextFormat.Time time = CommandLines.time(NAME, cl);
        String write = cl.getOptionValue("write");
        BpfFilter filter = CommandLines.filter(NAME, cl, CommandLines.afterDashDash(args));
        Reader reader = new Reader(zone, filter, count, err);
        io.mirrorgate.protocol.TcpAnalysis.Rules rules = CommandLines.analysisRules(NAME, cl);
        if (cl.hasOption("dedup")) {
            reader.dedup = new io.mirrorgate.protocol.MirrorDuplicates();
        }
        try {
            String sortBy = ConversationFormat.sortOption(NAME, cl);
            if (cl.hasOption("analysis") && (write != null || cl.hasOption("conversations"))) {
                throw CommandLines.usage(NAME, "--analysis flags the packets printed; it does not go with -w or --conversations");
            }
            if (cl.hasOption("conversations")) {
                if (write != null) {
                    throw CommandLines.usage(NAME, "--conversations prints a table; it does not take -w");
                }
                reader.tracker = CommandLines.conversationTimeouts(NAME, cl, new io.mirrorgate.protocol.ConversationTracker(CONVERSATIONS_MAX, rules));
                reader.conversationFormat = format;
                reader.sort = sortBy;
                reader.stdout = stdout;
            } else if (write != null) {
                reader.pcap = PcapOutput.open(write, stdout, NAME);
            } else {
                boolean analysis = cl.hasOption("analysis");
                reader.format = CommandLines.eventFormat(format, stdout, time, zone, CommandLines.communityIdSeed(NAME, cl),
                        analysis);
                if (analysis) {
                    reader.tracker = CommandLines.conversationTimeouts(NAME, cl, new io.mirrorgate.protocol.ConversationTracker(CONVERSATIONS_MAX, rules));
                }
                reader.format.begin();
            }
            long total = 0;
            for (String f : cl.getArgList()) {
                try {
                    total += f.equals("-") ? 0 : Files.size(Paths.get(f));
                } catch (IOException | RuntimeException e) {
                    // reported when the file is opened
                }
            }
            reader.progress = total > PROGRESS_MIN_BYTES && Terminal.stderrIsTerminal();
            int status = ExitStatus.OK;
            for (String f : cl.getArgList()) {
                int s = reader.readFile(f);
                if (status == ExitStatus.OK) {
                    status = s;
                }
                if (reader.done()) {
                    break;
                }
            }
            reader.finish();
            return status;
        } catch (IOException e) {
            if (isBrokenPipe(e)) {
                return ExitStatus.OK;
            }
            throw new CliException(ExitStatus.IO_ERROR, NAME + ": cannot write output: " + e.getMessage());
        } finally {
            if (filter != null) {
                filter.close();
            }
        }
    }

    /** Words that start a libpcap filter expression and are unlikely file names. */
    private static final java.util.Set<String> FILTER_WORDS = java.util.Set.of("tcp", "udp", "icmp", "icmp6", "ip", "ip6",
            "arp", "rarp", "host", "net", "port", "portrange", "src", "dst", "ether", "vlan", "not", "and", "or", "less",
            "greater", "proto", "broadcast", "multicast", "gateway", "mpls", "sctp", "igmp", "!", "(");

    static boolean looksLikeFilter(String arg) {
        String first = arg.trim().split("[\\s(]", 2)[0].toLowerCase();
        return FILTER_WORDS.contains(first) || arg.startsWith("(") || arg.startsWith("!");
    }

    static boolean isBrokenPipe(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Broken pipe") || m.contains("Stream closed");
    }

    /** The read loop: one reusable view, records streamed to a format or a pcap writer. */
    private static final class Reader {
        private final ZoneId zone;
        private final BpfFilter filter;
        private final long count;
        private final PacketView view = new PacketView();
        private final PrintStream err;
        EventFormat format;
        PcapOutput pcap;
        /** --conversations (the table at the end) or --analysis (the flags of each packet printed). */
        io.mirrorgate.protocol.ConversationTracker tracker;
        /** --dedup: mirror copies dropped before anything else sees them. */
        io.mirrorgate.protocol.MirrorDuplicates dedup;
        String conversationFormat;
        String sort = "start";
        java.io.OutputStream stdout;
        long firstMicros = Long.MIN_VALUE;
        boolean progress;
        private long frame;

        Reader(ZoneId zone, BpfFilter filter, long count, PrintStream err) {
            this.err = err;
            this.zone = zone;
            this.filter = filter;
            this.count = count;
        }

        boolean done() {
            return frame >= count;
        }

        /** Reads one file ({@code -}: standard input); returns its exit status. Output errors propagate as IOException. */
        int readFile(String file) throws IOException, CliException {
            Path path = Paths.get(file.equals("-") ? "standard input" : file);
            CaptureReader in;
            try {
                in = file.equals("-")
                        ? CaptureFiles.open(new java.io.FileInputStream(java.io.FileDescriptor.in).getChannel(), "-", zone)
                        : CaptureFiles.open(path, zone);
            } catch (NoSuchFileException e) {
                err.println("mirrorgate: " + NAME + ": " + path + ": no such file");
                return ExitStatus.NO_INPUT;
            } catch (AccessDeniedException e) {
                err.println("mirrorgate: " + NAME + ": " + path + ": permission denied");
                return ExitStatus.NO_INPUT;
            } catch (StreamFormatException e) {
                err.println("mirrorgate: " + NAME + ": " + path + ": " + e.getMessage());
                return ExitStatus.DAMAGED;
            } catch (IOException e) {
                err.println("mirrorgate: " + NAME + ": " + path + ": cannot open: " + e.getMessage());
                return ExitStatus.NO_INPUT;
            }
            ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName(path.getFileName().toString())
                    .setInitialMax(in.size()).setUnit("MB", 1 << 20).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).showSpeed().setUpdateIntervalMillis(250)
                    .build() : null;
            long startNanos = System.nanoTime();
            long records = 0;
            try (in) {
                while (frame < count) {
                    try {
                        if (!in.next(view)) {
                            break;
                        }
                    } catch (StreamFormatException e) {
                        flushOutput();
                        err.println("mirrorgate: " + NAME + ": " + path + ": " + e.getMessage());
                        return ExitStatus.DAMAGED;
                    }
                    records++;
                    if (bar != null && (records % PROGRESS_EVERY) == 0) {
                        bar.stepTo(in.position());
                        double secs = (System.nanoTime() - startNanos) / 1e9;
                        bar.setExtraMessage(String.format(" %.0f rec/s", records / Math.max(secs, 1e-9)));
                    }
                    if (filter != null && !filter.matches(view)) {
                        continue;
                    }
                    if (dedup != null && dedup.isDuplicate(view)) {
                        continue;
                    }
                    frame++;
                    if (firstMicros == Long.MIN_VALUE) {
                        firstMicros = view.timestampMicros();
                    }
                    if (tracker != null) {
                        tracker.add(view);
                    }
                    if (conversationFormat != null) {
                        continue; // the table at the end
                    }
                    if (tracker != null) {
                        format.write(frame, view, io.mirrorgate.protocol.TcpAnalysis.names(tracker.lastAnalysis()));
                    } else if (format != null) {
                        format.write(frame, view);
                    } else {
                        pcap.write(view);
                    }
                }
            } finally {
                if (bar != null) {
                    bar.stepTo(in.position());
                    bar.close();
                }
            }
            return ExitStatus.OK;
        }

        private void flushOutput() throws IOException {
            if (conversationFormat != null) {
                return;
            }
            if (format != null) {
                format.flush();
            } else {
                pcap.flush();
            }
        }

        void finish() throws IOException {
            if (dedup != null && dedup.duplicates() > 0) {
                err.println("mirrorgate: " + NAME + ": " + dedup.duplicates() + " mirror copies dropped (--dedup)");
            }
            if (conversationFormat != null) {
                java.util.List<io.mirrorgate.protocol.ConversationTracker.Conversation> table = tracker.drain();
                ConversationFormat.sort(table, sort);
                ConversationFormat.write(conversationFormat, table, firstMicros == Long.MIN_VALUE ? 0 : firstMicros,
                        stdout);
                if (tracker.evicted() > 0) {
                    err.println("mirrorgate: " + NAME + ": " + tracker.evicted() + " conversations evicted (more than "
                            + CONVERSATIONS_MAX + " at once); their counts are in the table, split");
                }
                return;
            }
            if (format != null) {
                format.flush();
                return;
            }
            pcap.close(err);
        }
    }
}
