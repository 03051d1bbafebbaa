package io.mirrorgate.cli;

import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.PacketView;
import java.io.IOException;
import java.io.OutputStream;

/**
 * SPEC section 4's TSV: a header line, then one line per record, columns in a fixed order, empty
 * where a column does not apply. Writes bytes directly; allocates nothing per event.
 */
final class TsvFormat implements EventFormat {
    static final String HEADER = "frame\tts_us\tcap_len\torig_len\tip_ver\tsrc\tdst\tsport\tdport\ttos\tip_id\tip_flags"
            + "\tfrag_off\tttl\thdr_cksum\tproto\tpayload_len\ttcp_flags\tseq\tack\twindow";
    private static final int MAX_LINE = 512;

    private final OutputBuffer out;
    private final boolean analysis;

    TsvFormat(OutputStream stream) {
        this(stream, false);
    }

    /** {@code analysis}: a last column, {@code analysis}, with the TCP analysis flags (--analysis). */
    TsvFormat(OutputStream stream, boolean analysis) {
        this.out = new OutputBuffer(stream);
        this.analysis = analysis;
    }

    @Override
    public void begin() throws IOException {
        out.ensure(MAX_LINE);
        out.put(HEADER);
        if (analysis) {
            out.put("\tanalysis");
        }
        out.put('\n');
    }

    @Override
    public void write(long frame, PacketView v, String flags) throws IOException {
        OutputBuffer o = out;
        o.ensure(MAX_LINE);
        o.putDecimal(frame);
        o.put('\t');
        o.putDecimal(v.timestampMicros());
        o.put('\t');
        o.putDecimal(v.capturedLength());
        o.put('\t');
        o.putDecimal(v.originalLength());
        o.put('\t');
        int ver = v.ipVersion();
        if (ver != 0) {
            o.putDecimal(ver);
        }
        o.put('\t');
        boolean ip = v.hasIpHeader();
        if (ip) {
            o.n = ver == 4 ? AddressText.writeIpv4(v.buffer(), v.sourceAddressOffset(), o.buf, o.n)
                    : AddressText.writeIpv6(v.buffer(), v.sourceAddressOffset(), o.buf, o.n);
        }
        o.put('\t');
        if (ip) {
            o.n = ver == 4 ? AddressText.writeIpv4(v.buffer(), v.destinationAddressOffset(), o.buf, o.n)
                    : AddressText.writeIpv6(v.buffer(), v.destinationAddressOffset(), o.buf, o.n);
        }
        o.put('\t');
        if (v.hasPorts()) {
            o.putDecimal(v.sourcePort());
            o.put('\t');
            o.putDecimal(v.destinationPort());
        } else {
            o.put('\t');
        }
        o.put('\t');
        if (ip) {
            o.putDecimal(v.tos());
        }
        o.put('\t');
        boolean frag = ip && v.id() >= 0; // IPv4 always; IPv6 only with a Fragment header
        if (frag) {
            o.putDecimal(v.id());
            o.put('\t');
            o.putDecimal(v.ipFlags());
            o.put('\t');
            o.putDecimal(v.fragmentOffset());
        } else {
            o.put('\t');
            o.put('\t');
        }
        o.put('\t');
        if (ip) {
            o.putDecimal(v.ttl());
        }
        o.put('\t');
        if (ip && v.checksum() >= 0) {
            o.putHex(v.checksum(), 4);
        }
        o.put('\t');
        if (ip && v.ipProtocol() >= 0) {
            o.putDecimal(v.ipProtocol());
        }
        o.put('\t');
        if (ip) {
            o.putDecimal(v.payloadLength());
        }
        o.put('\t');
        if (v.hasTcp()) {
            o.putHex(v.tcpFlags(), 3);
            o.put('\t');
            o.putDecimal(v.seq());
            o.put('\t');
            o.putDecimal(v.ack());
            o.put('\t');
            o.putDecimal(v.window());
        } else {
            o.put('\t');
            o.put('\t');
            o.put('\t');
        }
        if (analysis) {
            o.put('\t');
            if (flags != null) {
                o.put(flags);
            }
        }
        o.put('\n');
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
