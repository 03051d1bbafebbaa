package io.mirrorgate.cli;

import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.ZoneId;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import org.apache.commons.cli.ParseException;

/** Parsing and validation shared by every command: one-line errors with status 64. */
final class CommandLines {
    private CommandLines() {
    }

    /** Parses {@code args}; rejects unknown options (and stray arguments unless allowed). */
    static CommandLine parse(String command, Options options, String[] args, boolean operandsAllowed)
            throws CliException {
        try {
            CommandLine cl = DefaultParser.builder().setStripLeadingAndTrailingQuotes(false).build()
                    .parse(options, args, false);
            if (!operandsAllowed && !cl.getArgList().isEmpty()) {
                throw usage(command, "unexpected argument '" + cl.getArgList().get(0) + "'");
            }
            return cl;
        } catch (ParseException e) {
            throw usage(command, e.getMessage());
        }
    }

    static CliException usage(String command, String message) {
        return new CliException(ExitStatus.USAGE, command + ": " + message + " (see 'mirrorgate " + command + " --help')");
    }

    static void printHelp(java.io.OutputStream out, String command, String syntax, String header, Options options,
                          String footer) {
        HelpFormatter f = HelpFormatter.builder().get();
        PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8), true);
        f.printHelp(w, 100, "mirrorgate " + command + " " + syntax, header == null ? null : "\n" + header + "\n\n",
                options, 2, 3, footer == null ? null : "\n" + footer, false);
        w.flush();
    }

    static ZoneId zone(String command, CommandLine cl, String opt) throws CliException {
        String v = cl.getOptionValue(opt);
        if (v == null) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(v);
        } catch (DateTimeException e) {
            throw usage(command, "--" + opt + " '" + v + "' is not a time zone (e.g. UTC, Europe/Berlin, +02:00)");
        }
    }

    /** {@code HOST:PORT} ({@code [v6]:PORT} too) of option {@code opt}. */
    static java.net.InetSocketAddress hostPort(String command, String opt, String v) throws CliException {
        int colon = v == null ? -1 : v.lastIndexOf(':');
        int port = -1;
        if (colon > 0) {
            try {
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 1 || port > 65535) {
            throw usage(command, "--" + opt + " '" + v + "' (expected HOST:PORT)");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new java.net.InetSocketAddress(host, port);
    }

    static io.mirrorgate.protocol.Dialect dialect(String command, CommandLine cl) throws CliException {
        String v = cl.getOptionValue("dialect", "ncf");
        switch (v) {
            case "ncf": return io.mirrorgate.protocol.Dialect.NCF;
            case "ncfx": return io.mirrorgate.protocol.Dialect.NCFX;
            default: throw usage(command, "--dialect '" + v + "' (expected ncf or ncfx)");
        }
    }

    /** {@code --format tsv|text|jsonl} (default text), checked. */
    static String formatName(String command, CommandLine cl) throws CliException {
        String format = cl.getOptionValue("format", "text");
        if (!format.equals("tsv") && !format.equals("text") && !format.equals("jsonl")) {
            throw usage(command, "--format '" + format + "' (expected tsv, text or jsonl)");
        }
        if (cl.hasOption("write") && cl.hasOption("format")) {
            throw usage(command, "-w writes pcap; it does not take --format");
        }
        return format;
    }

    static EventFormat eventFormat(String format, java.io.OutputStream out) throws java.io.IOException {
        return eventFormat(format, out, TextFormat.Time.RELATIVE, ZoneId.systemDefault());
    }

    static EventFormat eventFormat(String format, java.io.OutputStream out, TextFormat.Time time, ZoneId zone)
            throws java.io.IOException {
        return eventFormat(format, out, time, zone, 0);
    }

    static EventFormat eventFormat(String format, java.io.OutputStream out, TextFormat.Time time, ZoneId zone,
                                   int communityIdSeed) throws java.io.IOException {
        return eventFormat(format, out, time, zone, communityIdSeed, false);
    }

    static EventFormat eventFormat(String format, java.io.OutputStream out, TextFormat.Time time, ZoneId zone,
                                   int communityIdSeed, boolean analysis) throws java.io.IOException {
        switch (format) {
            case "tsv": return new TsvFormat(out, analysis);
            case "jsonl": return new JsonlFormat(out, communityIdSeed);
            default: return new TextFormat(out, time, zone);
        }
    }

    /** {@code --community-id-seed} of {@code read} and {@code watch}. */
    static Option communityIdSeedOption() {
        return Option.builder().longOpt("community-id-seed").hasArg().argName("N")
                .desc("seed of the Community ID on jsonl events, 0..65535 (default 0, as Zeek and Suricata)").get();
    }

    /** The {@code --community-id-seed} given, checked. */
    static int communityIdSeed(String command, CommandLine cl) throws CliException {
        long seed = positiveLong(command, cl, "community-id-seed", 0);
        if (seed > 0xFFFF) {
            throw usage(command, "--community-id-seed " + seed + ": 0..65535 (two bytes in the hash)");
        }
        return (int) seed;
    }

    /** {@code --time} of {@code read} and {@code watch}. */
    static Option conversationTimeoutOption() {
        return Option.builder().longOpt("conversation-timeout").hasArg().argName("PROTO=SEC,...")
                .desc("idle seconds after which a conversation ends, per protocol: tcp (300), tcp-closed (5, after RST "
                        + "or both FINs), udp (60), other (60, ICMP included); e.g. tcp=3600,udp=30").get();
    }

    /** Applies --conversation-timeout to {@code t}; a usage error names what was wrong. */
    static io.mirrorgate.protocol.ConversationTracker conversationTimeouts(String command, CommandLine cl,
            io.mirrorgate.protocol.ConversationTracker t) throws CliException {
        long[] s = conversationTimeouts(command, cl);
        return s == null ? t : t.timeouts(s[0], s[1], s[2], s[3]);
    }

    /** --conversation-timeout as µs {tcp, tcp-closed, udp, other}, or null when not given. */
    static long[] conversationTimeouts(String command, CommandLine cl) throws CliException {
        String v = cl.getOptionValue("conversation-timeout");
        if (v == null) {
            return null;
        }
        long[] s = {io.mirrorgate.protocol.ConversationTracker.TCP_TIMEOUT_MICROS,
            io.mirrorgate.protocol.ConversationTracker.CLOSED_TIMEOUT_MICROS,
            io.mirrorgate.protocol.ConversationTracker.OTHER_TIMEOUT_MICROS,
            io.mirrorgate.protocol.ConversationTracker.OTHER_TIMEOUT_MICROS};
        java.util.List<String> names = java.util.List.of("tcp", "tcp-closed", "udp", "other");
        for (String part : v.split(",")) {
            String[] kv = part.trim().split("=", 2);
            int k = names.indexOf(kv[0].trim());
            long sec;
            try {
                sec = kv.length == 2 ? Long.parseLong(kv[1].trim()) : -1;
            } catch (NumberFormatException e) {
                sec = -1;
            }
            if (k < 0 || sec <= 0 || sec > 365L * 86400) {
                throw usage(command, "--conversation-timeout: '" + part.trim() + "' is not PROTO=SECONDS with PROTO tcp, "
                        + "tcp-closed, udp or other and 1 to 31536000 seconds");
            }
            s[k] = sec * 1_000_000L;
        }
        return s;
    }

    /** A repeatable KEY=VALUE option as a map (in order); a usage error names a malformed one. */
    static java.util.Map<String, String> properties(String command, CommandLine cl, String opt) throws CliException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        String[] v = cl.getOptionValues(opt);
        if (v != null) {
            for (String kv : v) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw usage(command, "--" + opt + " '" + kv + "': expected KEY=VALUE");
                }
                out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
            }
        }
        return out;
    }

    static Option dedupOption() {
        return Option.builder().longOpt("dedup")
                .desc("drop mirror copies of a packet (same headers but TTL, within 100 ms; docs/ANALYSIS.md) and count them").get();
    }

    static Option analysisRulesOption() {
        return Option.builder().longOpt("analysis-rules").hasArg().argName("mirror|wireshark")
                .desc("how --analysis tells a resent segment from a late original: mirror (default: IPv4 id, gap age; "
                        + "flags mirror copies) or wireshark (Wireshark's rules to the letter)").get();
    }

    static io.mirrorgate.protocol.TcpAnalysis.Rules analysisRules(String command, CommandLine cl) throws CliException {
        String v = cl.getOptionValue("analysis-rules", "mirror");
        switch (v) {
            case "mirror":
                return io.mirrorgate.protocol.TcpAnalysis.Rules.MIRROR;
            case "wireshark":
                return io.mirrorgate.protocol.TcpAnalysis.Rules.WIRESHARK;
            default:
                throw usage(command, "--analysis-rules takes mirror or wireshark, not '" + v + "'");
        }
    }

    static Option timeOption() {
        return Option.builder().longOpt("time").hasArg().argName("relative|absolute|epoch|delta")
                .desc("with --format text: seconds since the first packet (default), date and time in --timezone, "
                        + "seconds since the epoch, or since the previous packet").get();
    }

    static TextFormat.Time time(String command, CommandLine cl) throws CliException {
        String v = cl.getOptionValue("time", "relative");
        switch (v) {
            case "relative": return TextFormat.Time.RELATIVE;
            case "absolute": return TextFormat.Time.ABSOLUTE;
            case "epoch": return TextFormat.Time.EPOCH;
            case "delta": return TextFormat.Time.DELTA;
            default: throw usage(command, "--time '" + v + "' (expected relative, absolute, epoch or delta)");
        }
    }

    /** {@code -c N} / {@code --count N}, as tcpdump's {@code -c}. */
    static Option countOption(String what) {
        return Option.builder("c").longOpt("count").hasArg().argName("N").desc(what).get();
    }

    /**
     * Splits a tcpdump-style command line at {@code --}: what comes before is parsed as options and
     * operands, what comes after is a filter expression (joined with spaces), or null.
     */
    static String[] beforeDashDash(String[] args) {
        int i = java.util.Arrays.asList(args).indexOf("--");
        return i < 0 ? args : java.util.Arrays.copyOf(args, i);
    }

    static String afterDashDash(String[] args) {
        int i = java.util.Arrays.asList(args).indexOf("--");
        return i < 0 || i == args.length - 1 ? null
                : String.join(" ", java.util.Arrays.copyOfRange(args, i + 1, args.length));
    }

    /** {@code --filter BPF} compiled by libpcap, or null without the option. */
    static io.mirrorgate.protocol.BpfFilter filter(String command, CommandLine cl) throws CliException {
        return filter(command, cl, null);
    }

    /** {@code --filter BPF} or a tcpdump-style expression after {@code --} (not both), or null. */
    static io.mirrorgate.protocol.BpfFilter filter(String command, CommandLine cl, String trailing) throws CliException {
        if (cl.hasOption("filter") && trailing != null) {
            throw usage(command, "give the filter once: --filter BPF or an expression after --");
        }
        String expression = trailing != null ? trailing : cl.getOptionValue("filter");
        if (expression == null) {
            return null;
        }
        try {
            return new io.mirrorgate.protocol.BpfFilter(expression);
        } catch (io.mirrorgate.protocol.Libpcap.LibpcapUnavailableException e) {
            throw new CliException(ExitStatus.UNAVAILABLE, command + ": --filter needs libpcap: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw usage(command, e.getMessage());
        }
    }

    /** Adds --tls-ca, --tls-cert and --tls-key (PEM files) to a command's options. */
    static void tlsOptions(Options o, boolean server) {
        o.addOption(org.apache.commons.cli.Option.builder().longOpt("tls-ca").hasArg().argName("PEM")
                .desc(server ? "require peer certificates signed by this CA (mutual TLS)" : "trust this CA for the collector's certificate").get());
        o.addOption(org.apache.commons.cli.Option.builder().longOpt("tls-cert").hasArg().argName("PEM")
                .desc(server ? "serve TLS with this certificate (both ports)" : "present this client certificate").get());
        o.addOption(org.apache.commons.cli.Option.builder().longOpt("tls-key").hasArg().argName("PEM")
                .desc("the PKCS#8 key of --tls-cert").get());
    }

    static java.io.File pem(String command, CommandLine cl, String opt) throws CliException {
        String v = cl.getOptionValue(opt);
        if (v == null) {
            return null;
        }
        java.io.File f = new java.io.File(v);
        if (!f.canRead()) {
            throw new CliException(ExitStatus.NO_INPUT, command + ": --" + opt + " " + v + ": cannot be read");
        }
        return f;
    }

    /** The client TLS of --tls-ca/--tls-cert/--tls-key, or null when none of them is given. */
    static io.mirrorgate.protocol.Tls clientTls(String command, CommandLine cl) throws CliException {
        java.io.File ca = pem(command, cl, "tls-ca");
        java.io.File cert = pem(command, cl, "tls-cert");
        java.io.File key = pem(command, cl, "tls-key");
        if (ca == null && cert == null && key == null) {
            return null;
        }
        if ((cert == null) != (key == null)) {
            throw usage(command, "--tls-cert and --tls-key go together");
        }
        try {
            return io.mirrorgate.protocol.Tls.client(ca, cert, key);
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw usage(command, "TLS material: " + e.getMessage());
        }
    }

    /**
     * {@code --config FILE}: the file's settings, one {@code name = value} per line ({@code #}
     * comments; a flag takes {@code true}; a repeatable option may appear on several lines), are
     * added after the command line's own arguments, and only for options the command line does
     * not give: flags on the command line override the file.
     */
    static String[] withConfig(String command, Options options, String[] args) throws CliException {
        String file = null;
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (int k = 0; k < args.length; k++) {
            if (args[k].equals("--config") && k + 1 < args.length) {
                file = args[++k];
            } else if (args[k].startsWith("--config=")) {
                file = args[k].substring("--config=".length());
            } else {
                rest.add(args[k]);
            }
        }
        if (file == null) {
            return args;
        }
        java.util.Set<String> given = new java.util.HashSet<>();
        for (String a : rest) {
            if (a.startsWith("--")) {
                given.add(a.substring(2).split("=", 2)[0]);
            } else if (a.startsWith("-") && a.length() == 2 && options.getOption(a.substring(1)) != null) {
                given.add(options.getOption(a.substring(1)).getLongOpt());
            }
        }
        java.util.List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(java.nio.file.Paths.get(file));
        } catch (java.io.IOException e) {
            throw new CliException(ExitStatus.NO_INPUT, command + ": --config " + file + ": cannot be read");
        }
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String name = (eq < 0 ? line : line.substring(0, eq)).trim();
            String value = eq < 0 ? null : line.substring(eq + 1).trim();
            org.apache.commons.cli.Option o = options.getOption(name);
            if (o == null || name.equals("help") || name.equals("config")) {
                throw usage(command, "--config " + file + " line " + (n + 1) + ": unknown setting '" + name + "'");
            }
            if (given.contains(o.getLongOpt())) {
                continue;
            }
            if (o.hasArg()) {
                if (value == null || value.isEmpty()) {
                    throw usage(command, "--config " + file + " line " + (n + 1) + ": '" + name + "' needs a value");
                }
                rest.add("--" + o.getLongOpt());
                rest.add(value);
            } else if (value == null || value.equalsIgnoreCase("true")) {
                rest.add("--" + o.getLongOpt());
            } else if (!value.equalsIgnoreCase("false")) {
                throw usage(command, "--config " + file + " line " + (n + 1) + ": '" + name + "' takes true or false");
            }
        }
        return rest.toArray(new String[0]);
    }

    static long positiveLong(String command, CommandLine cl, String opt, long dflt) throws CliException {
        String v = cl.getOptionValue(opt);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw usage(command, "--" + opt + " '" + v + "' is not a positive whole number");
        }
    }
}
