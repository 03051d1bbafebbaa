package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * VXLAN, GENEVE and TZSP datagrams built byte by byte after RFC 7348, RFC 8926 and the TZSP note,
 * around every frame of a real capture: each parses to exactly the frame it carries; damaged
 * ones are named, never thrown.
 */
class DecapsulationTest {
    private static List<byte[]> frames() throws Exception {
        List<byte[]> out = new ArrayList<>();
        PacketView v = new PacketView();
        try (CaptureReader r = CaptureFiles.open(Fixtures.path("eth.pcap"), ZoneOffset.UTC)) {
            while (r.next(v)) {
                out.add(IpPacket.of(v).frame());
            }
        }
        return out;
    }

    private static void assertCarries(Decapsulation.Kind kind, ByteBuf dgram, byte[] frame, long vni, int medium) {
        Decapsulation.Result r = new Decapsulation.Result();
        assertTrue(Decapsulation.parse(kind, dgram, dgram.readerIndex(), dgram.readableBytes(), r), r.malformed);
        assertNull(r.malformed);
        assertEquals(vni, r.vni);
        assertEquals(medium, r.medium);
        assertArrayEquals(frame, ByteBufUtil.getBytes(dgram, r.offset, r.length));
    }

    static ByteBuf vxlan(int vni, byte[] frame) {
        return Unpooled.buffer().writeByte(0x08).writeMedium(0).writeMedium(vni).writeByte(0).writeBytes(frame);
    }

    static ByteBuf geneve(int vni, int optionWords, int type, byte[] payload) {
        ByteBuf b = Unpooled.buffer().writeByte(optionWords).writeByte(0).writeShort(type).writeMedium(vni).writeByte(0);
        for (int k = 0; k < optionWords; k++) {
            b.writeInt(0x01020300 | k); // option class, type, length: opaque to us
        }
        return b.writeBytes(payload);
    }

    static ByteBuf tzsp(int encap, byte[] frame) {
        // padding, an RSSI tag (10, length 1), padding, end
        return Unpooled.buffer().writeByte(1).writeByte(0).writeShort(encap).writeByte(0).writeByte(10).writeByte(1)
                .writeByte(-40).writeByte(0).writeByte(1).writeBytes(frame);
    }

    @Test
    void everyFrameOfACaptureComesOutOfEachEncapsulationWhole() throws Exception {
        List<byte[]> frames = frames();
        assertEquals(39, frames.size());
        for (byte[] f : frames) {
            assertCarries(Decapsulation.Kind.VXLAN, vxlan(0xABCDEF, f), f, 0xABCDEF, Medium.ETHERNET);
            assertCarries(Decapsulation.Kind.GENEVE, geneve(7, 0, Decapsulation.ETHER_BRIDGING, f), f, 7, Medium.ETHERNET);
            assertCarries(Decapsulation.Kind.GENEVE, geneve(7, 3, Decapsulation.ETHER_BRIDGING, f), f, 7, Medium.ETHERNET);
            assertCarries(Decapsulation.Kind.TZSP, tzsp(1, f), f, -1, Medium.ETHERNET);
        }
        assertCarries(Decapsulation.Kind.TZSP, tzsp(18, frames.get(0)), frames.get(0), -1, Medium.WIFI);
    }

    @Test
    void geneveCarryingABareIpPacketSaysWhichEtherTypeToPutInFront() throws Exception {
        byte[] f = frames().get(0);
        byte[] ip = java.util.Arrays.copyOfRange(f, 14, f.length);
        ByteBuf d = geneve(99, 1, 0x0800, ip);
        Decapsulation.Result r = new Decapsulation.Result();
        assertTrue(Decapsulation.parse(Decapsulation.Kind.GENEVE, d, 0, d.readableBytes(), r));
        assertEquals(0x0800, r.bareIpEtherType);
        assertArrayEquals(ip, ByteBufUtil.getBytes(d, r.offset, r.length));
    }

    @Test
    void damagedDatagramsAreNamedNotThrown() throws Exception {
        byte[] f = frames().get(0);
        Object[][] cases = {
            {Decapsulation.Kind.VXLAN, Unpooled.wrappedBuffer(new byte[] {8, 0, 0}), "vxlan: 3 bytes, shorter than its 8-byte header"},
            {Decapsulation.Kind.VXLAN, vxlan(1, f).setByte(0, 0), "vxlan: I flag not set (no valid VNI)"},
            {Decapsulation.Kind.VXLAN, vxlan(1, new byte[10]), "vxlan: inner frame of 10 bytes, shorter than an Ethernet header"},
            {Decapsulation.Kind.GENEVE, geneve(1, 0, Decapsulation.ETHER_BRIDGING, f).setByte(0, 0x40), "geneve: version 1 (only 0 is defined)"},
            {Decapsulation.Kind.GENEVE, geneve(1, 0, Decapsulation.ETHER_BRIDGING, new byte[0]).setByte(0, 5),
                "geneve: options of 20 bytes run past the 8-byte payload"},
            {Decapsulation.Kind.GENEVE, geneve(1, 0, 0x88cc, f), "geneve: protocol type 0x88cc is neither Ethernet nor IP"},
            {Decapsulation.Kind.TZSP, tzsp(1, f).setByte(0, 2), "tzsp: version 2 (only 1 is defined)"},
            {Decapsulation.Kind.TZSP, tzsp(1, f).setByte(1, 1), "tzsp: type 1 is not a received packet (0)"},
            {Decapsulation.Kind.TZSP, tzsp(5, f), "tzsp: encapsulation 5 is not Ethernet (1), Token Ring (2) or 802.11 (18)"},
            {Decapsulation.Kind.TZSP, Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 1, 0, 0, 0}),
                "tzsp: tagged fields run past the payload without an end tag"},
            {Decapsulation.Kind.TZSP, Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 1, 1}), "tzsp: no frame after the tagged fields"},
        };
        for (Object[] c : cases) {
            ByteBuf b = (ByteBuf) c[1];
            Decapsulation.Result r = new Decapsulation.Result();
            assertFalse(Decapsulation.parse((Decapsulation.Kind) c[0], b, b.readerIndex(), b.readableBytes(), r), (String) c[2]);
            assertEquals(c[2], r.malformed);
        }
    }

    @Test
    void randomBytesNeverThrowAndNeverPointOutsideThePayload() {
        Random rnd = new Random(42);
        Decapsulation.Result r = new Decapsulation.Result();
        for (int k = 0; k < 200_000; k++) {
            byte[] p = new byte[rnd.nextInt(80)];
            rnd.nextBytes(p);
            if (p.length > 0 && rnd.nextBoolean()) {
                p[0] = (byte) (rnd.nextBoolean() ? 1 : 8); // past the first check more often
            }
            ByteBuf b = Unpooled.wrappedBuffer(new byte[3], p).copy(); // the payload not at index 0
            for (Decapsulation.Kind kind : Decapsulation.Kind.values()) {
                if (Decapsulation.parse(kind, b, 3, p.length, r)) {
                    assertTrue(r.offset >= 3 && r.length > 0 && r.offset + r.length <= 3 + p.length, kind + " " + r.offset);
                } else {
                    assertNotNull(r.malformed);
                }
            }
        }
    }
}
