package io.mirrorgate.protocol;

/** NCF direction byte (not Wi-Fi): 0 pass-through, 1 inbound, 2 outbound. */
public final class RecordDirection {
    public static final int PASS_THROUGH = 0;
    public static final int INBOUND = 1;
    public static final int OUTBOUND = 2;

    private RecordDirection() {
    }

    public static String name(int direction) {
        switch (direction) {
            case PASS_THROUGH: return "pass";
            case INBOUND: return "in";
            case OUTBOUND: return "out";
            default: return Integer.toString(direction);
        }
    }
}
