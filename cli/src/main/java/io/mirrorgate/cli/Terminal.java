package io.mirrorgate.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Asks the C library whether a file descriptor is a terminal (Java has no way for stderr). */
final class Terminal {
    private interface CLib extends Library {
        int isatty(int fd);
    }

    private Terminal() {
    }

    static boolean isTerminal(int fd) {
        try {
            return Native.load("c", CLib.class).isatty(fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    static boolean stderrIsTerminal() {
        return isTerminal(2);
    }
}
