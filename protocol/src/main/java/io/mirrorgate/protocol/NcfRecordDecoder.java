package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;

/**
 * Frames an NCF stream into whole records (24-byte header + data_len bytes), each emitted as a
 * retained slice of the input (zero copy), after checking the header's ranges. A header that fails
 * them throws {@link StreamFormatException} with the stream offset; from then on every byte is
 * discarded, and the channel should be closed.
 *
 * <p>Framing is {@code LengthFieldBasedFrameDecoder(LITTLE_ENDIAN, 24 + 65535, 0, 2, 22, 0)}: the
 * u16 data_len at offset 0 counts the bytes after the header, so 22 more header bytes follow the
 * length field.
 */
public class NcfRecordDecoder extends LengthFieldBasedFrameDecoder {
    private long offset;
    private boolean failed;

    public NcfRecordDecoder() {
        super(ByteOrder.LITTLE_ENDIAN, NcfHeader.MAX_RECORD_LENGTH, 0, 2, NcfHeader.LENGTH - 2, 0, true);
    }

    /** Offset in the stream of the next record's first byte. */
    public long streamOffset() {
        return offset;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        if (in.readableBytes() < NcfHeader.LENGTH) {
            return null;
        }
        try {
            NcfHeader.check(in, in.readerIndex(), offset);
        } catch (StreamFormatException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        ByteBuf frame = (ByteBuf) super.decode(ctx, in);
        if (frame != null) {
            offset += frame.readableBytes();
        }
        return frame;
    }
}
