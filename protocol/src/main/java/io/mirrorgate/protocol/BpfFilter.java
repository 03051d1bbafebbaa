package io.mirrorgate.protocol;

import java.util.HashMap;
import java.util.Map;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A BPF filter expression compiled by libpcap ({@code pcap_compile} via pcap4j) once per link
 * type, and run on the raw frame of a {@link PacketView} ({@code pcap_offline_filter}). Not
 * thread-safe.
 */
public final class BpfFilter implements AutoCloseable {
    private static final int SNAPLEN = 262_144;

    private final String expression;
    private final Map<Integer, BpfProgram> programs = new HashMap<>();
    private byte[] scratch = new byte[2048];

    /**
     * Compiles {@code expression} for Ethernet at once, so that a syntax error shows before any
     * input is read.
     *
     * @throws IllegalArgumentException with libpcap's message when the expression is invalid
     * @throws Libpcap.LibpcapUnavailableException when libpcap cannot be loaded
     */
    public BpfFilter(String expression) {
        Libpcap.require();
        this.expression = expression;
        program(LinkType.ETHERNET);
    }

    public String expression() {
        return expression;
    }

    private BpfProgram program(int linkType) {
        BpfProgram p = programs.get(linkType);
        if (p == null) {
            try {
                p = Pcaps.compileFilter(SNAPLEN, DataLinkType.getInstance(linkType), expression,
                        BpfProgram.BpfCompileMode.OPTIMIZE, PcapHandle.PCAP_NETMASK_UNKNOWN);
            } catch (PcapNativeException e) {
                throw new IllegalArgumentException("filter '" + expression + "': " + e.getMessage());
            }
            programs.put(linkType, p);
        }
        return p;
    }

    /** True if the frame of {@code v} matches. A link type libpcap cannot compile for never matches. */
    public boolean matches(PacketView v) {
        BpfProgram p;
        try {
            p = program(v.linkType());
        } catch (IllegalArgumentException e) {
            return false;
        }
        int len = v.capturedLength();
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        v.buffer().getBytes(v.frameOffset(), scratch, 0, len);
        return p.applyFilter(scratch, v.originalLength(), len);
    }

    @Override
    public void close() {
        programs.values().forEach(BpfProgram::free);
        programs.clear();
    }
}
