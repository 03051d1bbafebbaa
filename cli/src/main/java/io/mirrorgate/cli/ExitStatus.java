package io.mirrorgate.cli;

/** Exit statuses of SPEC section 5 (sysexits.h values where they exist). */
public final class ExitStatus {
    public static final int OK = 0;
    /** Damaged input, after everything before the damage was output. */
    public static final int DAMAGED = 2;
    public static final int USAGE = 64;
    /** An input that cannot be opened. */
    public static final int NO_INPUT = 66;
    /** A needed service or library (libpcap) is unavailable. */
    public static final int UNAVAILABLE = 69;
    /** An output file cannot be created (EX_CANTCREAT). */
    public static final int CANT_CREATE = 73;
    /** Reading or writing failed after it started (EX_IOERR). */
    public static final int IO_ERROR = 74;

    private ExitStatus() {
    }
}
