package io.mirrorgate.cli;

import io.mirrorgate.protocol.CaptureWriter;
import io.mirrorgate.protocol.LinkType;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.PcapWriter;
import io.mirrorgate.protocol.PcapngWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code -w FILE} of {@code read} and {@code watch}. A FILE ending in {@code .pcapng} gets one
 * pcapng for every link type, an interface per (source, link type) named after the source (the
 * agent's address:port for {@code watch}, the input file or its interface for {@code read}) and
 * the NCF direction in {@code epb_flags}. Any other FILE gets one pcap whose link type is the
 * first record's; records of another link type are counted and left out. Compressed NCF records
 * are left out of both. What is left out is said at the end.
 */
final class PcapOutput {
    /** Interfaces a pcapng file describes at most; records of further sources are counted and left out. */
    static final int MAX_INTERFACES = 65_536;

    private record Interface(Object source, int linkType) {
    }

    private final OutputStream out;
    /** A file's channel: records go to the kernel straight from a direct buffer. */
    private final java.nio.channels.WritableByteChannel channel;
    private final String name;
    private final String command;
    private final boolean pcapng;
    private CaptureWriter writer;
    private final Map<Interface, Integer> interfaces = new HashMap<>();
    private Object lastSource;
    private int lastLinkType = -1;
    private int lastInterface;
    private long skippedLinkType;
    private long skippedInterfaces;
    private long skippedCompressed;

    private PcapOutput(OutputStream out, java.nio.channels.WritableByteChannel channel, String name, String command,
                       boolean pcapng) {
        this.out = out;
        this.channel = channel;
        this.name = name;
        this.command = command;
        this.pcapng = pcapng;
    }

    /** -w FILE ('-': {@code stdout}, pcap) for {@code command}. */
    static PcapOutput open(String write, OutputStream stdout, String command) throws IOException {
        if (write.equals("-")) {
            return new PcapOutput(stdout, null, "stdout", command, false);
        }
        return new PcapOutput(null, java.nio.channels.FileChannel.open(java.nio.file.Paths.get(write),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                java.nio.file.StandardOpenOption.WRITE), write, command, PcapngWriter.named(write));
    }

    void write(PacketView v) throws IOException {
        if (v.compressed()) {
            skippedCompressed++;
            return;
        }
        if (pcapng) {
            writePcapng(v);
            return;
        }
        if (writer == null) {
            writer = channel != null ? new PcapWriter(channel, v.linkType()) : new PcapWriter(out, v.linkType());
        } else if (LinkType.forFile(v.linkType()) != ((PcapWriter) writer).linkType()) {
            skippedLinkType++;
            return;
        }
        ((PcapWriter) writer).write(v.timestampMicros(), v.buffer(), v.frameOffset(), v.capturedLength(), v.originalLength());
    }

    private void writePcapng(PacketView v) throws IOException {
        PcapngWriter w = pcapngWriter();
        int linkType = v.linkType();
        Object source = v.source();
        int id;
        if (source == lastSource && linkType == lastLinkType) {
            id = lastInterface;
        } else {
            Interface key = new Interface(source, linkType);
            Integer known = interfaces.get(key);
            if (known == null) {
                if (interfaces.size() >= MAX_INTERFACES) {
                    skippedInterfaces++;
                    return;
                }
                String s = source == null ? name : source.toString();
                known = w.addInterface(linkType, s, "mirrorgate " + command + ": " + s + ", " + LinkType.describe(linkType));
                interfaces.put(key, known);
            }
            id = known;
            lastSource = source;
            lastLinkType = linkType;
            lastInterface = id;
        }
        w.write(id, v.timestampMicros(), v.buffer(), v.frameOffset(), v.capturedLength(), v.originalLength(), v.direction());
    }

    private PcapngWriter pcapngWriter() throws IOException {
        if (writer == null) {
            writer = new PcapngWriter(channel, "mirrorgate " + command);
        }
        return (PcapngWriter) writer;
    }

    void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    void close(PrintStream err) throws IOException {
        if (writer == null && pcapng) {
            pcapngWriter();
        } else if (writer == null) {
            writer = channel != null ? new PcapWriter(channel, LinkType.ETHERNET) : new PcapWriter(out, LinkType.ETHERNET);
        }
        writer.close();
        if (skippedLinkType > 0) {
            err.println("mirrorgate: " + command + ": " + skippedLinkType + " records not written to " + name
                    + ": their link type differs from the first record's (" + ((PcapWriter) writer).linkType()
                    + "); a pcap file holds one link type (a FILE ending in .pcapng takes them all)");
        }
        if (skippedInterfaces > 0) {
            err.println("mirrorgate: " + command + ": " + skippedInterfaces + " records not written to " + name
                    + ": their sources came after the first " + MAX_INTERFACES + " interfaces the file describes");
        }
        if (skippedCompressed > 0) {
            err.println("mirrorgate: " + command + ": " + skippedCompressed + " compressed NCF records not written to "
                    + name + " (the compression is not public)");
        }
    }
}
