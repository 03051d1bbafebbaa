package io.mirrorgate.client;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.NcfRecords;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.RecordFramer;
import io.mirrorgate.protocol.WallClock;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames a CommView record stream in place (the dialect given, or decided from the first header)
 * and hands each record, decoded with the shared decoder, to a {@link PacketHandler}. A broken
 * stream throws {@link io.mirrorgate.protocol.StreamFormatException}; the caller closes.
 */
final class RecordStreamDecoder extends ByteToMessageDecoder {
    private final PacketHandler handler;
    private final WallClock clock;
    private final PacketView view = new PacketView();
    private final Object source;
    private Dialect dialect;
    private RecordFramer framer;
    private boolean failed;
    private final RecordFramer.Sink sink = this::record;

    RecordStreamDecoder(Dialect dialect, WallClock clock, Object source, PacketHandler handler) {
        this.dialect = dialect;
        this.clock = clock;
        this.source = source;
        this.handler = handler;
        if (dialect != null) {
            framer = new RecordFramer(dialect);
        }
    }

    Dialect dialect() {
        return dialect;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            if (framer == null) {
                framer = RecordFramer.detect(in);
                if (framer == null) {
                    return;
                }
                dialect = framer.dialect();
                ctx.fireUserEventTriggered(dialect);
            }
            if (framer.drain(in, sink) > 0) {
                handler.onReadComplete();
            }
        } catch (io.mirrorgate.protocol.StreamFormatException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void record(ByteBuf buf, int index, int length) {
        if (dialect == Dialect.NCF) {
            NcfRecords.decode(buf, index, clock, view);
        } else {
            NcfRecords.decodeNcfx(buf, index, framer.streamOffset(), clock, view);
        }
        view.setSource(source);
        handler.onPacket(view);
    }
}
