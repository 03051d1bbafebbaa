package io.mirrorgate.bench;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.RecordDirection;
import io.mirrorgate.protocol.IpDecoder;
import io.mirrorgate.protocol.LinkType;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.NcfRecords;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.RecordFramer;
import io.mirrorgate.protocol.RecordStreamDecoderBase;
import io.mirrorgate.protocol.WallClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * NCF framing plus the shared IP decoder on one core, over a pooled direct buffer as a collector's
 * channel sees it. {@code framingInPlaceAndIpDecode} is the server's path ({@link RecordFramer}:
 * header checks, decode in place, no object per record; the SDK frames the same way).
 * Throughput is per record ({@code @OperationsPerInvocation}). (A Netty decoder that emitted a
 * slice per record was measured here until issue 10 removed it: nothing shipped used it.)
 *
 * <pre>java -jar bench/target/benchmarks.jar NcfDecodeBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NcfDecodeBenchmark {
    static final int RECORDS = 4096;

    /** Ethernet frame size: 64 (minimum) or 1500 (full MTU) bytes. */
    @Param({"64", "1500"})
    int frameSize;

    /** UTC takes the fixed-offset path; a DST zone takes the cached-period path. */
    @Param({"UTC", "Europe/Berlin"})
    String zone;

    private ByteBuf stream;
    private final PacketView view = new PacketView();
    private WallClock clock;

    @Setup(Level.Trial)
    public void setup() {
        clock = new WallClock(ZoneId.of(zone));
        stream = PooledByteBufAllocator.DEFAULT.directBuffer(RECORDS * (NcfHeader.LENGTH + frameSize));
        byte[] frame = Frames.ipv4Tcp(frameSize);
        long t = 1_700_000_000_000_000L;
        for (int k = 0; k < RECORDS; k++) {
            NcfHeader.write(stream, frame.length, t + k * 13L, ZoneId.of(zone), Medium.ETHERNET, RecordDirection.INBOUND);
            stream.writeBytes(frame);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        stream.release();
    }

    private long acc;
    private final RecordFramer inPlace = new RecordFramer(Dialect.NCF);
    private final RecordFramer.Sink sink = (buf, index, length) -> {
        NcfRecords.decode(buf, index, clock, view);
        acc += view.sourcePort() + view.ipProtocol() + view.timestampMicros();
    };

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long framingInPlaceAndIpDecode() {
        stream.readerIndex(0);
        acc = 0;
        inPlace.drain(stream, sink);
        return acc;
    }

    /** The collector's and the SDK's channel path: {@link RecordStreamDecoderBase} over reads. */
    private static final class StreamDecoder extends RecordStreamDecoderBase {
        private final RecordFramer.Sink sink;

        StreamDecoder(RecordFramer.Sink sink) {
            super(Dialect.NCF);
            this.sink = sink;
        }

        @Override
        protected void record(ByteBuf buf, int index, int length) {
            sink.record(buf, index, length);
        }
    }

    /** Socket reads of this size (Netty's largest by default is 64 KiB): they cut records. */
    static final int READ = 65_000;
    private EmbeddedChannel channel;

    @Setup(Level.Trial)
    public void channel() {
        channel = new EmbeddedChannel(new StreamDecoder(sink));
    }

    /**
     * {@code framingInPlaceAndIpDecode} through the channel handler as it runs in {@code serve}
     * and {@code watch}: the stream arrives in reads of 65,000 bytes, which cut records; each cut
     * record is completed apart, the rest is framed in the read buffer. Per record.
     */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long channelReadsCuttingRecords() {
        acc = 0;
        int end = stream.writerIndex();
        io.netty.channel.ChannelPipeline p = channel.pipeline();
        for (int off = 0; off < end; off += READ) {
            p.fireChannelRead(stream.retainedSlice(off, Math.min(READ, end - off)));
            p.fireChannelReadComplete();
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long ipDecodeOnly() {
        long acc = 0;
        int stride = NcfHeader.LENGTH + frameSize;
        for (int k = 0, off = NcfHeader.LENGTH; k < RECORDS; k++, off += stride) {
            view.startRecord(0, frameSize, frameSize, Medium.ETHERNET);
            IpDecoder.decode(stream, off, frameSize, LinkType.ETHERNET, view);
            acc += view.destinationPort();
        }
        return acc;
    }
}
