package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * An immutable decoded packet for SDK users (IPMonitor's IPPacket, SPEC section 3). It owns its
 * bytes: addresses and payload are copied out of the record buffer. Fields describe the
 * <em>outermost</em> IP header; absent values are -1 (id, checksum, seq, ack, ipProtocol) or 0
 * (ports, unless {@link #hasPorts()}).
 */
public final class IpPacket {
    private static final byte[] EMPTY = new byte[0];

    private final long timestamp;
    private final int capturedLength;
    private final int originalLength;
    private final int linkType;
    private final int ipVersion;
    /** The frame as captured (link-layer header first); addresses and payload are read from it. */
    private final byte[] frame;
    /** Offsets into {@link #frame}: the IP header, the two addresses, the payload; -1 when absent. */
    private final int ipAt;
    private final int sourceAt;
    private final int destinationAt;
    private final int addressLength;
    private final int payloadAt;
    private final int payloadCaptured;
    private final boolean hasPorts;
    private final int sourcePort;
    private final int destinationPort;
    private final int tos;
    private final long id;
    private final int flags;
    private final int offset;
    private final int ttl;
    private final int checksum;
    private final boolean checksumValid;
    private final int ipProtocol;
    private final int payloadLength;
    private final boolean hasTcp;
    private final int tcpFlags;
    private final long seq;
    private final long ack;
    private final int window;
    private final int etherType;
    private final String source;
    private final int medium;
    private final int direction;
    private final WifiInfo wifi;
    private final boolean truncated;
    private final boolean compressed;
    private final String malformed;

    private IpPacket(PacketView v) {
        ByteBuf b = v.buffer();
        timestamp = v.timestampMicros();
        capturedLength = v.capturedLength();
        originalLength = v.originalLength();
        linkType = v.linkType();
        ipVersion = v.ipVersion();
        int base = v.frameOffset();
        int have = b == null ? 0 : Math.max(0, Math.min(v.capturedLength(), b.writerIndex() - base));
        frame = have == 0 ? EMPTY : new byte[have];
        if (have > 0) {
            b.getBytes(base, frame);
        }
        if (v.hasIpHeader()) {
            ipAt = v.ipOffset() - base;
            addressLength = ipVersion == 6 ? 16 : 4;
            sourceAt = v.sourceAddressOffset() - base;
            destinationAt = v.destinationAddressOffset() - base;
        } else {
            ipAt = -1;
            addressLength = 0;
            sourceAt = -1;
            destinationAt = -1;
        }
        hasPorts = v.hasPorts();
        sourcePort = v.sourcePort();
        destinationPort = v.destinationPort();
        tos = v.tos();
        id = v.id();
        flags = v.ipFlags();
        offset = v.fragmentOffset();
        ttl = v.ttl();
        checksum = v.checksum();
        checksumValid = v.checksumValid();
        ipProtocol = v.ipProtocol();
        if (v.payloadCapturedLength() > 0) {
            payloadAt = v.payloadOffset() - base;
            payloadCaptured = v.payloadCapturedLength();
        } else {
            payloadAt = 0;
            payloadCaptured = 0;
        }
        payloadLength = v.payloadLength();
        hasTcp = v.hasTcp();
        tcpFlags = v.tcpFlags();
        seq = v.seq();
        ack = v.ack();
        window = v.window();
        etherType = v.etherType();
        source = v.source() == null ? null : v.source().toString();
        medium = v.medium();
        direction = v.direction();
        wifi = v.hasWifi() ? new WifiInfo(v.wifiSignalPercent(), v.wifiRate100kbps(), v.wifiBand(), v.wifiChannel(),
                v.wifiSignalDbm(), v.wifiNoiseDbm(), v.wifiDecrypted(), v.wifiBadFcs(), v.wifiMcsIndex()) : null;
        truncated = v.truncated();
        compressed = v.compressed();
        malformed = v.malformedReason();
    }

    /** An immutable copy of a decoded view. */
    public static IpPacket of(PacketView v) {
        return new IpPacket(v);
    }

    /** Microseconds since 1970-01-01T00:00:00Z. */
    public long timestamp() { return timestamp; }
    public int capturedLength() { return capturedLength; }
    public int originalLength() { return originalLength; }
    public int linkType() { return linkType; }
    /** 4, 6, or 0 for a non-IP frame. */
    public int ipVersion() { return ipVersion; }
    /** Source address text (dotted quad or RFC 5952), or null when no IP header was captured. */
    public String sourceAddress() { return sourceAt < 0 ? null : AddressText.of(sourceAddressBytes()); }
    public String destinationAddress() { return destinationAt < 0 ? null : AddressText.of(destinationAddressBytes()); }
    public byte[] sourceAddressBytes() {
        return sourceAt < 0 ? null : Arrays.copyOfRange(frame, sourceAt, sourceAt + addressLength);
    }
    public byte[] destinationAddressBytes() {
        return destinationAt < 0 ? null : Arrays.copyOfRange(frame, destinationAt, destinationAt + addressLength);
    }
    /**
     * The frame as captured, link-layer header first (Callback IPMonitor's {@code on_packet}
     * {@code Data}); {@link #capturedLength()} bytes (a copy).
     */
    public byte[] frame() { return frame.clone(); }
    /** True when an IP header was decoded, so {@link #ipPacket()} and the addresses are there. */
    public boolean hasIpHeader() { return ipAt >= 0; }
    /**
     * The IP packet itself, from its first header byte to the end of what the header declares or
     * what was captured, whichever is shorter (IPWorks IPMonitor's {@code IPPacketB}); a copy, or
     * an empty array for a frame with no IP header.
     */
    public byte[] ipPacket() {
        if (ipAt < 0) {
            return EMPTY;
        }
        int end;
        if (payloadCaptured > 0) {
            end = payloadAt + payloadCaptured;
        } else { // the header alone: its own length, as far as it was captured
            int headerLength = ipVersion == 6 ? 40 : Math.max(20, (frame[ipAt] & 0xF) * 4);
            end = Math.min(frame.length, ipAt + headerLength);
        }
        return Arrays.copyOfRange(frame, ipAt, end);
    }
    public boolean hasPorts() { return hasPorts; }
    public int sourcePort() { return sourcePort; }
    public int destinationPort() { return destinationPort; }
    public int tos() { return tos; }
    public long id() { return id; }
    public int flags() { return flags; }
    public int offset() { return offset; }
    public int ttl() { return ttl; }
    public int checksum() { return checksum; }
    public boolean checksumValid() { return checksumValid; }
    public int ipProtocol() { return ipProtocol; }
    /** Bytes after the fixed IP header, cut at the IP length and at what was captured (a copy). */
    public byte[] payload() { return Arrays.copyOfRange(frame, payloadAt, payloadAt + payloadCaptured); }
    public int payloadLength() { return payloadLength; }
    public boolean hasTcp() { return hasTcp; }
    public int tcpFlags() { return tcpFlags; }
    public long seq() { return seq; }
    public long ack() { return ack; }
    public int window() { return window; }
    public int etherType() { return etherType; }
    /** Where it came from: an agent's address or a file name. */
    public String source() { return source; }
    public int medium() { return medium; }
    public int direction() { return direction; }
    /** Radio fields, or null when the record is not Wi-Fi. */
    public WifiInfo wifi() { return wifi; }
    public boolean truncated() { return truncated; }
    public boolean compressed() { return compressed; }
    /** Null, or a short reason why the packet is malformed. */
    public String malformed() { return malformed; }

    @Override
    public String toString() {
        return "IpPacket{ts=" + timestamp + ", v" + ipVersion + " " + sourceAddress() + ":" + sourcePort + " -> "
                + destinationAddress() + ":" + destinationPort + " proto=" + ipProtocol + " len=" + capturedLength
                + (malformed != null ? " malformed=" + malformed : "") + "}";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IpPacket)) {
            return false;
        }
        IpPacket p = (IpPacket) o;
        return timestamp == p.timestamp && capturedLength == p.capturedLength && originalLength == p.originalLength
                && ipVersion == p.ipVersion && ipAt == p.ipAt && sourcePort == p.sourcePort
                && destinationPort == p.destinationPort && id == p.id && ipProtocol == p.ipProtocol
                && payloadAt == p.payloadAt && payloadCaptured == p.payloadCaptured && Arrays.equals(frame, p.frame)
                && java.util.Objects.equals(malformed, p.malformed);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestamp) * 31 + Arrays.hashCode(frame);
    }
}
