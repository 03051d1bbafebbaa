package io.mirrorgate.cli;

import io.mirrorgate.client.AgentStatistics;
import io.mirrorgate.client.MirrorAgent;
import io.mirrorgate.protocol.Libpcap;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import sun.misc.Signal;

/**
 * {@code mirrorgate agent --adapter IF --mirror HOST:PORT}: a capture agent, as CommView is one.
 * Captures the adapter with libpcap, streams NCF to the collector, retries every 15 s, buffers
 * while the collector is away, injects the frames it is sent, and never captures its own stream.
 */
final class AgentCommand {
    static final String NAME = "agent";

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("adapter").hasArg().argName("IF").desc("adapter to capture (see 'mirrorgate adapters')").get());
        o.addOption(Option.builder().longOpt("mirror").hasArg().argName("HOST:PORT").desc("the collector's mirror port (e.g. 127.0.0.1:5555)").get());
        o.addOption(Option.builder().longOpt("filter").hasArg().argName("BPF").desc("capture only what matches (the agent's own connection is always left out)").get());
        o.addOption(Option.builder().longOpt("retry").hasArg().argName("SEC").desc("seconds between connection attempts (default 15)").get());
        o.addOption(Option.builder().longOpt("buffer").hasArg().argName("MB").desc("megabytes kept while the collector is away (default 64)").get());
        o.addOption(Option.builder().longOpt("dialect").hasArg().argName("ncf|ncfx").desc("what to send (default ncf)").get());
        o.addOption(Option.builder().longOpt("timezone").hasArg().argName("ZONE").desc("zone the wall-clock times are written in (default: this system's zone)").get());
        o.addOption(Option.builder().longOpt("direction").hasArg().argName("in|out|both").desc("capture direction (default both)").get());
        CommandLines.tlsOptions(o, false);
        o.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        return o;
    }

    static int run(String[] args, OutputStream stdout, PrintStream err) throws CliException {
        Options options = options();
        CommandLine cl = CommandLines.parse(NAME, options, args, false);
        if (cl.hasOption("help")) {
            CommandLines.printHelp(stdout, NAME, "--adapter IF --mirror HOST:PORT [options]",
                    "Capture an adapter and stream it to a collector, like CV.EXE mirror:host:port.", options, null);
            return ExitStatus.OK;
        }
        if (!cl.hasOption("adapter") || !cl.hasOption("mirror")) {
            throw CommandLines.usage(NAME, "--adapter IF and --mirror HOST:PORT are required");
        }
        InetSocketAddress to = CommandLines.hostPort(NAME, "mirror", cl.getOptionValue("mirror"));
        String dir = cl.getOptionValue("direction", "both");
        io.mirrorgate.protocol.CaptureDirection direction;
        switch (dir) {
            case "in": direction = io.mirrorgate.protocol.CaptureDirection.IN; break;
            case "out": direction = io.mirrorgate.protocol.CaptureDirection.OUT; break;
            case "both": direction = io.mirrorgate.protocol.CaptureDirection.BOTH; break;
            default: throw CommandLines.usage(NAME, "--direction '" + dir + "' (expected in, out or both)");
        }
        String why = Libpcap.unavailableReason();
        if (why != null) {
            throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": " + why);
        }
        MirrorAgent agent = MirrorAgent.builder(to.getHostString(), to.getPort()).adapter(cl.getOptionValue("adapter"))
                .filter(cl.getOptionValue("filter")).dialect(CommandLines.dialect(NAME, cl))
                .timezone(CommandLines.zone(NAME, cl, "timezone"))
                .retryEvery(Duration.ofSeconds(CommandLines.positiveLong(NAME, cl, "retry", 15)))
                .bufferBytes(CommandLines.positiveLong(NAME, cl, "buffer", 64) << 20).direction(direction)
                .tls(CommandLines.clientTls(NAME, cl)).build();
        try {
            agent.start();
        } catch (Exception e) {
            agent.close();
            throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": cannot capture " + cl.getOptionValue("adapter") + ": "
                    + e.getMessage());
        }
        err.println("mirrorgate agent: capturing " + cl.getOptionValue("adapter") + " (filter: " + agent.captureFilter()
                + "), streaming to " + to.getHostString() + ":" + to.getPort());
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        agent.close();
        AgentStatistics s = agent.statistics();
        err.println("mirrorgate agent: captured=" + s.captured() + " sent=" + s.sent() + " buffer_dropped=" + s.bufferDropped()
                + " kernel_dropped=" + s.kernelDropped() + " interface_dropped=" + s.interfaceDropped() + " inject_sent="
                + s.injectSent() + " inject_failed=" + s.injectFailed() + " connects=" + s.connects());
        return ExitStatus.OK;
    }
}
