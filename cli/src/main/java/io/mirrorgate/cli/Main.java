package io.mirrorgate.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code mirrorgate} executable: dispatches to a command. Errors are one line on stderr with
 * the exit status of SPEC section 5; never a stack trace.
 */
public final class Main {
    private static final String COMMANDS = String.join("\n",
            "usage: mirrorgate COMMAND [options]",
            "",
            "Collector for mirrored network traffic (TamoSoft CommView NCF/NCFX) and packet-injection gateway.",
            "",
            "commands:",
            "  serve          run the collector: agents in, subscribers out, injection, files, statistics",
            "  read FILE...   decode capture files (NCF, NCFX, pcap, pcapng) into packet events",
            "  watch          subscribe to a collector and print its packets (or write pcap)",
            "  replay FILE    stream a capture file to a collector, as an agent would",
            "  inject         send frames for injection through a collector",
            "  agent          capture an adapter and stream it to a collector, like CV.EXE mirror:host:port",
            "  adapters       list the adapters libpcap sees, with their addresses",
            "",
            "'mirrorgate COMMAND --help' shows a command's options.");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new FileOutputStream(FileDescriptor.out), System.err));
    }

    /** Runs a command line with the given standard output and error; returns the exit status. */
    public static int run(String[] args, OutputStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(COMMANDS);
            return ExitStatus.USAGE;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (command) {
                case "-h":
                case "--help":
                case "help":
                    print(out, COMMANDS);
                    return ExitStatus.OK;
                case "--version":
                    print(out, "mirrorgate " + version());
                    return ExitStatus.OK;
                case ReadCommand.NAME:
                    return ReadCommand.run(rest, out, err);
                case ServeCommand.NAME:
                    return ServeCommand.run(rest, out, err);
                case WatchCommand.NAME:
                    return WatchCommand.run(rest, out, err);
                case ReplayCommand.NAME:
                    return ReplayCommand.run(rest, out, err);
                case InjectCommand.NAME:
                    return InjectCommand.run(rest, out, err);
                case AgentCommand.NAME:
                    return AgentCommand.run(rest, out, err);
                case AdaptersCommand.NAME:
                    return AdaptersCommand.run(rest, out, err);
                default:
                    err.println("mirrorgate: unknown command '" + command + "' (see 'mirrorgate --help')");
                    return ExitStatus.USAGE;
            }
        } catch (CliException e) {
            Logging.console(err, "mirrorgate: " + e.getMessage());
            return e.status();
        }
    }

    private static void print(OutputStream out, String text) {
        PrintStream p = new PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        p.println(text);
        p.flush();
    }

    /** {@code 0.1.0-SNAPSHOT (commit 35e5120332)} from the jar's manifest, as the build wrote it. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        if (v == null) {
            return "development build (classes outside the jar)";
        }
        String commit = null;
        try (java.io.InputStream in = Main.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in != null) {
                commit = new java.util.jar.Manifest(in).getMainAttributes().getValue("Build-Commit");
            }
        } catch (java.io.IOException e) {
            // no commit to show
        }
        // a build without a git checkout (a source tarball) leaves the expression unresolved
        boolean known = commit != null && !commit.isEmpty() && !commit.startsWith("${");
        return v + (known ? " (commit " + commit + ")" : " (commit unknown)");
    }
}
