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

    /** "00" to "99": two digits per step, in int arithmetic (a profile of read --format tsv found long division here). */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int k = 0; k < 100; k++) {
            PAIRS[2 * k] = (byte) ('0' + k / 10);
            PAIRS[2 * k + 1] = (byte) ('0' + k % 10);
        }
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
        if (v < 100_000_000L) {
            putSmall((int) v);
            return;
        }
        long hi = v / 100_000_000L;
        putDecimal(hi);
        putEightDigits((int) (v - hi * 100_000_000L));
    }

    /** 0 <= v < 100,000,000, without leading zeros. */
    private void putSmall(int v) {
        int digits = v < 10 ? 1 : v < 100 ? 2 : v < 1_000 ? 3 : v < 10_000 ? 4 : v < 100_000 ? 5 : v < 1_000_000 ? 6
                : v < 10_000_000 ? 7 : 8;
        int k = n + digits;
        n = k;
        while (v >= 100) {
            int q = v / 100;
            int r = v - q * 100;
            buf[--k] = PAIRS[2 * r + 1];
            buf[--k] = PAIRS[2 * r];
            v = q;
        }
        if (v >= 10) {
            buf[--k] = PAIRS[2 * v + 1];
            buf[--k] = PAIRS[2 * v];
        } else {
            buf[--k] = (byte) ('0' + v);
        }
    }

    /** 0 <= v < 100,000,000 as exactly eight digits. */
    private void putEightDigits(int v) {
        int k = n + 8;
        n = k;
        for (int pair = 0; pair < 4; pair++) {
            int q = v / 100;
            int r = v - q * 100;
            buf[--k] = PAIRS[2 * r + 1];
            buf[--k] = PAIRS[2 * r];
            v = q;
        }
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
