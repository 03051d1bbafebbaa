package io.mirrorgate.client;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.NcfRecords;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.RecordStreamDecoderBase;
import io.mirrorgate.protocol.WallClock;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Decodes each record of a CommView stream with the shared decoder and hands it to a
 * {@link PacketHandler}; a decided dialect goes down the pipeline as a user event.
 */
final class RecordStreamDecoder extends RecordStreamDecoderBase {
    private final PacketHandler handler;
    private final WallClock clock;
    private final PacketView view = new PacketView();
    private final Object source;
    private boolean delivered;

    RecordStreamDecoder(Dialect dialect, WallClock clock, Object source, PacketHandler handler) {
        super(dialect);
        this.clock = clock;
        this.source = source;
        this.handler = handler;
        view.setFrameOnly(!handler.needsIpFields());
    }

    @Override
    protected void dialectDecided(ChannelHandlerContext ctx, Dialect dialect) {
        ctx.fireUserEventTriggered(dialect);
    }

    @Override
    protected void record(ByteBuf buf, int index, int length) {
        framer().dialect().decode(buf, index, framer().streamOffset(), clock, view);
        view.setSource(source);
        handler.onPacket(view);
        delivered = true;
    }

    @Override
    protected void afterRead() {
        if (delivered) {
            delivered = false;
            handler.onReadComplete();
        }
    }
}
