package io.mirrorgate.protocol;

import org.pcap4j.core.PcapHandle;

/**
 * Which packets a capture takes: libpcap's {@code pcap_setdirection}, and Callback IPMonitor's
 * direction with its constant values (OUTGOING 0, INCOMING 1, ANY 2, in this order). {@code IN}
 * is libpcap's PCAP_D_IN: every packet not known to be outgoing (so, for a CommView record, also
 * pass-through ones and those whose direction is not known). One enum for the agent, IpMonitor
 * and anything else that captures.
 */
public enum CaptureDirection {
    /** Outgoing packets only. */
    OUT,
    /** Every packet that is not outgoing. */
    IN,
    /** All packets. */
    BOTH;

    /** libpcap's direction for a live capture. */
    public PcapHandle.PcapDirection pcap() {
        return this == IN ? PcapHandle.PcapDirection.IN : this == OUT ? PcapHandle.PcapDirection.OUT
                : PcapHandle.PcapDirection.INOUT;
    }

    /** True if a record with CommView's direction byte ({@link RecordDirection}, -1 unknown) is taken. */
    public boolean takes(int recordDirection) {
        return this == BOTH || (this == OUT) == (recordDirection == RecordDirection.OUTBOUND);
    }
}
