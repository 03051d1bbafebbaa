package io.mirrorgate.protocol.inject;

/** The Linux errno values a packet socket's send returns, by name (asm-generic/errno-base.h, errno.h). */
final class Errno {
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int ENODEV = 19;

    private Errno() {
    }

    static String name(int errno) {
        switch (errno) {
            case 1: return "EPERM";
            case 4: return "EINTR";
            case 6: return "ENXIO";
            case 9: return "EBADF";
            case 11: return "EAGAIN";
            case 12: return "ENOMEM";
            case 13: return "EACCES";
            case 14: return "EFAULT";
            case 19: return "ENODEV";
            case 22: return "EINVAL";
            case 90: return "EMSGSIZE";
            case 93: return "EPROTONOSUPPORT";
            case 95: return "EOPNOTSUPP";
            case 97: return "EAFNOSUPPORT";
            case 100: return "ENETDOWN";
            case 105: return "ENOBUFS";
            default: return null;
        }
    }

    /** Errors after which the interface should be looked up again (it went away, maybe came back). */
    static boolean interfaceGone(int errno) {
        return errno == ENXIO || errno == ENODEV || errno == EBADF;
    }
}
