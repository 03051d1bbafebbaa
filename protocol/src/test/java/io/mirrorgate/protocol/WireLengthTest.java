package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The length on the wire of a frame a mirror cut: from the inner IP header, past VLAN tags; else the captured length. */
class WireLengthTest {
    private static ByteBuf frame(int[] tags, int etherType, int... ip) {
        ByteBuf b = Unpooled.buffer().writeZero(12);
        for (int t : tags) {
            b.writeShort(t).writeShort(100);
        }
        b.writeShort(etherType);
        for (int x : ip) {
            b.writeByte(x);
        }
        return b.writeZero(30);
    }

    @Test
    void ipHeadersGiveTheLengthOnTheWire() {
        ByteBuf v4 = frame(new int[0], 0x0800, 0x45, 0, 0x05, 0xDC); // total length 1500
        assertEquals(1514, WireLength.of(v4, 0, 64, LinkType.ETHERNET));
        ByteBuf v6 = frame(new int[0], 0x86DD, 0x60, 0, 0, 0, 0x04, 0x00); // payload 1024
        assertEquals(14 + 40 + 1024, WireLength.of(v6, 0, 64, LinkType.ETHERNET));
        ByteBuf qinq = frame(new int[] {0x88A8, 0x8100}, 0x0800, 0x45, 0, 0x02, 0x00); // 512
        assertEquals(22 + 512, WireLength.of(qinq, 0, 64, LinkType.ETHERNET));
    }

    @Test
    void anythingElseIsItsCapturedLength() {
        assertEquals(60, WireLength.of(frame(new int[0], 0x0806, 0, 1, 8, 0), 0, 60, LinkType.ETHERNET)); // ARP
        assertEquals(64, WireLength.of(frame(new int[0], 0x0800, 0x45, 0, 0, 20), 0, 64, LinkType.ETHERNET)); // padded
        assertEquals(64, WireLength.of(frame(new int[0], 0x0800, 0x65, 0, 5, 220), 0, 64, LinkType.ETHERNET)); // not v4
        assertEquals(64, WireLength.of(frame(new int[0], 0x86DD, 0x60, 0, 0, 0, 0, 0), 0, 64, LinkType.ETHERNET)); // jumbo
        assertEquals(15, WireLength.of(frame(new int[0], 0x0800, 0x45), 0, 15, LinkType.ETHERNET)); // cut in the header
        assertEquals(10, WireLength.of(frame(new int[0], 0x0800), 0, 10, LinkType.ETHERNET));
        assertEquals(64, WireLength.of(frame(new int[0], 0x0800, 0x45, 0, 5, 220), 0, 64, LinkType.IEEE802_11));
    }
}
