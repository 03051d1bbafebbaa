package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Copies bytes between buffers without garbage: one memory copy between native addresses where
 * both buffers have them. Netty 4.2's adaptive allocator's buffers otherwise make a
 * {@code ByteBuffer} view of the source for every {@code writeBytes(ByteBuf, ...)}.
 */
public final class ByteBufCopy {
    private ByteBufCopy() {
    }

    /** Writes {@code n} bytes of {@code src} from {@code srcIndex} to the end of {@code dst}; indexes of {@code src} unchanged. */
    public static void append(ByteBuf dst, ByteBuf src, int srcIndex, int n) {
        dst.ensureWritable(n);
        if (dst.hasMemoryAddress() && src.hasMemoryAddress()) {
            PlatformDependent.copyMemory(src.memoryAddress() + srcIndex, dst.memoryAddress() + dst.writerIndex(), n);
            dst.writerIndex(dst.writerIndex() + n);
        } else {
            dst.writeBytes(src, srcIndex, n);
        }
    }
}
