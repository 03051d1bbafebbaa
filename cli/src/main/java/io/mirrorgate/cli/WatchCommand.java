package io.mirrorgate.cli;

import io.mirrorgate.client.MirrorClient;
import io.mirrorgate.client.MirrorReceiver;
import io.mirrorgate.client.PacketHandler;
import io.mirrorgate.protocol.BpfFilter;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.PacketView;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import sun.misc.Signal;

/**
 * {@code mirrorgate watch --connect HOST:PORT}: an SDK subscriber on the command line. Prints
 * every packet a collector's client port streams ({@code --format}, {@code --filter}),
 * {@code --count N} then exits 0, or writes pcap with {@code -w FILE|-}. Reconnects like
 * CommView (every 15 s) until interrupted.
 */
final class WatchCommand {
    static final String NAME = "watch";

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("connect").hasArg().argName("HOST:PORT").desc("a collector's client port (e.g. 127.0.0.1:5556)").get());
        o.addOption(Option.builder().longOpt("listen").hasArg().argName("[HOST:]PORT").desc("accept CommView agents directly on this port, no collector (HOST default 127.0.0.1)").get());
        o.addOption(Option.builder().longOpt("kafka-bootstrap").hasArg().argName("HOST:PORT[,...]").desc("read what collectors published to Kafka, as a member of --group").get());
        o.addOption(Option.builder().longOpt("kafka-topic").hasArg().argName("TOPIC").desc("the Kafka topic (with --kafka-bootstrap)").get());
        o.addOption(Option.builder().longOpt("group").hasArg().argName("GROUP").desc("the Kafka consumer group: members share the topic's partitions, each conversation goes to one").get());
        o.addOption(Option.builder().longOpt("from").hasArg().argName("earliest|latest|TIME").desc("where a group with no committed offset starts (default latest); TIME (ISO-8601 or epoch seconds) starts every partition there").get());
        o.addOption(Option.builder().longOpt("kafka-property").hasArg().argName("KEY=VALUE").desc("a Kafka consumer setting (repeatable): security.protocol, sasl.*, ssl.*, ...").get());
        o.addOption(Option.builder().longOpt("dialect").hasArg().argName("ncf|ncfx").desc("the peer's dialect (default: ncf with --connect, decided per agent with --listen)").get());
        o.addOption(Option.builder().longOpt("format").hasArg().argName("tsv|text|jsonl").desc("output format (default text)").get());
        o.addOption(Option.builder().longOpt("filter").hasArg().argName("BPF").desc("only packets matching this libpcap filter (or give it after --)").get());
        o.addOption(CommandLines.countOption("exit 0 after N packets (after the filter)"));
        o.addOption(CommandLines.timeOption());
        o.addOption(CommandLines.communityIdSeedOption());
        o.addOption(Option.builder().longOpt("conversations")
                .desc("print the conversation table (as read --conversations) at exit, and every --interval").get());
        o.addOption(ConversationFormat.option());
        o.addOption(Option.builder().longOpt("interval").hasArg().argName("SEC")
                .desc("with --conversations: also print the table every SEC seconds").get());
        o.addOption(Option.builder().longOpt("analysis")
                .desc("add each TCP packet's analysis flags (as read --analysis)").get());
        o.addOption(CommandLines.analysisRulesOption());
        o.addOption(CommandLines.dedupOption());
        o.addOption(CommandLines.conversationTimeoutOption());
        o.addOption(Option.builder().longOpt("stats-interval").hasArg().argName("SEC")
                .desc("print totals every SEC seconds (packets, bytes, by protocol, top talkers) instead of packets").get());
        o.addOption(Option.builder().longOpt("timezone").hasArg().argName("ZONE").desc("zone of the records' wall-clock times (default: this system's zone)").get());
        o.addOption(Option.builder().longOpt("retry").hasArg().argName("SEC").desc("seconds between connection attempts (default 15)").get());
        o.addOption(Option.builder("w").longOpt("write").hasArg().argName("FILE").desc("write pcap to FILE ('-' for stdout) instead of printing; pcapng when FILE ends in .pcapng").get());
        CommandLines.tlsOptions(o, false);
        o.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        return o;
    }

    static int run(String[] args, OutputStream stdout, PrintStream err) throws CliException {
        Options options = options();
        CommandLine cl = CommandLines.parse(NAME, options, CommandLines.beforeDashDash(args), false);
        if (cl.hasOption("help")) {
            CommandLines.printHelp(stdout, NAME, "(--connect HOST:PORT | --listen [HOST:]PORT | --kafka-bootstrap HOST:PORT "
                    + "--kafka-topic T --group G) [options] [-- FILTER]",
                    "Subscribe to a collector, accept CommView agents directly, or read a collector's Kafka topic, and print "
                            + "their packets.", options, null);
            return ExitStatus.OK;
        }
        boolean kafka = cl.hasOption("kafka-bootstrap");
        if ((cl.hasOption("connect") ? 1 : 0) + (cl.hasOption("listen") ? 1 : 0) + (kafka ? 1 : 0) != 1) {
            throw CommandLines.usage(NAME, "give --connect HOST:PORT, --listen [HOST:]PORT or --kafka-bootstrap HOST:PORT");
        }
        if (kafka && (!cl.hasOption("kafka-topic") || !cl.hasOption("group"))) {
            throw CommandLines.usage(NAME, "--kafka-bootstrap needs --kafka-topic and --group");
        }
        if (!kafka && (cl.hasOption("kafka-topic") || cl.hasOption("group") || cl.hasOption("from") || cl.hasOption("kafka-property"))) {
            throw CommandLines.usage(NAME, "--kafka-topic, --group, --from and --kafka-property go with --kafka-bootstrap");
        }
        java.util.Map<String, String> kafkaProperties = CommandLines.properties(NAME, cl, "kafka-property");
        Object from = kafka ? from(cl.getOptionValue("from", "latest")) : null;
        InetSocketAddress to = null;
        if (kafka) {
            // no socket address: the brokers are Kafka's business
        } else if (cl.hasOption("connect")) {
            to = CommandLines.hostPort(NAME, "connect", cl.getOptionValue("connect"));
        } else {
            String l = cl.getOptionValue("listen");
            to = CommandLines.hostPort(NAME, "listen", l.indexOf(':') < 0 ? "127.0.0.1:" + l : l);
        }
        Dialect dialect = cl.hasOption("dialect") || cl.hasOption("connect") ? CommandLines.dialect(NAME, cl) : null;
        String format = CommandLines.formatName(NAME, cl);
        long count = CommandLines.positiveLong(NAME, cl, "count", Long.MAX_VALUE);
        ZoneId zone = CommandLines.zone(NAME, cl, "timezone");
        TextFormat.Time time = CommandLines.time(NAME, cl);
        long retry = CommandLines.positiveLong(NAME, cl, "retry", 15);
        io.mirrorgate.protocol.Tls tls = CommandLines.clientTls(NAME, cl);
        String write = cl.getOptionValue("write");
        BpfFilter filter = CommandLines.filter(NAME, cl, CommandLines.afterDashDash(args));
        boolean conversations = cl.hasOption("conversations");
        String sortBy = ConversationFormat.sortOption(NAME, cl);
        long interval = CommandLines.positiveLong(NAME, cl, "interval", 0);
        if (conversations && write != null) {
            throw CommandLines.usage(NAME, "--conversations prints a table; it does not take -w");
        }
        if (interval > 0 && !conversations) {
            throw CommandLines.usage(NAME, "--interval goes with --conversations");
        }
        boolean analysis = cl.hasOption("analysis");
        io.mirrorgate.protocol.TcpAnalysis.Rules rules = CommandLines.analysisRules(NAME, cl);
        long statsInterval = CommandLines.positiveLong(NAME, cl, "stats-interval", 0);
        if (analysis && (write != null || conversations || statsInterval > 0)) {
            throw CommandLines.usage(NAME, "--analysis flags the packets printed; it does not go with -w, --conversations or --stats-interval");
        }
        if (statsInterval > 0 && (write != null || conversations)) {
            throw CommandLines.usage(NAME, "--stats-interval prints totals; it does not go with -w or --conversations");
        }
        java.util.concurrent.ScheduledExecutorService ticker = null;
        try {
            EventFormat fmt = null;
            PcapOutput pcap = null;
            if (conversations || statsInterval > 0) {
                // no per-packet output: the table (at exit and every --interval) or the totals
            } else if (write != null) {
                pcap = PcapOutput.open(write, stdout, NAME);
            } else {
                fmt = CommandLines.eventFormat(format, stdout, time, zone, CommandLines.communityIdSeed(NAME, cl), analysis);
                fmt.begin();
                fmt.flush();
            }
            CountDownLatch done = new CountDownLatch(1);
            Printer printer = new Printer(fmt, pcap, filter, count, done);
            if (cl.hasOption("dedup")) {
                printer.dedup = new io.mirrorgate.protocol.MirrorDuplicates();
            }
            if (analysis) {
                printer.tracker = CommandLines.conversationTimeouts(NAME, cl, new io.mirrorgate.protocol.ConversationTracker(ReadCommand.CONVERSATIONS_MAX, rules));
                printer.tracker.listener(new io.mirrorgate.protocol.ConversationTracker.Listener() {
                }); // ended conversations are not kept: only the flags are printed
            }
            if (statsInterval > 0) {
                printer.stats = new IntervalStats(format, stdout, statsInterval);
                ticker = ticker();
                ticker.scheduleAtFixedRate(printer::printStats, statsInterval, statsInterval, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (conversations) {
                printer.tracker = CommandLines.conversationTimeouts(NAME, cl, new io.mirrorgate.protocol.ConversationTracker(ReadCommand.CONVERSATIONS_MAX, rules));
                printer.tableFormat = format;
                printer.sort = sortBy;
                printer.out = stdout;
                if (interval > 0) {
                    ticker = ticker();
                    ticker.scheduleAtFixedRate(printer::printTable, interval, interval, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
            Signal.handle(new Signal("INT"), s -> done.countDown());
            Signal.handle(new Signal("TERM"), s -> done.countDown());
            if (kafka) {
                io.mirrorgate.client.KafkaPacketSource.Builder b = io.mirrorgate.client.KafkaPacketSource.builder(
                        cl.getOptionValue("kafka-bootstrap"), cl.getOptionValue("kafka-topic"), cl.getOptionValue("group"))
                        .timezone(zone).packetHandler(printer);
                if (from instanceof java.time.Instant t) {
                    b.from(t);
                } else {
                    b.from((io.mirrorgate.client.KafkaPacketSource.From) from);
                }
                kafkaProperties.forEach(b::property);
                io.mirrorgate.client.KafkaPacketSource source;
                try {
                    source = b.build();
                    printer.whenDone = source::stopDelivery; // --count N commits exactly the N printed
                    source.start();
                } catch (org.apache.kafka.common.KafkaException | IllegalArgumentException e) {
                    throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": Kafka consumer: "
                            + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
                }
                try (source) {
                    done.await();
                } // close() commits the offsets of everything printed
            } else if (cl.hasOption("connect")) {
                try (MirrorClient client = MirrorClient.builder(to.getHostString(), to.getPort()).dialect(dialect).timezone(zone)
                        .reconnectEvery(Duration.ofSeconds(retry)).tls(tls).packetHandler(printer)
                        .connectionListener(new Outages(err)).build().start()) {
                    done.await();
                }
            } else {
                MirrorReceiver receiver = MirrorReceiver.builder(to.getHostString(), to.getPort()).dialect(dialect)
                        .timezone(zone).packetHandler(printer).build();
                try {
                    receiver.start();
                } catch (Exception e) {
                    receiver.close();
                    throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": cannot listen on " + to.getHostString() + ":"
                            + to.getPort() + ": " + e.getMessage());
                }
                err.println("mirrorgate watch: agents -> " + to.getHostString() + ":" + receiver.address().getPort());
                try (receiver) {
                    done.await();
                }
            }
            if (ticker != null) {
                ticker.shutdownNow();
            }
            if (conversations) {
                printer.printTable();
            }
            if (statsInterval > 0) {
                printer.printStats();
            }
            if (printer.dedup != null && printer.dedup.duplicates() > 0) {
                err.println("mirrorgate: " + NAME + ": " + printer.dedup.duplicates() + " mirror copies dropped (--dedup)");
            }
            synchronized (printer) {
                if (printer.error != null && !ReadCommand.isBrokenPipe(printer.error)) {
                    throw new CliException(ExitStatus.IO_ERROR, NAME + ": cannot write output: " + printer.error.getMessage());
                }
                if (conversations || statsInterval > 0) {
                    return ExitStatus.OK;
                }
                if (fmt != null) {
                    fmt.flush();
                } else {
                    pcap.close(err);
                }
            }
            return ExitStatus.OK;
        } catch (IOException e) {
            if (ReadCommand.isBrokenPipe(e)) {
                return ExitStatus.OK;
            }
            throw new CliException(ExitStatus.IO_ERROR, NAME + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.OK;
        } finally {
            if (ticker != null) {
                ticker.shutdownNow();
            }
            if (filter != null) {
                filter.close();
            }
        }
    }

    /** --from: earliest, latest, an ISO-8601 instant or epoch seconds. */
    private static Object from(String v) throws CliException {
        switch (v) {
            case "earliest":
                return io.mirrorgate.client.KafkaPacketSource.From.EARLIEST;
            case "latest":
                return io.mirrorgate.client.KafkaPacketSource.From.LATEST;
            default:
                try {
                    return v.matches("\\d+") ? java.time.Instant.ofEpochSecond(Long.parseLong(v)) : java.time.Instant.parse(v);
                } catch (RuntimeException e) {
                    throw CommandLines.usage(NAME, "--from '" + v + "': expected earliest, latest, an ISO-8601 time "
                            + "(2026-12-02T06:00:00Z) or epoch seconds");
                }
        }
    }

    private static java.util.concurrent.ScheduledExecutorService ticker() {
        return java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mirrorgate-watch-ticker");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Says on stderr, once per outage, that the collector cannot be reached and that watch
     * retries (as replay does), and when it is connected again.
     */
    private static final class Outages implements io.mirrorgate.client.ConnectionListener {
        private final PrintStream err;
        private boolean down;

        Outages(PrintStream err) {
            this.err = err;
        }

        @Override
        public synchronized void connectFailed(InetSocketAddress peer, Throwable cause, Duration retryIn) {
            if (!down) {
                down = true;
                err.println("mirrorgate watch: cannot connect to " + peer.getHostString() + ":" + peer.getPort() + ": "
                        + reason(cause) + "; retrying every " + retryIn.toSeconds() + " s");
            }
        }

        @Override
        public synchronized void disconnected(InetSocketAddress peer, Duration retryIn) {
            if (!down) {
                down = true;
                err.println("mirrorgate watch: " + peer.getHostString() + ":" + peer.getPort()
                        + " closed the connection; reconnecting every " + retryIn.toSeconds() + " s");
            }
        }

        @Override
        public synchronized void connected(InetSocketAddress peer) {
            if (down) {
                down = false;
                err.println("mirrorgate watch: connected to " + peer.getHostString() + ":" + peer.getPort());
            }
        }

        private static String reason(Throwable t) {
            Throwable c = t;
            while (c.getCause() != null) {
                c = c.getCause();
            }
            return c.getMessage() == null ? c.toString() : c.getMessage();
        }
    }

    /** Runs on the client's network thread: formats each packet, flushes after each read. */
    private static final class Printer implements PacketHandler {
        private final EventFormat fmt;
        private final PcapOutput pcap;
        private final BpfFilter filter;
        private final long count;
        private final CountDownLatch done;
        private long frame;
        IOException error;
        /** --conversations: packets go to the tracker, the table out at exit and every --interval. */
        io.mirrorgate.protocol.ConversationTracker tracker;
        /** --dedup: mirror copies dropped before anything else sees them. */
        io.mirrorgate.protocol.MirrorDuplicates dedup;
        /** --stats-interval: totals instead of packets. */
        IntervalStats stats;
        /** Called on the delivering thread when --count is reached (Kafka: deliver nothing more). */
        Runnable whenDone = () -> { };
        String tableFormat;
        String sort = "start";
        java.io.OutputStream out;
        private long firstMicros = Long.MIN_VALUE;

        Printer(EventFormat fmt, PcapOutput pcap, BpfFilter filter, long count, CountDownLatch done) {
            this.fmt = fmt;
            this.pcap = pcap;
            this.filter = filter;
            this.count = count;
            this.done = done;
        }

        @Override
        public synchronized void onPacket(PacketView v) {
            if (frame >= count || error != null) {
                return;
            }
            if (filter != null && !filter.matches(v)) {
                return;
            }
            if (dedup != null && dedup.isDuplicate(v)) {
                return;
            }
            frame++;
            try {
                if (stats != null) {
                    stats.add(v);
                } else if (tracker != null && fmt != null) {
                    tracker.add(v);
                    fmt.write(frame, v, io.mirrorgate.protocol.TcpAnalysis.names(tracker.lastAnalysis()));
                } else if (tracker != null) {
                    if (firstMicros == Long.MIN_VALUE) {
                        firstMicros = v.timestampMicros();
                    }
                    tracker.add(v);
                } else if (fmt != null) {
                    fmt.write(frame, v);
                } else {
                    pcap.write(v);
                }
                if (frame == count) {
                    whenDone.run();
                    onReadComplete();
                    done.countDown();
                }
            } catch (IOException e) {
                error = e;
                done.countDown();
            }
        }

        /** The conversation table now (ended ones once, live ones every time). */
        synchronized void printTable() {
            if (tracker == null || error != null) {
                return;
            }
            try {
                java.util.List<io.mirrorgate.protocol.ConversationTracker.Conversation> table = tracker.drain();
                ConversationFormat.sort(table, sort);
                ConversationFormat.write(tableFormat, table, firstMicros == Long.MIN_VALUE ? 0 : firstMicros, out);
                out.flush();
            } catch (IOException e) {
                error = e;
                done.countDown();
            }
        }

        /** Only -w (pcap) and --filter use nothing but the frame: the client then skips the IP decoding. */
        @Override
        public boolean needsIpFields() {
            return fmt != null || tracker != null || dedup != null || stats != null;
        }

        /** The totals of the interval that ends now. */
        synchronized void printStats() {
            if (stats == null || error != null) {
                return;
            }
            try {
                stats.print(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            } catch (IOException e) {
                error = e;
                done.countDown();
            }
        }

        @Override
        public synchronized void onReadComplete() {
            if (fmt == null && pcap == null) {
                return;
            }
            try {
                if (fmt != null) {
                    fmt.flush();
                } else {
                    pcap.flush();
                }
            } catch (IOException e) {
                error = e;
                done.countDown();
            }
        }
    }
}
