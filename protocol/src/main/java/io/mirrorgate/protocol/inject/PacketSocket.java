package io.mirrorgate.protocol.inject;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Linux {@code AF_PACKET}/{@code SOCK_RAW} socket bound to one interface, sending batches with
 * {@code sendmmsg(2)}: the frames of a batch go to the kernel in one system call, each straight from
 * the native memory it was copied into (no copy in Java, none in JNA). Opened with protocol 0, so
 * the socket receives nothing. Thread-confined: one sender thread uses it.
 *
 * <p>This is the path libpcap's {@code pcap_sendpacket} takes on Linux ({@code send(2)} on a packet
 * socket), one system call per batch instead of one per frame.
 */
public final class PacketSocket implements AutoCloseable {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** Linux's UIO_MAXIOV: the most messages one sendmmsg takes. */
    public static final int MAX_BATCH = 1024;
    private static final int MMSGHDR = 64;
    private static final int IOVEC = 16;
    private static final String UNAVAILABLE = unavailable();

    private final int fd;
    private final Memory msgs;
    private final Memory iovs;
    private final ByteBuffer iov;
    private boolean closed;

    private static String unavailable() {
        if (!Platform.isLinux()) {
            return "AF_PACKET needs Linux";
        }
        if (Native.POINTER_SIZE != 8) {
            return "AF_PACKET sendmmsg is wired for 64-bit Linux only";
        }
        try {
            Native.register(PacketSocket.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return null;
        } catch (Throwable e) {
            return "libc sendmmsg not available: " + e.getMessage();
        }
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, long addr, int len) throws LastErrorException;

    private static native int sendmmsg(int fd, long msgvec, int vlen, int flags) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native int if_nametoindex(String name);

    /** The interface does not exist (now): frames fail until it appears. */
    public static final class NoSuchInterface extends IOException {
        private static final long serialVersionUID = 1L;

        NoSuchInterface(String ifname) {
            super(ifname + ": no such interface");
        }
    }

    private static native String strerror(int errnum);

    /** Null when packet sockets can be used on this platform, else why not. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    private PacketSocket(int fd) {
        this.fd = fd;
        this.msgs = new Memory((long) MMSGHDR * MAX_BATCH);
        this.iovs = new Memory((long) IOVEC * MAX_BATCH);
        msgs.clear();
        iovs.clear();
        ByteBuffer m = msgs.getByteBuffer(0, msgs.size()).order(ByteOrder.nativeOrder());
        long iovBase = com.sun.jna.Pointer.nativeValue(iovs);
        for (int k = 0; k < MAX_BATCH; k++) {
            // struct mmsghdr { struct msghdr { name, namelen, iov, iovlen, control, controllen, flags }, msg_len }
            m.putLong(k * MMSGHDR + 16, iovBase + (long) k * IOVEC);
            m.putLong(k * MMSGHDR + 24, 1);
        }
        this.iov = iovs.getByteBuffer(0, iovs.size()).order(ByteOrder.nativeOrder());
    }

    /**
     * Opens a packet socket on an interface.
     *
     * @throws IOException naming the interface and the kernel's reason, when it cannot be opened
     */
    public static PacketSocket open(String ifname) throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException(UNAVAILABLE);
        }
        int index = if_nametoindex(ifname);
        if (index == 0) {
            throw new NoSuchInterface(ifname);
        }
        int fd;
        try {
            fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("AF_PACKET socket: " + reason(e));
        }
        try (Memory sll = new Memory(20)) {
            // struct sockaddr_ll { family, protocol (0: receive nothing), ifindex, hatype, pkttype, halen, addr[8] }
            sll.clear();
            sll.setShort(0, (short) AF_PACKET);
            sll.setInt(4, index);
            bind(fd, com.sun.jna.Pointer.nativeValue(sll), 20);
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw new IOException("bind to " + ifname + ": " + reason(e));
        }
        return new PacketSocket(fd);
    }

    private static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (LastErrorException e) {
            // nothing to do
        }
    }

    /** The kernel's words for an errno, with its symbolic value where we know it. */
    static String reason(LastErrorException e) {
        return describe(e.getErrorCode());
    }

    /** {@code strerror(errno)} and the errno's name, e.g. "Message too long (EMSGSIZE)". */
    public static String describe(int errno) {
        String name = Errno.name(errno);
        String text = UNAVAILABLE == null ? strerror(errno) : "errno " + errno;
        return name == null ? text : text + " (" + name + ")";
    }

    /** Hears of each frame the kernel refuses. */
    public interface Outcome {
        /**
         * Frame {@code index} of the batch was refused; {@code errno} says why.
         *
         * @return true to skip it and go on, false to stop sending (at this frame)
         */
        boolean failed(int index, int errno);
    }

    /**
     * Sends frames {@code [from, to)} of a batch whose frames lie in native memory: frame k at
     * address {@code base + offsets[k]}, {@code lengths[k]} bytes. Blocks while the kernel's queue is
     * full. A frame the kernel refuses is reported to {@code outcome}, then skipped, or sending stops
     * there if the outcome says so.
     *
     * @return the index of the first frame not handled: {@code to} when all were sent or skipped
     */
    public int send(long base, int[] offsets, int[] lengths, int from, int to, Outcome outcome) {
        int k = from;
        while (k < to) {
            int n = Math.min(to - k, MAX_BATCH);
            for (int j = 0; j < n; j++) {
                iov.putLong(j * IOVEC, base + offsets[k + j]);
                iov.putLong(j * IOVEC + 8, lengths[k + j]);
            }
            int r;
            try {
                r = sendmmsg(fd, com.sun.jna.Pointer.nativeValue(msgs), n, 0);
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (!outcome.failed(k, errno)) { // the first message of the call failed
                    return k;
                }
                k++;
                continue;
            }
            k += r;
        }
        return k;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
            msgs.close();
            iovs.close();
        }
    }
}
