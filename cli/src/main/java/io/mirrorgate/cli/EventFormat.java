package io.mirrorgate.cli;

import io.mirrorgate.protocol.PacketView;
import java.io.IOException;

/** One way of printing decoded events ({@code --format}). */
interface EventFormat {
    /** Called once before the first event. */
    void begin() throws IOException;

    /** Prints one event; {@code frame} counts from 1. */
    default void write(long frame, PacketView v) throws IOException {
        write(frame, v, null);
    }

    /**
     * Prints one event with its TCP analysis flags ({@code --analysis}: comma-separated names,
     * "" for none), or without them ({@code null}).
     */
    void write(long frame, PacketView v, String analysis) throws IOException;

    void flush() throws IOException;
}
