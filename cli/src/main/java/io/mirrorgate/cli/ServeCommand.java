package io.mirrorgate.cli;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.Libpcap;
import io.mirrorgate.server.Collector;
import io.mirrorgate.server.ServeConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import sun.misc.Signal;

/**
 * {@code mirrorgate serve}: the collector. Starts on its embedded defaults (agents on
 * 127.0.0.1:5555, subscribers on 127.0.0.1:5556, no injection, no files), prints what it listens
 * on, a statistics block on SIGUSR1 and at exit, and on SIGTERM/SIGINT stops accepting, drains,
 * closes its files and exits 0.
 */
final class ServeCommand {
    static final String NAME = "serve";

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("mirror-port").hasArg().argName("PORT").desc("port agents (CommView mirror:host:port) connect to (default 5555)").get());
        o.addOption(Option.builder().longOpt("client-port").hasArg().argName("PORT").desc("port SDK subscribers connect to (default 5556)").get());
        o.addOption(Option.builder().longOpt("vxlan-port").hasArg().argName("PORT").desc("also take VXLAN mirrors (AWS Traffic Mirroring, Azure vTAP; usually 4789) on this UDP port: one virtual agent per source address and VNI").get());
        o.addOption(Option.builder().longOpt("geneve-port").hasArg().argName("PORT").desc("also take GENEVE mirrors (AWS Gateway Load Balancer; usually 6081) on this UDP port").get());
        o.addOption(Option.builder().longOpt("tzsp-port").hasArg().argName("PORT").desc("also take TZSP mirrors (MikroTik, Ubiquiti; usually 37008) on this UDP port").get());
        o.addOption(Option.builder().longOpt("pcap-port").hasArg().argName("PORT").desc("also serve PCAP-over-IP on PORT: every client gets a pcap header, then every record live (tshark -i TCP@HOST:PORT, Zeek, Arkime)").get());
        o.addOption(Option.builder().longOpt("pcap-bind").hasArg().argName("ADDRESS").desc("address of the --pcap-port (default: --bind)").get());
        o.addOption(Option.builder().longOpt("pcap-linktype").hasArg().argName("ethernet|802.11|token-ring").desc("the medium PCAP-over-IP clients get; records of the others are counted as skipped (default ethernet)").get());
        o.addOption(Option.builder().longOpt("bind").hasArg().argName("ADDRESS").desc("address to listen on (default 127.0.0.1)").get());
        o.addOption(Option.builder().longOpt("dialect").hasArg().argName("ncf|ncfx|auto").desc("what agents send (default auto: decided from each connection's first header)").get());
        o.addOption(Option.builder().longOpt("client-dialect").hasArg().argName("ncf|ncfx").desc("what subscribers receive and send (default ncf)").get());
        o.addOption(Option.builder().longOpt("timezone").hasArg().argName("ZONE").desc("zone of the agents' wall-clock times (default: this system's zone)").get());
        o.addOption(Option.builder().longOpt("inject-adapter").hasArg().argName("IF").desc("send subscribers' injection frames onto this adapter (default: injection off)").get());
        o.addOption(Option.builder().longOpt("inject-method").hasArg().argName("auto|af-packet|pcap").desc("how frames reach --inject-adapter: an AF_PACKET socket, one sendmmsg per batch, or libpcap's pcap_sendpacket (default auto: AF_PACKET where it opens)").get());
        o.addOption(Option.builder().longOpt("inject-to-agent").desc("send injection frames back to the connected agents instead").get());
        o.addOption(Option.builder().longOpt("mirror-out").hasArg().argName("HOST:PORT").desc("also stream NCF to a classic receiver, like CV.EXE mirror:host:port").get());
        o.addOption(Option.builder().longOpt("mirror-out-retry").hasArg().argName("SEC").desc("seconds between --mirror-out connection attempts (default 15)").get());
        o.addOption(Option.builder("w").longOpt("write").hasArg().argName("FILE").desc("write every record as pcap to FILE ('-' for stdout); pcapng when FILE ends in .pcapng or with --pcapng").get());
        o.addOption(Option.builder().longOpt("pcapng").desc("with -w: one pcapng file for every medium, an interface per agent and medium, with direction flags").get());
        o.addOption(Option.builder("C").longOpt("file-size").hasArg().argName("MB").desc("with -w: start a new file after MB million bytes").get());
        o.addOption(Option.builder("G").longOpt("rotate-seconds").hasArg().argName("SEC").desc("with -w: start a new file every SEC seconds (strftime % conversions in FILE)").get());
        o.addOption(Option.builder("W").longOpt("file-count").hasArg().argName("N").desc("with -C: a ring of N files; with -G: stop after N files").get());
        o.addOption(Option.builder().longOpt("filter").hasArg().argName("BPF").desc("keep only records matching this libpcap filter (fan-out and files)").get());
        o.addOption(Option.builder().longOpt("allow").hasArg().argName("CIDR").desc("only these addresses may connect (repeatable; default: anyone who reaches --bind)").get());
        o.addOption(Option.builder().longOpt("inject-allow").hasArg().argName("CIDR").desc("only these addresses may inject (repeatable; default: loopback only)").get());
        o.addOption(Option.builder().longOpt("max-connections").hasArg().argName("N").desc("agents connected at once (default 1024)").get());
        o.addOption(Option.builder().longOpt("inject-rate").hasArg().argName("PPS").desc("injection frames per second in total (default unlimited); more are discarded and counted").get());
        o.addOption(Option.builder().longOpt("inject-rate-per-connection").hasArg().argName("PPS").desc("injection frames per second per connection (default unlimited)").get());
        o.addOption(Option.builder().longOpt("max-subscribers").hasArg().argName("N").desc("subscribers connected at once (default 64)").get());
        o.addOption(Option.builder().longOpt("max-connections-per-address").hasArg().argName("N").desc("connections from one address at once, per port (default 1024)").get());
        o.addOption(Option.builder().longOpt("analysis").desc("track conversations per agent; export retransmissions, resets, zero windows, mirror duplicates, capture loss on /metrics").get());
        o.addOption(Option.builder().longOpt("dedup").desc("drop mirror copies of a packet (from any agent) before subscribers, files and analysis; counted per agent").get());
        o.addOption(Option.builder().longOpt("conversations-log").hasArg().argName("FILE").desc("append each ended conversation as a Zeek conn.log JSON line (implies --analysis; rotates with -G, reopens on SIGUSR2)").get());
        o.addOption(CommandLines.conversationTimeoutOption());
        o.addOption(Option.builder().longOpt("kafka-bootstrap").hasArg().argName("HOST:PORT[,...]").desc("also publish every record (after --filter and --dedup) to Kafka through these brokers").get());
        o.addOption(Option.builder().longOpt("kafka-topic").hasArg().argName("TOPIC").desc("the Kafka topic (required with --kafka-bootstrap)").get());
        o.addOption(Option.builder().longOpt("kafka-property").hasArg().argName("KEY=VALUE").desc("a Kafka producer setting (repeatable): security.protocol, sasl.*, ssl.*, acks, linger.ms, compression.type, ...").get());
        o.addOption(Option.builder().longOpt("first-record-timeout").hasArg().argName("SEC").desc("close an agent that has not sent a whole record header within SEC seconds (default 30)").get());
        o.addOption(Option.builder().longOpt("backpressure").hasArg().argName("drop|block").desc("a full output: drop and count (default), or stop reading agents until it drains").get());
        o.addOption(Option.builder().longOpt("subscriber-buffer").hasArg().argName("SIZE").desc("bytes queued per subscriber before drop or block, e.g. 8M (default 8M)").get());
        o.addOption(Option.builder().longOpt("stall-timeout").hasArg().argName("SEC").desc("disconnect a subscriber that takes nothing for SEC seconds (default 30 with block, off with drop)").get());
        o.addOption(Option.builder().longOpt("metrics-port").hasArg().argName("PORT").desc("serve Prometheus metrics on http://BIND:PORT/metrics (default: off)").get());
        CommandLines.tlsOptions(o, true);
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE").desc("settings, one 'name = value' per line (flags on the command line win); re-read on SIGHUP").get());
        o.addOption(Option.builder().longOpt("log-format").hasArg().argName("text|json").desc("log lines as text or one JSON object per line (default text)").get());
        o.addOption(Option.builder().longOpt("log-level").hasArg().argName("LEVEL").desc("error, warn, info, debug or trace (default warn)").get());
        o.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        return o;
    }

    static ServeConfig parse(String[] args) throws CliException {
        Options options = options();
        CommandLine cl = CommandLines.parse(NAME, options, CommandLines.withConfig(NAME, options, args), false);
        Logging.configure(NAME, cl.getOptionValue("log-format", "text"), cl.getOptionValue("log-level", "warn"));
        ServeConfig c = new ServeConfig();
        c.mirrorPort = port(cl, "mirror-port", c.mirrorPort);
        c.clientPort = port(cl, "client-port", c.clientPort);
        c.bind = bindAddress(cl.getOptionValue("bind", c.bind));
        c.pcapPort = port(cl, "pcap-port", -1);
        c.vxlanPort = port(cl, "vxlan-port", -1);
        c.genevePort = port(cl, "geneve-port", -1);
        c.tzspPort = port(cl, "tzsp-port", -1);
        if (cl.hasOption("pcap-bind")) {
            c.pcapBind = bindAddress(cl.getOptionValue("pcap-bind"));
        }
        String lt = cl.getOptionValue("pcap-linktype", "ethernet");
        switch (lt) {
            case "ethernet":
                c.pcapMedium = io.mirrorgate.protocol.Medium.ETHERNET;
                break;
            case "802.11":
                c.pcapMedium = io.mirrorgate.protocol.Medium.WIFI;
                break;
            case "token-ring":
                c.pcapMedium = io.mirrorgate.protocol.Medium.TOKEN_RING;
                break;
            default:
                throw CommandLines.usage(NAME, "--pcap-linktype takes ethernet, 802.11 or token-ring, not '" + lt + "'");
        }
        if ((cl.hasOption("pcap-bind") || cl.hasOption("pcap-linktype")) && c.pcapPort < 0) {
            throw CommandLines.usage(NAME, "--pcap-bind and --pcap-linktype need --pcap-port");
        }
        String d = cl.getOptionValue("dialect", "auto");
        c.dialect = d.equals("auto") ? null : dialect(d, "dialect");
        c.clientDialect = dialect(cl.getOptionValue("client-dialect", "ncf"), "client-dialect");
        c.timezone = CommandLines.zone(NAME, cl, "timezone");
        c.injectAdapter = cl.getOptionValue("inject-adapter");
        c.injectToAgent = cl.hasOption("inject-to-agent");
        String im = cl.getOptionValue("inject-method", "auto");
        c.injectMethod = io.mirrorgate.protocol.inject.InjectMethod.parse(im);
        if (c.injectMethod == null) {
            throw CommandLines.usage(NAME, "--inject-method takes auto, af-packet or pcap, not '" + im + "'");
        }
        if (cl.hasOption("inject-method") && c.injectAdapter == null) {
            throw CommandLines.usage(NAME, "--inject-method needs --inject-adapter");
        }
        c.analysis = cl.hasOption("analysis");
        c.dedup = cl.hasOption("dedup");
        c.conversationsLog = cl.getOptionValue("conversations-log");
        c.conversationTimeouts = CommandLines.conversationTimeouts(NAME, cl);
        c.kafkaBootstrap = cl.getOptionValue("kafka-bootstrap");
        c.kafkaTopic = cl.getOptionValue("kafka-topic");
        if ((c.kafkaBootstrap == null) != (c.kafkaTopic == null)) {
            throw CommandLines.usage(NAME, "--kafka-bootstrap and --kafka-topic go together");
        }
        c.kafkaProperties = CommandLines.properties(NAME, cl, "kafka-property");
        if (!c.kafkaProperties.isEmpty() && c.kafkaBootstrap == null) {
            throw CommandLines.usage(NAME, "--kafka-property needs --kafka-bootstrap");
        }
        if (c.injectToAgent && c.injectAdapter != null) {
            throw CommandLines.usage(NAME, "--inject-adapter and --inject-to-agent exclude each other");
        }
        String mo = cl.getOptionValue("mirror-out");
        if (mo != null) {
            int colon = mo.lastIndexOf(':');
            int p = -1;
            try {
                p = colon > 0 ? Integer.parseInt(mo.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw CommandLines.usage(NAME, "--mirror-out '" + mo + "' (expected HOST:PORT)");
            }
            c.mirrorOut = InetSocketAddress.createUnresolved(mo.substring(0, colon).replaceAll("^\\[|\\]$", ""), p);
            c.mirrorOut = new InetSocketAddress(c.mirrorOut.getHostString(), p);
        }
        c.mirrorOutRetrySeconds = (int) CommandLines.positiveLong(NAME, cl, "mirror-out-retry", 15);
        c.writeFile = cl.getOptionValue("write");
        c.rotateMegabytes = CommandLines.positiveLong(NAME, cl, "file-size", 0);
        c.rotateSeconds = CommandLines.positiveLong(NAME, cl, "rotate-seconds", 0);
        c.ringFiles = (int) CommandLines.positiveLong(NAME, cl, "file-count", 0);
        c.pcapng = cl.hasOption("pcapng") || io.mirrorgate.protocol.PcapngWriter.named(c.writeFile);
        if (cl.hasOption("pcapng") && c.writeFile == null) {
            throw CommandLines.usage(NAME, "--pcapng goes with -w FILE");
        }
        if (c.writeFile == null && (c.rotateMegabytes > 0 || c.rotateSeconds > 0 || c.ringFiles > 0)) {
            throw CommandLines.usage(NAME, "-C, -G and -W go with -w FILE");
        }
        if ("-".equals(c.writeFile) && (c.rotateMegabytes > 0 || c.rotateSeconds > 0)) {
            throw CommandLines.usage(NAME, "-w - (stdout) cannot rotate");
        }
        if (c.ringFiles > 0 && c.rotateMegabytes == 0 && c.rotateSeconds == 0) {
            throw CommandLines.usage(NAME, "-W N needs -C or -G");
        }
        c.filter = cl.getOptionValue("filter");
        c.metricsPort = cl.hasOption("metrics-port") ? port(cl, "metrics-port", 0) : -1;
        for (String opt : new String[] {"allow", "inject-allow"}) {
            String[] v = cl.getOptionValues(opt);
            if (v != null) {
                for (String cidr : v) {
                    try {
                        io.mirrorgate.server.ServeConfig.checkCidr(cidr);
                    } catch (IllegalArgumentException e) {
                        throw CommandLines.usage(NAME, "--" + opt + " " + e.getMessage());
                    }
                    (opt.equals("allow") ? c.allow : c.injectAllow).add(cidr);
                }
            }
        }
        c.tlsCert = CommandLines.pem(NAME, cl, "tls-cert");
        c.tlsKey = CommandLines.pem(NAME, cl, "tls-key");
        c.tlsCa = CommandLines.pem(NAME, cl, "tls-ca");
        if ((c.tlsCert == null) != (c.tlsKey == null)) {
            throw CommandLines.usage(NAME, "--tls-cert and --tls-key go together");
        }
        if (c.tlsCa != null && c.tlsCert == null) {
            throw CommandLines.usage(NAME, "--tls-ca needs --tls-cert and --tls-key");
        }
        c.injectRate = CommandLines.positiveLong(NAME, cl, "inject-rate", 0);
        c.injectRatePerConnection = CommandLines.positiveLong(NAME, cl, "inject-rate-per-connection", 0);
        c.maxConnections = (int) Math.min(Integer.MAX_VALUE, CommandLines.positiveLong(NAME, cl, "max-connections", c.maxConnections));
        c.maxSubscribers = (int) Math.min(Integer.MAX_VALUE, CommandLines.positiveLong(NAME, cl, "max-subscribers", c.maxSubscribers));
        c.maxConnectionsPerAddress = (int) Math.min(Integer.MAX_VALUE,
                CommandLines.positiveLong(NAME, cl, "max-connections-per-address", c.maxConnectionsPerAddress));
        c.firstRecordTimeoutSeconds = CommandLines.positiveLong(NAME, cl, "first-record-timeout", c.firstRecordTimeoutSeconds);
        String bp = cl.getOptionValue("backpressure", "drop");
        if (!bp.equals("drop") && !bp.equals("block")) {
            throw CommandLines.usage(NAME, "--backpressure '" + bp + "' (expected drop or block)");
        }
        c.backpressureBlock = bp.equals("block");
        c.stallTimeoutSeconds = cl.hasOption("stall-timeout") ? CommandLines.positiveLong(NAME, cl, "stall-timeout", 0) : -1;
        if (cl.hasOption("subscriber-buffer")) {
            long size = size(cl.getOptionValue("subscriber-buffer"));
            if (size < 64 * 1024 || size > 1L << 30) {
                throw CommandLines.usage(NAME, "--subscriber-buffer '" + cl.getOptionValue("subscriber-buffer")
                        + "' (expected 64K..1G, e.g. 8M)");
            }
            c.subscriberHighWater = (int) size;
        }
        return c;
    }

    /** {@code 8388608}, {@code 512K}, {@code 8M}, {@code 1G} (powers of 1024); -1 when not a size. */
    static long size(String v) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,10})([kKmMgG]?)[iI]?[bB]?").matcher(v.trim());
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2).toUpperCase()) {
            case "K": return n << 10;
            case "M": return n << 20;
            case "G": return n << 30;
            default: return n;
        }
    }

    /**
     * The --bind value: an IPv4 or IPv6 literal, or a host name that resolves; anything else is a
     * usage error naming the value (a dotted quad out of range is not looked up as a name).
     */
    private static String bindAddress(String v) throws CliException {
        if (io.netty.util.NetUtil.isValidIpV4Address(v) || io.netty.util.NetUtil.isValidIpV6Address(v)) {
            return v;
        }
        if (v.matches("[0-9.]+") || v.indexOf(':') >= 0 || v.isEmpty()) {
            throw CommandLines.usage(NAME, "--bind '" + v + "' is not an IPv4 or IPv6 address");
        }
        try {
            java.net.InetAddress.getByName(v);
            return v;
        } catch (java.net.UnknownHostException e) {
            throw CommandLines.usage(NAME, "--bind '" + v + "': no such host");
        }
    }

    private static Dialect dialect(String v, String opt) throws CliException {
        switch (v) {
            case "ncf": return Dialect.NCF;
            case "ncfx": return Dialect.NCFX;
            default: throw CommandLines.usage(NAME, "--" + opt + " '" + v + "' (expected ncf or ncfx" + (opt.equals("dialect") ? " or auto" : "") + ")");
        }
    }

    private static int port(CommandLine cl, String opt, int dflt) throws CliException {
        String v = cl.getOptionValue(opt);
        if (v == null) {
            return dflt;
        }
        try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw CommandLines.usage(NAME, "--" + opt + " '" + v + "' is not a port (0..65535)");
        }
    }

    static int run(String[] args, OutputStream stdout, PrintStream err) throws CliException {
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            CommandLines.printHelp(stdout, NAME, "[options]",
                    "Run the collector: agents (CommView as CV.EXE mirror:host:port, or mirrorgate agent) connect to the mirror "
                            + "port; SDK subscribers connect to the client port and get every record.",
                    options(), "Signals: SIGUSR1 prints statistics; SIGHUP re-reads --config, TLS material and allow lists; SIGUSR2 reopens "
                            + "capture files; SIGTERM/SIGINT drain, print statistics and exit 0.");
            return ExitStatus.OK;
        }
        ServeConfig cfg = parse(args);
        if (cfg.filter != null && Libpcap.unavailableReason() != null) {
            throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": --filter needs libpcap: " + Libpcap.unavailableReason());
        }
        Collector collector = new Collector(cfg, stdout);
        try {
            collector.start();
        } catch (Collector.CannotCreateException e) {
            collector.close();
            throw new CliException(ExitStatus.CANT_CREATE, NAME + ": " + e.getMessage());
        } catch (Collector.CannotListenException e) {
            collector.close();
            throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            collector.close();
            throw CommandLines.usage(NAME, e.getMessage());
        } catch (Exception e) {
            collector.close();
            throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": cannot start: " + rootMessage(e));
        }
        java.util.List<String> banner = new java.util.ArrayList<>();
        banner.add("mirrorgate serve: agents -> " + hostPort(collector.mirrorAddress()) + " (dialect "
                + (cfg.dialect == null ? "auto" : cfg.dialect.name().toLowerCase()) + ", timezone " + cfg.timezone + ")");
        banner.add("mirrorgate serve: subscribers -> " + hostPort(collector.clientAddress()) + " (dialect "
                + cfg.clientDialect.name().toLowerCase() + ")");
        for (io.mirrorgate.protocol.Decapsulation.Kind k : io.mirrorgate.protocol.Decapsulation.Kind.values()) {
            if (collector.udpAddress(k) != null) {
                banner.add("mirrorgate serve: " + k.label + " mirrors -> udp " + hostPort(collector.udpAddress(k))
                        + " (receive buffer " + collector.udpReceiveBuffer(k) + " bytes)");
            }
        }
        if (collector.pcapAddress() != null) {
            banner.add("mirrorgate serve: pcap-over-ip -> " + hostPort(collector.pcapAddress()) + " (linktype "
                    + (cfg.pcapMedium == io.mirrorgate.protocol.Medium.WIFI ? "802.11" : cfg.pcapMedium == io.mirrorgate.protocol.Medium.TOKEN_RING ? "token-ring" : "ethernet") + ")");
        }
        banner.add("mirrorgate serve: injection " + collector.injectionStateForCli());
        if (cfg.tlsCert != null) {
            banner.add("mirrorgate serve: TLS on every port" + (cfg.tlsCa != null ? ", client certificates required" : ""));
        }
        if (collector.metricsAddress() != null) {
            banner.add("mirrorgate serve: metrics -> http://" + hostPort(collector.metricsAddress()) + "/metrics, console -> http://"
                    + hostPort(collector.metricsAddress()) + "/");
        }
        if (cfg.writeFile != null) {
            banner.add("mirrorgate serve: writing " + (cfg.pcapng ? "pcapng" : "pcap") + " to " + cfg.writeFile);
        }
        if (cfg.mirrorOut != null) {
            banner.add("mirrorgate serve: mirror-out -> " + cfg.mirrorOut.getHostString() + ":" + cfg.mirrorOut.getPort());
        }
        if (cfg.backpressureBlock) {
            banner.add("mirrorgate serve: backpressure block (a full output pauses the agents; stall timeout "
                    + collector.stallTimeoutSeconds() + " s)");
        }
        Logging.console(err, banner);
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try {
            Signal.handle(new Signal("USR1"), s -> printStats(collector, err, false));
        } catch (IllegalArgumentException e) {
            // the JVM keeps SIGUSR1 for itself on this platform: statistics at exit only
        }
        Signal.handle(new Signal("HUP"), s -> {
            try {
                collector.reload(parse(args));
            } catch (CliException | IllegalArgumentException e) {
                Logging.console(err, "mirrorgate serve: reload refused, keeping the running settings: " + e.getMessage());
            }
        });
        Signal.handle(new Signal("USR2"), s -> collector.reopenFiles());
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        collector.close();
        printStats(collector, err, true);
        return ExitStatus.OK;
    }

    private static final Object STATS_LOCK = new Object();
    /** The exit block was printed: no block starts after it (the JVM would cut it off). */
    private static boolean statsFinished;

    /**
     * A statistics block, as one unit: two blocks (SIGUSR1 during another, or during exit) never
     * interleave, and none is cut short by the exit.
     */
    static void printStats(Collector c, PrintStream err, boolean atExit) {
        synchronized (STATS_LOCK) {
            if (statsFinished) {
                return;
            }
            java.util.List<String> lines = new java.util.ArrayList<>();
            for (String l : c.statisticsLines()) {
                lines.add("mirrorgate serve: " + l);
            }
            Logging.console(err, lines);
            statsFinished = atExit;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
