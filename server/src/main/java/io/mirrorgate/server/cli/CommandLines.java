package io.mirrorgate.server.cli;

import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.ZoneId;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
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
