package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.time.ZoneId;
import java.util.List;

/**
 * Writes {@link MirrorRecord}s as NCF records: a 24-byte header buffer followed by the frame itself
 * (not copied). Times are written as wall-clock time in the encoder's zone, as CommView does.
 */
@ChannelHandler.Sharable
public class NcfRecordEncoder extends MessageToMessageEncoder<MirrorRecord> {
    private final ZoneId zone;

    public NcfRecordEncoder(ZoneId zone) {
        super(MirrorRecord.class);
        this.zone = zone;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MirrorRecord r, List<Object> out) {
        ByteBuf frame = r.content();
        ByteBuf header = ctx.alloc().buffer(NcfHeader.LENGTH);
        try {
            writeHeader(header, r, frame.readableBytes(), zone);
        } catch (RuntimeException e) {
            header.release();
            throw e;
        }
        out.add(header);
        out.add(frame.retain());
    }

    /** Writes the NCF header for a record whose frame has {@code length} bytes. */
    public static void writeHeader(ByteBuf header, MirrorRecord r, int length, ZoneId zone) {
        WifiInfo w = r.wifi();
        if (r.medium() == Medium.WIFI && w != null) {
            int flags = Medium.WIFI | (w.decrypted() ? NcfHeader.FLAG_DECRYPTED : 0) | (w.badFcs() ? NcfHeader.FLAG_BROKEN : 0);
            NcfHeader.write(header, length, r.timestampMicros(), zone, flags, 0, w.signalPercent(),
                    (int) (w.rate100kbps() / 5), w.band(), w.channel(), -w.signalDbm(), -w.noiseDbm());
        } else {
            NcfHeader.write(header, length, r.timestampMicros(), zone, r.medium(), r.direction());
        }
    }
}
