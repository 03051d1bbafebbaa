package io.mirrorgate.cli;

import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.NcfRecords;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.StreamFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneId;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code mirrorgate replay FILE --mirror HOST:PORT}: an agent that streams a capture file (any
 * format {@code read} takes) as NCF or NCFX records, at {@code --rate} records/s or as fast as
 * the connection takes them, {@code --loop N} times; prints records/s at the end. Connects like
 * CommView: retries every 15 s (or {@code --retry SEC}) until the collector answers.
 */
final class ReplayCommand {
    static final String NAME = "replay";
    /** Inputs larger than this get a progress bar when stderr is a terminal. */
    private static final long PROGRESS_MIN_BYTES = 4L << 20;

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("mirror").hasArg().argName("HOST:PORT").desc("the collector's mirror port (e.g. 127.0.0.1:5555)").get());
        o.addOption(Option.builder().longOpt("rate").hasArg().argName("PPS|max").desc("records per second (default max)").get());
        o.addOption(Option.builder().longOpt("loop").hasArg().argName("N").desc("send the file N times (default 1)").get());
        o.addOption(Option.builder().longOpt("dialect").hasArg().argName("ncf|ncfx").desc("what to send (default ncf)").get());
        o.addOption(Option.builder().longOpt("timezone").hasArg().argName("ZONE").desc("zone to read NCF/NCFX times in and to write them in (default: this system's zone)").get());
        o.addOption(Option.builder().longOpt("retry").hasArg().argName("SEC").desc("seconds between connection attempts (default 15)").get());
        CommandLines.tlsOptions(o, false);
        o.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        return o;
    }

    static int run(String[] args, OutputStream stdout, PrintStream err) throws CliException {
        Options options = options();
        CommandLine cl = CommandLines.parse(NAME, options, args, true);
        if (cl.hasOption("help")) {
            CommandLines.printHelp(stdout, NAME, "FILE --mirror HOST:PORT [options]",
                    "Stream a capture file to a collector as an agent would.", options, null);
            return ExitStatus.OK;
        }
        if (cl.getArgList().size() != 1) {
            throw CommandLines.usage(NAME, cl.getArgList().isEmpty() ? "no input file" : "one input file at a time");
        }
        if (!cl.hasOption("mirror")) {
            throw CommandLines.usage(NAME, "--mirror HOST:PORT is required");
        }
        InetSocketAddress to = CommandLines.hostPort(NAME, "mirror", cl.getOptionValue("mirror"));
        String rateText = cl.getOptionValue("rate", "max");
        long rate = rateText.equals("max") ? 0 : CommandLines.positiveLong(NAME, cl, "rate", 0);
        long loops = CommandLines.positiveLong(NAME, cl, "loop", 1);
        Dialect dialect = CommandLines.dialect(NAME, cl);
        ZoneId zone = CommandLines.zone(NAME, cl, "timezone");
        long retry = CommandLines.positiveLong(NAME, cl, "retry", 15);
        Path file = Paths.get(cl.getArgList().get(0));
        if (!Files.isReadable(file)) {
            throw new CliException(ExitStatus.NO_INPUT, NAME + ": " + file + ": no such file or not readable");
        }
        if (Files.isDirectory(file)) {
            throw new CliException(ExitStatus.NO_INPUT, NAME + ": " + file + ": is a directory, not a capture file");
        }
        io.mirrorgate.protocol.Tls tls = CommandLines.clientTls(NAME, cl);
        try (Socket s = connect(to, retry, tls, err)) {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 18);
            ByteBuf buf = Unpooled.buffer(1 << 17);
            PacketView v = new PacketView();
            long sent = 0;
            long skipped = 0;
            long start = System.nanoTime();
            io.mirrorgate.protocol.Pacer pacer = new io.mirrorgate.protocol.Pacer(rate);
            long size = Files.size(file);
            me.tongfei.progressbar.ProgressBar bar = size * loops > PROGRESS_MIN_BYTES && Terminal.stderrIsTerminal()
                    ? new me.tongfei.progressbar.ProgressBarBuilder().setTaskName(file.getFileName().toString())
                            .setInitialMax(size * loops).setUnit("MB", 1 << 20)
                            .setStyle(me.tongfei.progressbar.ProgressBarStyle.ASCII)
                            .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err)).showSpeed().build()
                    : null;
            for (long loop = 0; loop < loops; loop++) {
                try (CaptureReader in = CaptureFiles.open(file, zone)) {
                    while (in.next(v)) {
                        if (bar != null && (sent & 0x1FFF) == 0) {
                            bar.stepTo(loop * size + in.position());
                        }
                        buf.clear();
                        if (!NcfRecords.write(v, dialect, zone, buf)) {
                            skipped++;
                            continue;
                        }
                        buf.readBytes(out, buf.readableBytes());
                        sent++;
                        pacer.await(sent, () -> flush(out));
                    }
                } catch (StreamFormatException e) {
                    out.flush();
                    err.println("mirrorgate: " + NAME + ": " + file + ": " + e.getMessage());
                    return ExitStatus.DAMAGED;
                } catch (NoSuchFileException e) {
                    throw new CliException(ExitStatus.NO_INPUT, NAME + ": " + file + ": no such file");
                }
            }
            out.flush();
            s.shutdownOutput();
            if (bar != null) {
                bar.stepTo(size * loops);
                bar.close();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            err.printf("mirrorgate: %s: %d records sent (%d skipped: no %s medium for their link type) in %.3f s, %.0f records/s%n",
                    NAME, sent, skipped, dialect.name(), secs, sent / Math.max(secs, 1e-9));
            return ExitStatus.OK;
        } catch (IOException e) {
            throw new CliException(ExitStatus.IO_ERROR, NAME + ": connection to " + to.getHostString() + ":" + to.getPort()
                    + " lost: " + e.getMessage());
        }
    }

    /**
     * Connects, retrying every {@code retry} seconds like CommView (saying so once); with
     * {@code retry} 0, one attempt: a failure is exit status 69 with the reason.
     */
    static Socket connect(InetSocketAddress to, long retry, io.mirrorgate.protocol.Tls tls, PrintStream err) throws CliException {
        io.mirrorgate.protocol.Reconnect policy = new io.mirrorgate.protocol.Reconnect(
                "mirrorgate: " + to.getHostString() + ":" + to.getPort(), java.time.Duration.ofSeconds(Math.max(1, retry)),
                err::println);
        while (true) {
            policy.attempt();
            try {
                Socket s = new Socket(to.getAddress(), to.getPort());
                s.setTcpNoDelay(true);
                if (tls == null) {
                    return s;
                }
                try {
                    return tls.wrap(s, to);
                } catch (IOException e) {
                    s.close();
                    throw new CliException(ExitStatus.UNAVAILABLE, "TLS with " + to.getHostString() + ":" + to.getPort()
                            + " failed: " + e.getMessage());
                }
            } catch (IOException e) {
                if (to.isUnresolved()) {
                    throw new CliException(ExitStatus.UNAVAILABLE, "cannot resolve " + to.getHostString());
                }
                if (retry <= 0) {
                    throw new CliException(ExitStatus.UNAVAILABLE, "cannot connect to " + to.getHostString() + ":" + to.getPort()
                            + ": " + e.getMessage());
                }
                policy.failed(e); // one line for the outage, not one per attempt
                try {
                    Thread.sleep(policy.interval().toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CliException(ExitStatus.UNAVAILABLE, "interrupted");
                }
            }
        }
    }

    /** Flushes before a paced wait; a failure shows on the next write. */
    static void flush(java.io.OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            // the next write reports it
        }
    }
}
