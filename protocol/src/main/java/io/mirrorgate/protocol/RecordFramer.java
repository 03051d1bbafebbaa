package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Frames NCF or NCFX records in place: hands each complete record to a {@link Sink} as (buffer,
 * index, length) and consumes it, after checking its header's ranges ({@link NcfHeader#check},
 * {@link NcfxHeader#check}), without a slice object per record. It is the one framer of record
 * streams: the collector's agents and the SDK's client and receiver use it through
 * {@link RecordStreamDecoderBase}; the file readers through {@link RecordFileReader}. Decode in
 * place, and forward contiguous runs of records as one slice.
 *
 * <p>Not thread-safe; one per stream. After a {@link StreamFormatException} the stream is broken.
 */
public final class RecordFramer {
    /** Receives each complete, checked record; must not keep the buffer past the call. */
    @FunctionalInterface
    public interface Sink {
        void record(ByteBuf buf, int index, int length);
    }

    private final Dialect dialect;
    private long offset;

    public RecordFramer(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * A framer for the dialect of the stream's first header, or null while fewer than
     * {@link Dialect#DETECT_LENGTH} bytes are readable. Decided once; never guessed again.
     *
     * @throws StreamFormatException when the first header is neither NCF nor NCFX
     */
    public static RecordFramer detect(ByteBuf in) {
        int n = in.readableBytes();
        if (n < Dialect.DETECT_LENGTH) {
            return null;
        }
        Dialect d = Dialect.detect(in, in.readerIndex(), n);
        if (d == null) {
            throw new StreamFormatException("neither NCF nor NCFX at offset 0 (as NCF: "
                    + Dialect.whyNotNcf(in, in.readerIndex(), n) + ")", 0);
        }
        return new RecordFramer(d);
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Stream offset of the next record. */
    public long streamOffset() {
        return offset;
    }

    /**
     * How many bytes the first record readable in {@code in} has in all: its header's length while
     * the header is incomplete, else the record's length from its checked header.
     *
     * @throws StreamFormatException when the header fails its checks
     */
    public int firstRecordLength(ByteBuf in) {
        boolean ncf = dialect == Dialect.NCF;
        int header = ncf ? NcfHeader.LENGTH : NcfxHeader.LENGTH;
        int r = in.readerIndex();
        if (in.writerIndex() - r < header) {
            return header;
        }
        return ncf ? NcfHeader.check(in, r, offset) : NcfxHeader.check(in, r, offset);
    }

    /**
     * Hands every complete record readable in {@code in} to {@code sink}, consuming them; leaves a
     * partial record unread. Returns how many records were handed over.
     *
     * @throws StreamFormatException when a header fails its checks (nothing of it is consumed)
     */
    public int drain(ByteBuf in, Sink sink) {
        return drain(in, sink, null);
    }

    /**
     * As {@link #drain(ByteBuf, Sink)}, but stops before the next record while {@code hold} says
     * so: the rest stays unread in {@code in} for a later call (the collector's backpressure).
     */
    public int drain(ByteBuf in, Sink sink, java.util.function.BooleanSupplier hold) {
        int n = 0;
        boolean ncf = dialect == Dialect.NCF;
        int header = ncf ? NcfHeader.LENGTH : NcfxHeader.LENGTH;
        while (true) {
            int r = in.readerIndex();
            int avail = in.writerIndex() - r;
            if (avail < header || hold != null && hold.getAsBoolean()) {
                return n;
            }
            int len = ncf ? NcfHeader.check(in, r, offset) : NcfxHeader.check(in, r, offset);
            if (avail < len) {
                return n;
            }
            if (!ncf) {
                NcfxHeader.checkRadio(in, r, offset);
            }
            sink.record(in, r, len);
            in.readerIndex(r + len);
            offset += len;
            n++;
        }
    }
}
