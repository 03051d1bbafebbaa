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
}
