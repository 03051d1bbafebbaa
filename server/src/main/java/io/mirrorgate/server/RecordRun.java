package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.netty.buffer.ByteBuf;

/**
 * A contiguous run of whole records from one agent, as received (zero copy: a retained slice of
 * the agent's input), handed to the fan-out, the capture writer and mirror-out. The run's owner
 * releases {@link #records}; each consumer retains what it keeps.
 */
final class RecordRun {
    final ByteBuf records;
    final Dialect dialect;
    final int count;
    /** Epoch µs of each record, decoded once by the agent handler (for the capture writer). */
    final long[] timestamps;
    /** The source's name ({@code address:port}; a virtual agent's address, encapsulation and VNI). */
    final String source;
    /** What the source is when it is not a CommView agent's connection (a virtual agent), else null. */
    final String description;

    RecordRun(ByteBuf records, Dialect dialect, int count, long[] timestamps, String source, String description) {
        this.records = records;
        this.dialect = dialect;
        this.count = count;
        this.timestamps = timestamps;
        this.source = source;
        this.description = description;
    }
}
