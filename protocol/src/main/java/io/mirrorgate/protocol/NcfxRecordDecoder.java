package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;

/**
 * Frames an NCFX stream into whole records (data_len u32 counts the whole record), each a retained
 * slice of the input, after checking the record header and, for Wi-Fi, the radio header. A broken
 * header throws {@link StreamFormatException} with the stream offset and every later byte is
 * discarded.
 *
 * <p>Framing is {@code LengthFieldBasedFrameDecoder(LITTLE_ENDIAN, MAX_RECORD_LENGTH, 0, 4, -4, 0)}.
 */
public class NcfxRecordDecoder extends LengthFieldBasedFrameDecoder {
    private long offset;
    private boolean failed;

    public NcfxRecordDecoder() {
        super(ByteOrder.LITTLE_ENDIAN, NcfxHeader.MAX_RECORD_LENGTH, 0, 4, -4, 0, true);
    }

    public long streamOffset() {
        return offset;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        if (in.readableBytes() < NcfxHeader.LENGTH) {
            return null;
        }
        try {
            NcfxHeader.check(in, in.readerIndex(), offset);
        } catch (StreamFormatException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        ByteBuf frame = (ByteBuf) super.decode(ctx, in);
        if (frame == null) {
            return null;
        }
        try {
            NcfxHeader.checkRadio(frame, frame.readerIndex(), offset);
        } catch (StreamFormatException e) {
            frame.release();
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        offset += frame.readableBytes();
        return frame;
    }
}
