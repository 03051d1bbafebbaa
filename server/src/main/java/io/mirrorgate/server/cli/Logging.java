package io.mirrorgate.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/** {@code --log-format text|json} and {@code --log-level}: logback, set up in code, on stderr. */
final class Logging {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} [%level] %logger{0} - %msg%n";

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
        Encoder<ILoggingEvent> enc;
        if (format.equals("json")) {
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
    }
}
