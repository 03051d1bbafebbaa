package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.time.ZoneId;
import java.util.List;

/** Writes {@link MirrorRecord}s as NCFX records (with a radio header for Wi-Fi), frame not copied. */
@ChannelHandler.Sharable
public class NcfxRecordEncoder extends MessageToMessageEncoder<MirrorRecord> {
    private final ZoneId zone;

    public NcfxRecordEncoder(ZoneId zone) {
        super(MirrorRecord.class);
        this.zone = zone;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MirrorRecord r, List<Object> out) {
        ByteBuf frame = r.content();
        if (r.medium() > NcfxHeader.MAX_MEDIUM) {
            throw new EncoderException("ncfx has no medium " + r.medium());
        }
        if (frame.readableBytes() > NcfxHeader.MAX_RECORD_LENGTH - NcfxHeader.LENGTH - NcfxHeader.RADIO_LENGTH) {
            throw new EncoderException("frame of " + frame.readableBytes() + " bytes does not fit an ncfx record");
        }
        ByteBuf header = ctx.alloc().buffer(NcfxHeader.LENGTH + NcfxHeader.RADIO_LENGTH);
        WifiInfo w = r.wifi();
        NcfxHeader.write(header, frame.readableBytes(), r.timestampMicros(), zone, r.medium(),
                w != null && w.decrypted() ? 1 : 0, r.direction() < 0 ? 0 : r.direction(), w);
        out.add(header);
        out.add(frame.retain());
    }
}
