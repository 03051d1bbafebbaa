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

    /** Link types a filter is tried for at once: the media CommView agents send. */
    private static final int[] MEDIA = {LinkType.ETHERNET, LinkType.IEEE802_11, LinkType.TOKEN_RING};

    /** Link types the expression does not compile for (e.g. {@code wlan type data} for Ethernet): their frames never match. */
    private final java.util.Set<Integer> refused = new java.util.HashSet<>();

    /**
     * Compiles {@code expression} at once for Ethernet, 802.11 and Token Ring, so that an
     * expression no medium takes fails before any input is read; one that only some media take
     * ({@code wlan type data}) matches their frames and no others.
     *
     * @throws IllegalArgumentException with libpcap's message (for Ethernet) when no medium takes it
     * @throws Libpcap.LibpcapUnavailableException when libpcap cannot be loaded
     */
    public BpfFilter(String expression) {
        this(expression, true);
    }

    private BpfFilter(String expression, boolean check) {
        Libpcap.require();
        this.expression = expression;
        if (!check) {
            return;
        }
        IllegalArgumentException first = null;
        for (int m : MEDIA) {
            try {
                program(m);
            } catch (IllegalArgumentException e) {
                first = first == null ? e : first;
            }
        }
        if (refused.size() == MEDIA.length) {
            throw first;
        }
    }

    /**
     * A filter for one more source of an expression a {@link #BpfFilter(String) checked} filter
     * already took: it compiles for a link type only when that source's first frame of it comes
     * (one compile per source and medium, not three per connection: a collector that many agents
     * connect to and leave in a burst would spend its event loops compiling).
     */
    public static BpfFilter alreadyChecked(String expression) {
        return new BpfFilter(expression, false);
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
                refused.add(linkType);
                throw new IllegalArgumentException("filter '" + expression + "': " + e.getMessage());
            }
            programs.put(linkType, p);
        }
        return p;
    }

    /** True if the frame of {@code v} matches. A link type the expression does not compile for never matches (tried once). */
    public boolean matches(PacketView v) {
        int linkType = v.linkType();
        BpfProgram p = programs.get(linkType);
        if (p == null) {
            if (refused.contains(linkType)) {
                return false;
            }
            try {
                p = program(linkType);
            } catch (IllegalArgumentException e) {
                return false;
            }
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
