package io.mirrorgate.protocol;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;

/**
 * How the collector and the SDK read record streams from their sockets, in one place.
 *
 * <p>Reads of 2 KiB to 256 KiB, sized to what the last reads brought (Netty's default stops at
 * 64 KiB): a fast peer is read in fewer, larger reads, and each read's fixed cost (the system call,
 * the pipeline, one run per subscriber) is paid less often.
 *
 * <p>Buffers come from Netty's pooled allocator. Netty 4.2's default, the adaptive allocator,
 * pools buffers up to 64 KiB only. Every larger read buffer was allocated anew, and the JDK
 * zero-fills new direct memory: perf showed 7–8 % of the collector's and of {@code watch}'s CPU
 * in {@code Copy::fill_to_memory_atomic} at 1514-byte records (docs/BENCHMARKS.md).
 */
public final class SocketReads {
    /** The allocator of every connection that carries records. */
    public static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private SocketReads() {
    }

    /** A receive-buffer sizer for one channel's reads (it keeps per-channel state through its handles). */
    public static AdaptiveRecvByteBufAllocator reads() {
        return new AdaptiveRecvByteBufAllocator(2048, 16 << 10, 256 << 10);
    }
}
