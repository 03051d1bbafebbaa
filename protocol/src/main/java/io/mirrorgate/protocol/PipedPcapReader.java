package io.mirrorgate.protocol;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * pcap or pcapng from a stream (standard input, a pipe): libpcap reads only what it can open by
 * name, so the stream goes through a named pipe (FIFO) in a private temporary folder, fed by a
 * daemon thread with the bytes taken to recognise the format and then the rest of the stream.
 * Nothing is stored: a capture of any length flows through. The FIFO and its folder are removed
 * on {@link #close}.
 */
final class PipedPcapReader implements CaptureReader {
    /** mkfifo(3) from the C library. */
    private interface LibC extends Library {
        int mkfifo(String path, int mode);
    }

    private static final int FIFO_MODE = 0600;

    private final Path dir;
    private final Path fifo;
    private final PcapFileReader pcap;
    private final String name;

    PipedPcapReader(ReadableByteChannel in, String name, byte[] head, int n, CaptureFormat format) throws IOException {
        Libpcap.require();
        this.name = name;
        this.dir = Files.createTempDirectory("mirrorgate-read-");
        this.fifo = dir.resolve("input");
        int rc = Native.load("c", LibC.class).mkfifo(fifo.toString(), FIFO_MODE);
        if (rc != 0) {
            Files.deleteIfExists(dir);
            throw new IOException("cannot make a pipe for libpcap in " + dir + " (errno " + Native.getLastError() + ")");
        }
        Thread copier = new Thread(() -> copy(in, head, n), "mirrorgate-read-pipe");
        copier.setDaemon(true);
        copier.start();
        try {
            this.pcap = new PcapFileReader(fifo, format);
        } catch (IOException | RuntimeException e) {
            cleanUp();
            throw e;
        }
    }

    /** Head, then the stream, into the FIFO; ends quietly when libpcap stops reading (EPIPE). */
    private void copy(ReadableByteChannel in, byte[] head, int n) {
        try (OutputStream out = Files.newOutputStream(fifo)) {
            out.write(head, 0, n);
            ByteBuffer b = ByteBuffer.allocate(1 << 16);
            while (in.read(b) >= 0) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
        } catch (IOException e) {
            // the reader closed the pipe (count reached, damaged input): nothing more is wanted
        }
    }

    private void cleanUp() {
        try {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind in the system's temp directory
        }
    }

    @Override
    public boolean next(PacketView v) throws IOException {
        boolean more = pcap.next(v);
        v.source = name;
        return more;
    }

    @Override
    public CaptureFormat format() {
        return pcap.format();
    }

    @Override
    public long position() {
        return pcap.position();
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public long recordOffset() {
        return pcap.recordOffset();
    }

    @Override
    public void close() throws IOException {
        try {
            pcap.close();
        } finally {
            cleanUp();
        }
    }
}
