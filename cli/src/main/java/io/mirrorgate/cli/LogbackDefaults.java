package io.mirrorgate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The executable's logging before any option is read: warnings and errors, one line each, on
 * stderr ({@link Logging#install}). Found by logback through {@code META-INF/services}; configured
 * in code, so that no XML is parsed at start-up (a third of the classes a short {@code read}
 * loaded were logback's XML configuration and its parser).
 */
public final class LogbackDefaults extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        Logging.install(ctx, false, Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
