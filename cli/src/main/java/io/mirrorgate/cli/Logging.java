package io.mirrorgate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format text|json} and {@code --log-level}: logback, set up in code, on stderr.
 * What a command says to its user on stderr (serve's addresses, statistics blocks, errors) goes
 * through {@link #console}: plain lines with text, log events (logger {@code mirrorgate}, always
 * at INFO whatever {@code --log-level}) with json, so that every stderr line is one JSON object.
 * Third-party libraries (pcap4j) log at WARN and above only, unless debug or trace is asked for.
 */
final class Logging {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} [%level] %logger{0} - %msg%n";
    /** The logger of what commands say to their user. */
    private static final String CONSOLE = "mirrorgate";
    private static volatile boolean json;
    private static final Object LOCK = new Object();

    private Logging() {
    }

    static void configure(String command, String format, String level) throws CliException {
        if (!format.equals("text") && !format.equals("json")) {
            throw CommandLines.usage(command, "--log-format '" + format + "' (expected text or json)");
        }
        Level lvl = Level.toLevel(level, null);
        if (lvl == null || !level.equalsIgnoreCase(lvl.toString())) {
            throw CommandLines.usage(command, "--log-level '" + level + "' (expected error, warn, info, debug or trace)");
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return; // another backend (an embedding application's): leave it alone
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        install(ctx, format.equals("json"), lvl);
    }

    /**
     * One appender on stderr (text or JSON lines) at {@code lvl}; the {@code mirrorgate} console
     * logger always at INFO; pcap4j and the Kafka client only at WARN and ERROR unless debug or
     * trace is asked for. Also the default of every command before any option is read
     * ({@link LogbackDefaults}): set up in code, no XML to parse at start-up.
     */
    static void install(LoggerContext ctx, boolean asJson, Level lvl) {
        Encoder<ILoggingEvent> enc;
        if (asJson) {
            JsonEncoder j = new JsonEncoder();
            j.setWithSequenceNumber(false);
            j.setWithNanoseconds(false);
            j.setWithContext(false);
            j.setWithFormattedMessage(true);
            j.setWithMessage(false);
            j.setWithArguments(false);
            enc = j;
        } else {
            PatternLayoutEncoder p = new PatternLayoutEncoder();
            p.setPattern(PATTERN);
            enc = p;
        }
        enc.setContext(ctx);
        enc.start();
        ConsoleAppender<ILoggingEvent> app = new ConsoleAppender<>();
        app.setContext(ctx);
        app.setTarget("System.err");
        app.setEncoder(enc);
        app.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(lvl);
        root.addAppender(app);
        ctx.getLogger(CONSOLE).setLevel(Level.INFO);
        if (lvl.isGreaterOrEqual(Level.INFO)) {
            ctx.getLogger("org.pcap4j").setLevel(Level.WARN); // its INFO chatter is not ours to show
            // the Kafka client logs every retry of every partition at WARN and its settings at INFO;
            // the collector counts failures and logs each cause once
            ctx.getLogger("org.apache.kafka").setLevel(Level.ERROR);
        }
        json = asJson;
    }

    /** Lines a command says to its user, kept together (two statistics blocks never interleave). */
    static void console(java.io.PrintStream err, java.util.List<String> lines) {
        synchronized (LOCK) {
            if (json) {
                org.slf4j.Logger log = LoggerFactory.getLogger(CONSOLE);
                lines.forEach(log::info);
            } else {
                lines.forEach(err::println);
                err.flush();
            }
        }
    }

    static void console(java.io.PrintStream err, String line) {
        console(err, java.util.List.of(line));
    }
}
