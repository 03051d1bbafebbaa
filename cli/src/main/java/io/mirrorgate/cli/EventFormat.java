package io.mirrorgate.cli;

import io.mirrorgate.protocol.PacketView;
import java.io.IOException;

/** One way of printing decoded events ({@code --format}). */
interface EventFormat {
    /** Called once before the first event. */
    void begin() throws IOException;

    /** Prints one event; {@code frame} counts from 1. */
    void write(long frame, PacketView v) throws IOException;

    void flush() throws IOException;
}
