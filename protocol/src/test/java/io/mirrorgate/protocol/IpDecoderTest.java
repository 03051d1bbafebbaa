package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpDecoderTest {
    static List<IpPacket> read(String name) throws IOException {
        List<IpPacket> out = new ArrayList<>();
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(Fixtures.path(name), ZoneOffset.UTC)) {
            while (r.next(v)) {
                assertInBounds(v);
                out.add(IpPacket.of(v));
            }
        }
        return out;
    }

    static void assertInBounds(PacketView v) {
        int end = v.frameOffset() + v.capturedLength();
        if (v.hasIpHeader()) {
            assertTrue(v.sourceAddressOffset() >= v.frameOffset());
            assertTrue(v.destinationAddressOffset() + (v.ipVersion() == 6 ? 16 : 4) <= end);
        }
        assertTrue(v.payloadCapturedLength() >= 0);
        if (v.payloadCapturedLength() > 0) {
            assertTrue(v.payloadOffset() >= v.frameOffset() && v.payloadOffset() + v.payloadCapturedLength() <= end,
                    "payload out of the frame");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth.pcap", "eth.ncf", "eth.ncfx", "eth.pcapng", "eth-ns.pcap", "eth-be.pcap", "wifi.pcap",
        "wifi.ncf", "wifi.ncfx", "token-ring.pcap", "token-ring.ncf", "radiotap.pcap", "raw.pcap", "sll.pcap", "sll2.pcap",
        "null.pcap", "loop.pcap"})
    void wellFormedFixturesDecodeWithoutComplaint(String name) throws IOException {
        for (IpPacket p : read(name)) {
            assertNull(p.malformed(), name + ": " + p);
            assertFalse(p.truncated(), name + ": " + p);
            if (p.ipVersion() == 4) {
                assertTrue(p.checksumValid() || p.checksum() == 0x1234, name + ": " + p);
            }
        }
    }

    @Test
    void sameEventsWhateverTheContainer() throws IOException {
        List<IpPacket> want = read("eth.pcap");
        for (String f : List.of("eth.ncf", "eth.ncfx", "eth.pcapng", "eth-ns.pcap", "eth-be.pcap")) {
            List<IpPacket> got = read(f);
            assertEquals(want.size(), got.size(), f);
            for (int k = 0; k < want.size(); k++) {
                assertEquals(want.get(k), got.get(k), f + " record " + (k + 1));
                assertEquals(want.get(k).timestamp(), got.get(k).timestamp());
            }
        }
    }

    @Test
    void fieldsOfKnownPackets() throws IOException {
        List<IpPacket> p = read("eth.pcap");
        IpPacket syn = p.get(0);
        assertEquals(1_700_000_000_123_456L, syn.timestamp());
        assertEquals("192.168.1.10", syn.sourceAddress());
        assertEquals("93.184.216.34", syn.destinationAddress());
        assertEquals(49152, syn.sourcePort());
        assertEquals(80, syn.destinationPort());
        assertEquals(4660, syn.id());
        assertEquals(2, syn.flags());
        assertEquals(0x002, syn.tcpFlags());
        assertEquals(339000739L, syn.seq());
        assertTrue(syn.checksumValid());
        assertEquals(24, syn.payloadLength());
        assertEquals(24, syn.payload().length);
        IpPacket badSum = p.get(9);
        assertEquals(0x1234, badSum.checksum());
        assertFalse(badSum.checksumValid());
        IpPacket frag2 = p.get(11);
        assertFalse(frag2.hasPorts());
        assertEquals(150, frag2.offset());
        assertEquals(17, frag2.ipProtocol());
        IpPacket ipip = p.get(13);
        assertEquals(4, ipip.ipProtocol());
        assertEquals("198.51.100.1", ipip.sourceAddress());
        assertFalse(ipip.hasPorts());
        IpPacket v6frag = p.get(26);
        assertEquals(0xdeadbeefL, v6frag.id());
        assertEquals(81, v6frag.offset());
        assertEquals(1, v6frag.flags());
        IpPacket mapped = p.get(22);
        assertEquals("::ffff:192.0.2.1", mapped.sourceAddress());
        IpPacket hbh = p.get(19);
        assertEquals(17, hbh.ipProtocol());
        assertEquals(546, hbh.sourcePort());
        assertEquals(30, hbh.payloadLength());
        assertEquals(30, hbh.payload().length); // extension headers are inside the payload
        IpPacket vlan = p.get(30);
        assertEquals("10.10.0.1", vlan.sourceAddress());
        IpPacket arp = p.get(36);
        assertEquals(0, arp.ipVersion());
        assertEquals(0x0806, arp.etherType());
        assertNull(arp.sourceAddress());
    }

    @Test
    void malformedReasons() throws IOException {
        List<IpPacket> p = read("eth-malformed.pcap");
        String[] want = {
            "ipv4 ihl 3 < 5",
            "total length 1500 > captured 33",
            "ip version nibble 6, link layer says 4",
            "ipv4 total length 12 < header length 20",
            null,
            "tcp header 6 bytes < 20",
            "ipv6 payload length 900 > captured 11",
            "ipv6 header 30 bytes captured < 40",
            "ipv4 header 10 bytes captured < 20",
            null,
            "tcp data offset 3 < 5",
        };
        assertEquals(want.length, p.size());
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], p.get(k).malformed(), "frame " + (k + 1));
            assertFalse(p.get(k).truncated());
        }
        IpPacket tso = p.get(4);
        assertEquals(13, tso.payloadLength()); // total length 0: what was captured counts
        assertEquals(80, p.get(5).sourcePort()); // ports were captured even though the header was not
        assertEquals(0, p.get(9).ipVersion());
    }

    @Test
    void snaplenCutIsTruncatedNotMalformed() throws IOException {
        List<IpPacket> cut = read("eth-snap64.pcap");
        List<IpPacket> full = read("eth.pcap");
        int truncated = 0;
        for (int k = 0; k < cut.size(); k++) {
            IpPacket c = cut.get(k);
            assertNull(c.malformed(), c.toString());
            assertEquals(full.get(k).originalLength(), c.originalLength());
            if (c.truncated()) {
                truncated++;
                assertTrue(c.originalLength() > c.capturedLength());
            }
            if (c.ipVersion() != 0) {
                assertEquals(full.get(k).sourceAddress(), c.sourceAddress());
            }
        }
        assertTrue(truncated >= 10, "truncated " + truncated);
    }

    @Test
    void ethernetPaddingIsCutAtTheIpLength() {
        byte[] ip = {0x45, 0, 0, 29, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
            0, 9, 0, 9, 0, 9, 0, 0, 'x'};
        ByteBuf f = Unpooled.buffer();
        f.writeZero(12).writeShort(0x0800).writeBytes(ip).writeZero(60 - 14 - ip.length);
        PacketView v = new PacketView();
        v.startRecord(0, 60, 60, Medium.ETHERNET);
        IpDecoder.decode(f, 0, 60, LinkType.ETHERNET, v);
        assertEquals(9, v.payloadCapturedLength());
        assertEquals(9, v.payloadLength());
        assertEquals(1, v.l4PayloadLength());
        assertArrayEquals(Arrays.copyOfRange(ip, 20, 29), IpPacket.of(v).payload());
        assertFalse(v.checksumValid());
    }

    @Test
    void decodesAtAnOffsetInsideALargerBufferWithoutReadingOutside() {
        byte[] frame = Arrays.copyOfRange(Fixtures.bytes("eth.ncf"), 24, 24 + 58);
        ByteBuf b = Unpooled.buffer().writeBytes(new byte[100]).writeBytes(frame).writeBytes(new byte[100]);
        PacketView v = new PacketView();
        v.startRecord(0, 58, 58, 0);
        IpDecoder.decode(b, 100, 58, LinkType.ETHERNET, v);
        assertEquals(49152, v.sourcePort());
        for (int len = 0; len < 58; len++) {
            v.startRecord(0, len, len, 0);
            IpDecoder.decode(b.slice(100, len), 0, len, LinkType.ETHERNET, v);
        }
    }

    @Test
    void unknownLinkTypeIsNonIp() {
        PacketView v = new PacketView();
        v.startRecord(0, 4, 4, -1);
        IpDecoder.decode(Unpooled.wrappedBuffer(new byte[] {0x45, 0, 0, 4}), 0, 4, 9999, v);
        assertEquals(0, v.ipVersion());
        assertFalse(v.isMalformed());
    }

    private static PacketView decodeEthernet(ByteBuf f) {
        int n = f.readableBytes();
        PacketView v = new PacketView();
        v.startRecord(0, n, n, Medium.ETHERNET);
        IpDecoder.decode(f, 0, n, LinkType.ETHERNET, v);
        return v;
    }

    private static ByteBuf ipv6Header(int payloadLength, int next) {
        ByteBuf f = Unpooled.buffer();
        f.writeZero(12).writeShort(0x86DD);
        f.writeInt(0x60000000).writeShort(payloadLength).writeByte(next).writeByte(64);
        f.writeZero(15).writeByte(1).writeZero(15).writeByte(2);
        return f;
    }

    /** Regression: payload length 0 with Next Header 59 in a frame padded to 60 bytes read as 6 bytes of payload. */
    @Test
    void ipv6PayloadLengthZeroIsZeroWhateverPaddingFollows() {
        ByteBuf f = ipv6Header(0, 59);
        f.writeZero(60 - f.readableBytes()); // Ethernet minimum: 6 bytes of padding after the 54 of headers
        PacketView v = decodeEthernet(f);
        assertEquals(6, v.ipVersion());
        assertEquals(0, v.payloadLength());
        assertEquals(0, v.payloadCapturedLength());
        assertEquals(59, v.ipProtocol());
        assertFalse(v.isMalformed());
        assertEquals(0, IpPacket.of(v).payload().length);
    }

    @Test
    void ipv6JumboPayloadOptionGivesTheLength() {
        // Hop-by-Hop: next header 59, length 0 (8 bytes): Jumbo Payload option C2, 4, length 8 + 4 = 12
        ByteBuf f = ipv6Header(0, 0);
        f.writeByte(59).writeByte(0).writeByte(0xC2).writeByte(4).writeInt(12);
        f.writeInt(0xDEADBEEF);
        f.writeZero(10); // padding after the 12 bytes the jumbo length declares
        PacketView v = decodeEthernet(f);
        assertEquals(12, v.payloadLength());
        assertEquals(12, v.payloadCapturedLength());
        assertFalse(v.isMalformed());
    }

    @Test
    void ipv6PayloadShorterThanPaddedFrameIsCutAtTheDeclaredLength() {
        ByteBuf f = ipv6Header(8, 17);
        f.writeShort(53).writeShort(53).writeShort(8).writeShort(0); // UDP header, no data
        f.writeZero(6);
        PacketView v = decodeEthernet(f);
        assertEquals(8, v.payloadLength());
        assertEquals(8, v.payloadCapturedLength());
        assertEquals(0, v.l4PayloadLength());
        assertEquals(53, v.destinationPort());
    }

    @Test
    void ieee8023LengthFieldCutsPaddingBeforeSnap() {
        // 802.3 length 8 + 20: LLC/SNAP (8) and an IPv4 header with total length 0 (offload: "what was captured")
        byte[] ip = {0x45, 0, 0, 0, 0, 1, 0, 0, 64, (byte) 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
        ByteBuf f = Unpooled.buffer();
        f.writeZero(12).writeShort(8 + ip.length).writeBytes(new byte[] {(byte) 0xAA, (byte) 0xAA, 3, 0, 0, 0, 8, 0});
        f.writeBytes(ip).writeZero(18); // padding the length field leaves out
        PacketView v = decodeEthernet(f);
        assertEquals(4, v.ipVersion());
        assertEquals(0, v.payloadLength());
        assertEquals(0, v.payloadCapturedLength());
    }
}
