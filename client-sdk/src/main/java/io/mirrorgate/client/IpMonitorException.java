package io.mirrorgate.client;

import java.io.IOException;

/**
 * What an {@link IpMonitor} method raises, with the component's error code (IPWorks raises its
 * exceptions with a code, too). The codes are listed on {@link IpMonitor}.
 */
public final class IpMonitorException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The error code. */
    private final int code;

    /**
     * An error with its code.
     *
     * @param code one of the {@code IpMonitor.ERROR_*} codes
     * @param message what went wrong, and where
     * @param cause the underlying exception, or null
     */
    public IpMonitorException(int code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * The error code, as {@link IpMonitor.Listener#onError} would report it.
     *
     * @return one of the {@code IpMonitor.ERROR_*} codes
     */
    public int code() {
        return code;
    }
}
