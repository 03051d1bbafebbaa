package io.mirrorgate.cli;

import io.mirrorgate.protocol.LinkType;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.PcapWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * {@code -w FILE} of {@code read} and {@code watch}: one pcap whose link type is the first
 * record's; records of another link type, and compressed NCF records, are counted and left out,
 * and said so at the end.
 */
final class PcapOutput {
    private final OutputStream out;
    /** A file's channel: records go to the kernel straight from a direct buffer. */
    private final java.nio.channels.WritableByteChannel channel;
    private final String name;
    private PcapWriter pcap;
    private long skippedLinkType;
    private long skippedCompressed;

    PcapOutput(OutputStream out, String name) {
        this.out = out;
        this.channel = null;
        this.name = name;
    }

    PcapOutput(java.nio.channels.WritableByteChannel channel, String name) {
        this.out = null;
        this.channel = channel;
        this.name = name;
    }

    /** -w FILE ('-': {@code stdout}). */
    static PcapOutput open(String write, OutputStream stdout) throws IOException {
        if (write.equals("-")) {
            return new PcapOutput(stdout, "stdout");
        }
        return new PcapOutput(java.nio.channels.FileChannel.open(java.nio.file.Paths.get(write),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                java.nio.file.StandardOpenOption.WRITE), write);
    }

    void write(PacketView v) throws IOException {
        if (v.compressed()) {
            skippedCompressed++;
            return;
        }
        if (pcap == null) {
            pcap = channel != null ? new PcapWriter(channel, v.linkType()) : new PcapWriter(out, v.linkType());
        } else if (LinkType.forFile(v.linkType()) != pcap.linkType()) {
            skippedLinkType++;
            return;
        }
        pcap.write(v.timestampMicros(), v.buffer(), v.frameOffset(), v.capturedLength(), v.originalLength());
    }

    void flush() throws IOException {
        if (pcap != null) {
            pcap.flush();
        }
    }

    void close(String command, PrintStream err) throws IOException {
        if (pcap == null) {
            pcap = channel != null ? new PcapWriter(channel, LinkType.ETHERNET) : new PcapWriter(out, LinkType.ETHERNET);
        }
        pcap.close();
        if (skippedLinkType > 0) {
            err.println("mirrorgate: " + command + ": " + skippedLinkType + " records not written to " + name
                    + ": their link type differs from the first record's (" + pcap.linkType()
                    + "); a pcap file holds one link type");
        }
        if (skippedCompressed > 0) {
            err.println("mirrorgate: " + command + ": " + skippedCompressed + " compressed NCF records not written to "
                    + name + " (the compression is not public)");
        }
    }
}
