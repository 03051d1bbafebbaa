package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.PcapWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * {@code serve --pcap-port}: PCAP-over-IP, as {@code tshark -i TCP@HOST:PORT}, Zeek and Arkime read
 * it. A client gets a classic pcap global header (microseconds, little-endian, snap length
 * {@link PcapWriter#SNAPLEN}, the link type of its medium), then every record of that medium as a
 * pcap record, live. Records of another medium, and compressed ones, are counted as
 * {@code skipped} for that client. The client is a subscriber in all else: same bounded queue,
 * drop counters, {@code --backpressure} policy, stall timeout, TLS and {@code --allow}.
 */
final class PcapOverIp {
    private static final long MAX_SECONDS = 0xFFFF_FFFFL;

    private PcapOverIp() {
    }

    /** The 24-byte pcap global header for a medium's link type. */
    static ByteBuf globalHeader(ByteBufAllocator alloc, int medium) {
        ByteBuf b = alloc.buffer(24);
        b.writeIntLE(0xa1b2c3d4);
        b.writeShortLE(2);
        b.writeShortLE(4);
        b.writeIntLE(0);
        b.writeIntLE(0);
        b.writeIntLE(PcapWriter.SNAPLEN);
        b.writeIntLE(Medium.linkType(medium));
        return b;
    }

    /** Converts a run to pcap records of the client's medium and writes them (called on the agent's event loop). */
    static void send(RecordRun run, Subscriber s) {
        ByteBuf in = run.records;
        Dialect d = run.dialect;
        ByteBuf out = s.channel.alloc().buffer(in.readableBytes());
        int sent = 0;
        int skipped = 0;
        int i = in.readerIndex();
        int end = in.writerIndex();
        for (int k = 0; k < run.count && i < end; k++) {
            int len = d.recordLength(in, i);
            int frame = d.frameOffset(in, i);
            int frameLen = i + len - frame;
            if (d.compressed(in, i) || d.medium(in, i) != s.pcapMedium) {
                skipped++;
                i += len;
                continue;
            }
            long micros = run.timestamps[k];
            int caplen = Math.min(frameLen, PcapWriter.SNAPLEN);
            out.writeIntLE((int) Math.max(0, Math.min(MAX_SECONDS, Math.floorDiv(micros, 1_000_000L))));
            out.writeIntLE((int) Math.floorMod(micros, 1_000_000L));
            out.writeIntLE(caplen);
            out.writeIntLE(run.wireLength(frame, frameLen, s.pcapMedium));
            io.mirrorgate.protocol.ByteBufCopy.append(out, in, frame, caplen);
            sent++;
            i += len;
        }
        s.stats.sent.addAndGet(sent);
        if (skipped > 0) {
            s.stats.skipped.addAndGet(skipped);
        }
        if (out.isReadable()) {
            s.channel.writeAndFlush(out, s.channel.voidPromise());
        } else {
            out.release();
        }
    }
}
