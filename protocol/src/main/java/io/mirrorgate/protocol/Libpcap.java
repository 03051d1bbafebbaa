package io.mirrorgate.protocol;

/**
 * Whether libpcap can be loaded (through pcap4j/JNA), asked once. pcap4j looks for
 * {@code libpcap.so}, which only the -dev package installs; when that name is missing we point it
 * at the runtime library ({@code libpcap.so.0.8} / {@code libpcap.so.1}) ourselves.
 */
public final class Libpcap {
    private static final String[] RUNTIME_NAMES = {
        "/usr/lib/x86_64-linux-gnu/libpcap.so.0.8", "/usr/lib/aarch64-linux-gnu/libpcap.so.0.8",
        "/usr/lib/x86_64-linux-gnu/libpcap.so.1", "/usr/lib64/libpcap.so.1", "/usr/lib/libpcap.so.1",
        "/usr/lib/libpcap.so.0.8",
    };
    private static volatile String problem;
    private static volatile boolean checked;

    private Libpcap() {
    }

    /** Null when libpcap is usable, else a one-line reason. */
    public static synchronized String unavailableReason() {
        if (!checked) {
            checked = true;
            if (System.getProperty("org.pcap4j.core.pcapLibName") == null) {
                for (String n : RUNTIME_NAMES) {
                    if (new java.io.File(n).exists()) {
                        System.setProperty("org.pcap4j.core.pcapLibName", n);
                        break;
                    }
                }
            }
            try {
                org.pcap4j.core.Pcaps.libVersion();
            } catch (Throwable t) {
                problem = "libpcap is not available (install libpcap0.8): " + firstLine(t);
            }
        }
        return problem;
    }

    /** Throws {@link IllegalStateException} with the reason when libpcap cannot be used. */
    public static void require() {
        String p = unavailableReason();
        if (p != null) {
            throw new LibpcapUnavailableException(p);
        }
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** libpcap (or its Java binding) could not be loaded. */
    public static final class LibpcapUnavailableException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        LibpcapUnavailableException(String message) {
            super(message);
        }
    }
}
