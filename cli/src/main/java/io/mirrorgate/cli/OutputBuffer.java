package io.mirrorgate.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A byte buffer in front of an output stream for line formats: decimal and hex numbers and
 * ASCII text are written straight into bytes, with no String or formatter per field.
 */
final class OutputBuffer {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int SIZE = 1 << 16;

    private final OutputStream out;
    final byte[] buf = new byte[SIZE];
    int n;

    OutputBuffer(OutputStream out) {
        this.out = out;
    }

    /** Makes room for {@code bytes} more bytes (at most a few hundred: one line). */
    void ensure(int bytes) throws IOException {
        if (n + bytes > buf.length) {
            out.write(buf, 0, n);
            n = 0;
        }
    }

    void put(char c) {
        buf[n++] = (byte) c;
    }

    void put(String ascii) {
        for (int k = 0; k < ascii.length(); k++) {
            buf[n++] = (byte) ascii.charAt(k);
        }
    }

    /** Writes a String that may be longer than a line's reserve, flushing as needed. */
    void putLong(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ensure(b.length);
        if (b.length > buf.length) {
            out.write(b);
            return;
        }
        System.arraycopy(b, 0, buf, n, b.length);
        n += b.length;
    }

    void putDecimal(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                put(Long.toString(v));
                return;
            }
            buf[n++] = '-';
            v = -v;
        }
        if (v < 10) {
            buf[n++] = (byte) ('0' + v);
            return;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) {
            digits++;
        }
        int end = n + digits;
        for (int k = end - 1; k >= n; k--) {
            buf[k] = (byte) ('0' + v % 10);
            v /= 10;
        }
        n = end;
    }

    /** {@code 0x} and exactly {@code digits} lowercase hex digits. */
    void putHex(long v, int digits) {
        buf[n++] = '0';
        buf[n++] = 'x';
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            buf[n++] = HEX[(int) ((v >>> shift) & 0xF)];
        }
    }

    void flush() throws IOException {
        out.write(buf, 0, n);
        n = 0;
        out.flush();
    }
}
