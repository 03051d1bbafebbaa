package io.mirrorgate.protocol.inject;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * The frames one socket read brought from one connection, copied once into one direct buffer (that
 * copy is the only one: the packet socket sends from it). Filled on an event loop, then handed to
 * the {@link FrameSender}'s thread, which releases it.
 */
public final class FrameBatch {
    private final ByteBuf data;
    private int[] offsets = new int[32];
    private int[] lengths = new int[32];
    private int count;
    /** Whose frames these are (the sender gives it back to its listener). */
    public final Object owner;

    public FrameBatch(ByteBufAllocator alloc, int initialBytes, Object owner) {
        this.data = alloc.directBuffer(initialBytes);
        this.owner = owner;
    }

    /** Copies a frame's readable bytes in (the caller keeps {@code frame}). */
    public void add(ByteBuf frame) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        int len = frame.readableBytes();
        offsets[count] = data.writerIndex();
        lengths[count] = len;
        io.mirrorgate.protocol.ByteBufCopy.append(data, frame, frame.readerIndex(), len);
        count++;
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Bytes of frame data held. */
    public int bytes() {
        return data.writerIndex();
    }

    public int length(int k) {
        return lengths[k];
    }

    int[] offsets() {
        return offsets;
    }

    int[] lengths() {
        return lengths;
    }

    /** Where the frame data starts in native memory (valid until the buffer grows or is released). */
    long address() {
        if (data.hasMemoryAddress()) {
            return data.memoryAddress();
        }
        return Pointer.nativeValue(Native.getDirectBufferPointer(data.internalNioBuffer(0, data.capacity())));
    }

    /** A copy of frame {@code k}, for senders that take arrays. */
    byte[] copy(int k) {
        byte[] b = new byte[lengths[k]];
        data.getBytes(offsets[k], b);
        return b;
    }

    public void release() {
        data.release();
    }
}
