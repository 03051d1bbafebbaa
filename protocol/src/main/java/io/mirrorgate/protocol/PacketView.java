package io.mirrorgate.protocol;

import io.netty.buffer.ByteBuf;

/**
 * A reusable, mutable view of one decoded record: the server's allocation-free event. A source
 * (stream decoder, file reader, live capture) fills the record fields, then {@link IpDecoder}
 * fills the IP fields, pointing into the record's buffer rather than copying. Valid only until the
 * buffer is released or the view is reused; {@link IpPacket#of(PacketView)} takes an immutable
 * copy for SDK users.
 *
 * <p>Absent values: {@link #id()}, {@link #checksum()}, {@link #seq()}, {@link #ack()} return -1;
 * ports are 0 unless {@link #hasPorts()}; TCP fields are valid only if {@link #hasTcp()}.
 */
public final class PacketView {
    // record
    long timestampMicros;
    int capturedLength;
    int originalLength;
    int medium;
    int direction;
    int ncfFlags;
    boolean compressed;
    Object source;
    boolean hasWifi;
    int wifiSignalPercent;
    long wifiRate100k;
    int wifiBand;
    int wifiChannel;
    int wifiSignalDbm;
    int wifiNoiseDbm;
    boolean wifiDecrypted;
    boolean wifiBadFcs;
    int wifiMcsIndex;

    // frame
    ByteBuf buf;
    int frameOffset;
    int linkType;

    // decode
    int ipVersion;
    boolean truncated;
    Malformation malformation;
    long malformationA;
    long malformationB;
    int etherType;
    int vlanId;
    boolean hasIpHeader;
    int ipOffset;
    int tos;
    long id;
    int ipFlags;
    int fragmentOffset;
    int ttl;
    int checksum;
    boolean checksumValid;
    int ipProtocol;
    int srcOffset;
    int dstOffset;
    int payloadOffset;
    int payloadCaptured;
    int payloadLength;
    boolean hasPorts;
    int sourcePort;
    int destinationPort;
    boolean hasTcp;
    int tcpFlags;
    long seq;
    long ack;
    int window;
    int l4PayloadLength;
    int icmpType;
    int icmpCode;
    int transportOffset;

    /**
     * True: decoders set only the record and the frame (buffer, offset, link type), leaving the IP
     * fields as for a frame without IP. For a consumer that needs the frame alone (pcap output, a
     * BPF filter), which then pays no IP decoding. Kept across records; false by default.
     */
    boolean frameOnly;

    /** See {@link #frameOnly}: decode the frame only (true) or everything (false, the default). */
    public void setFrameOnly(boolean frameOnly) {
        this.frameOnly = frameOnly;
    }

    /** Starts a new record: clears everything and sets the record's basic fields. */
    public void startRecord(long timestampMicros, int capturedLength, int originalLength, int medium) {
        this.timestampMicros = timestampMicros;
        this.capturedLength = capturedLength;
        this.originalLength = originalLength;
        this.medium = medium;
        this.direction = -1;
        this.ncfFlags = 0;
        this.compressed = false;
        this.hasWifi = false;
        this.wifiMcsIndex = -1;
        clearDecode();
    }

    void clearDecode() {
        ipVersion = 0;
        truncated = false;
        malformation = null;
        etherType = -1;
        vlanId = -1;
        hasIpHeader = false;
        id = -1;
        ipFlags = 0;
        fragmentOffset = 0;
        tos = 0;
        ttl = 0;
        checksum = -1;
        checksumValid = false;
        ipProtocol = -1;
        payloadOffset = 0;
        payloadCaptured = 0;
        payloadLength = 0;
        hasPorts = false;
        sourcePort = 0;
        destinationPort = 0;
        hasTcp = false;
        tcpFlags = 0;
        seq = -1;
        ack = -1;
        window = 0;
        l4PayloadLength = -1;
        icmpType = -1;
        icmpCode = -1;
        transportOffset = -1;
    }

    public void setSource(Object source) {
        this.source = source;
    }

    void malformed(Malformation m, long a, long b) {
        if (malformation == null) {
            malformation = m;
            malformationA = a;
            malformationB = b;
        }
    }

    public long timestampMicros() { return timestampMicros; }
    public int capturedLength() { return capturedLength; }
    public int originalLength() { return originalLength; }
    public int medium() { return medium; }
    /** NCF direction (0 pass, 1 in, 2 out), or -1 when not known (Wi-Fi, files). */
    public int direction() { return direction; }
    public int ncfFlags() { return ncfFlags; }
    public boolean compressed() { return compressed; }
    public Object source() { return source; }
    public boolean hasWifi() { return hasWifi; }
    public ByteBuf buffer() { return buf; }
    public int frameOffset() { return frameOffset; }
    public int linkType() { return linkType; }

    /** 4 or 6 for IP, 0 for anything else. */
    public int ipVersion() { return ipVersion; }
    /** True when the capture cut the packet short (snapshot length): what is there was decoded. */
    public boolean truncated() { return truncated; }
    public boolean isMalformed() { return malformation != null; }
    public Malformation malformation() { return malformation; }
    /** The reason text, or null; formats a String, so not for the hot path. */
    public String malformedReason() {
        return malformation == null ? null : malformation.describe(malformationA, malformationB);
    }
    /** EtherType (or SLL protocol) that carried the packet, -1 when the link layer has none. */
    public int etherType() { return etherType; }
    /** VLAN id of the outermost 802.1Q/802.1ad tag, or -1. */
    public int vlanId() { return vlanId; }
    /** True when the fixed IP header was captured and its fields below are valid. */
    public boolean hasIpHeader() { return hasIpHeader; }
    public int ipOffset() { return ipOffset; }
    public int tos() { return tos; }
    /** IPv4 identification, IPv6 Fragment header identification, or -1. */
    public long id() { return id; }
    public int ipFlags() { return ipFlags; }
    public int fragmentOffset() { return fragmentOffset; }
    public int ttl() { return ttl; }
    /** IPv4 header checksum as sent, or -1 (IPv6). */
    public int checksum() { return checksum; }
    public boolean checksumValid() { return checksumValid; }
    /** Final IP protocol (IPv6: after the extension headers), -1 when not known. */
    public int ipProtocol() { return ipProtocol; }
    /** Absolute index in {@link #buffer()} of the source address (4 or 16 bytes). */
    public int sourceAddressOffset() { return srcOffset; }
    public int destinationAddressOffset() { return dstOffset; }
    /** Absolute index of the IP payload (after the fixed header). */
    public int payloadOffset() { return payloadOffset; }
    /** Payload bytes present: cut at the IP length and at what was captured. */
    public int payloadCapturedLength() { return payloadCaptured; }
    /** Payload length the IP header declares. */
    public int payloadLength() { return payloadLength; }
    public boolean hasPorts() { return hasPorts; }
    public int sourcePort() { return sourcePort; }
    public int destinationPort() { return destinationPort; }
    public boolean hasTcp() { return hasTcp; }
    /** The 12-bit TCP flags field (0x100 NS ... 0x001 FIN). */
    public int tcpFlags() { return tcpFlags; }
    public long seq() { return seq; }
    public long ack() { return ack; }
    public int window() { return window; }
    /** Transport payload length (TCP data, UDP data, else the IP payload), -1 when not known. */
    public int l4PayloadLength() { return l4PayloadLength; }
    public int icmpType() { return icmpType; }
    public int icmpCode() { return icmpCode; }
    /** Index in {@link #buffer()} of the transport header (first fragment only), or -1. */
    public int transportOffset() { return transportOffset; }

    public int wifiSignalPercent() { return wifiSignalPercent; }
    public long wifiRate100kbps() { return wifiRate100k; }
    public int wifiBand() { return wifiBand; }
    public int wifiChannel() { return wifiChannel; }
    public int wifiSignalDbm() { return wifiSignalDbm; }
    public int wifiNoiseDbm() { return wifiNoiseDbm; }
    public boolean wifiDecrypted() { return wifiDecrypted; }
    public boolean wifiBadFcs() { return wifiBadFcs; }
    public int wifiMcsIndex() { return wifiMcsIndex; }
}
