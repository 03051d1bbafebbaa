package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.Medium;
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
    /** What the source is when it is a virtual agent of a UDP mirror input, else null (a CommView agent's connection). */
    final String description;

    RecordRun(ByteBuf records, Dialect dialect, int count, long[] timestamps, String source, String description) {
        this.records = records;
        this.dialect = dialect;
        this.count = count;
        this.timestamps = timestamps;
        this.source = source;
        this.description = description;
    }

    /**
     * The length on the wire of the frame of {@code caplen} bytes at {@code frame}: a virtual
     * agent's mirror may have cut it (AWS PacketLength), and then its IP header tells; a CommView
     * agent's frame counts as its captured length (SPEC).
     */
    int wireLength(int frame, int caplen, int medium) {
        return description == null ? caplen : io.mirrorgate.protocol.WireLength.of(records, frame, caplen, Medium.linkType(medium));
    }
}
