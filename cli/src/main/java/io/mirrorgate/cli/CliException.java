package io.mirrorgate.cli;

/** A failure the command line reports as one line on stderr with an exit status (never a trace). */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public CliException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
