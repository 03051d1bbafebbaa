package io.mirrorgate.server;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * {@code SO_RCVBUFFORCE} (Linux, with CAP_NET_ADMIN): a UDP mirror input's receive buffer past
 * {@code net.core.rmem_max}, as tcpdump's {@code -B} and Zeek's and Suricata's capture settings
 * give theirs. A mirror's datagrams come at the sender's pace, and the buffer is what absorbs the
 * moments the collector is slower (the JIT's first seconds, a full event loop).
 */
final class ReceiveBuffer {
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUFFORCE = 33;
    private static final boolean LOADED = load();

    private ReceiveBuffer() {
    }

    private static boolean load() {
        try {
            Native.register(ReceiveBuffer.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    private static native int setsockopt(int fd, int level, int name, int[] value, int length) throws LastErrorException;

    /** Asks for {@code bytes} of receive buffer on socket {@code fd} past rmem_max; false when not permitted. */
    static boolean force(int fd, int bytes) {
        if (!LOADED || !Platform.isLinux()) {
            return false;
        }
        try {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, new int[] {bytes}, 4);
            return true;
        } catch (LastErrorException e) {
            return false; // EPERM without CAP_NET_ADMIN: SO_RCVBUF, capped at rmem_max, stands
        }
    }
}
