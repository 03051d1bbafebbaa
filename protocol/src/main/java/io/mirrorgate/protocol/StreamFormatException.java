package io.mirrorgate.protocol;

import io.netty.handler.codec.DecoderException;

/**
 * A broken stream or file: a record header that fails the ranges of the format, or a length that
 * cannot be true. The message says what was found and what was expected, and names the byte offset
 * of the record in the stream or file ({@code "ncf month 13 at offset 4710 (expected 1..12)"}).
 *
 * <p>This is the only exception the codecs throw on wire bytes. A broken <em>packet</em> inside a
 * well-framed record never throws: it becomes an event with {@code malformed} set.
 */
public class StreamFormatException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public StreamFormatException(String message, long offset) {
        super(message);
        this.offset = offset;
    }

    /** Byte offset, from the start of the stream or file, of the record that failed. */
    public long offset() {
        return offset;
    }
}
