package io.mirrorgate.bench;

import io.mirrorgate.protocol.ConversationTracker;
import io.mirrorgate.protocol.IpDecoder;
import io.mirrorgate.protocol.LinkType;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.TcpAnalysis;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The conversation tracker with {@code conversations} TCP conversations live at once: each
 * operation is one data segment of an existing conversation (decoded by the shared decoder, then
 * counted, analysed under the mirror rules, mirror copies looked for), the conversations taken in
 * turn so every lookup misses the CPU caches as a busy collector's would. Packet time advances
 * 1 µs per packet, so no conversation goes idle. {@code -prof gc} shows the allocation per packet
 * (0 B for an existing conversation); the setup prints the heap each conversation costs.
 *
 * <pre>java -jar bench/target/benchmarks.jar ConversationTrackerBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class ConversationTrackerBenchmark {
    @Param({"1000000"})
    int conversations;

    private ConversationTracker tracker;
    private final ByteBuf frame = Unpooled.buffer(128);
    private final PacketView view = new PacketView();
    private long[] seq;
    private int next;
    private long now = 1_000_000_000_000L;
    private short ipId;
    private static final byte[] MACS = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

    /** A 60-byte-payload TCP segment from 10.x.y.z:40000 to 192.0.2.1:443 (x.y.z = the conversation). */
    private void segment(int c, int flags) {
        frame.clear();
        frame.writeBytes(MACS).writeShort(0x0800);
        frame.writeByte(0x45).writeByte(0).writeShort(20 + 20 + 60).writeShort(ipId++).writeShort(0x4000).writeByte(64)
                .writeByte(6).writeShort(0);
        frame.writeInt(0x0A000000 | c).writeInt(0xC0000201);
        frame.writeShort(40000).writeShort(443).writeInt((int) seq[c]).writeInt(1).writeByte(0x50).writeByte(flags)
                .writeShort(65535).writeShort(0).writeShort(0);
        frame.writerIndex(frame.writerIndex() + 60);
        view.startRecord(now++, frame.readableBytes(), frame.readableBytes(), Medium.ETHERNET);
        IpDecoder.decode(frame, 0, frame.readableBytes(), LinkType.ETHERNET, view);
    }

    @Setup
    public void setup() {
        tracker = new ConversationTracker(conversations + 1, TcpAnalysis.Rules.MIRROR);
        seq = new long[conversations];
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int c = 0; c < conversations; c++) {
            seq[c] = 1000;
            segment(c, 0x02); // SYN
            tracker.add(view);
            seq[c] = 1001;
        }
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf("%n%d conversations live: %.0f bytes of heap each%n", tracker.size(),
                (after - before) / (double) conversations);
    }

    @Benchmark
    public int dataSegmentOfAnExistingConversation() {
        int c = next;
        next = c + 1 == conversations ? 0 : c + 1;
        segment(c, 0x18); // PSH ACK, 60 bytes
        seq[c] += 60;
        tracker.add(view);
        return tracker.lastAnalysis();
    }
}
