package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Mirror copies (testdata/mirrored.pcap, make_mirrored.py: impaired.pcap's first 700 frames with a
 * second agent's identical copy of every third and a SPAN copy with a lower TTL of every fifth):
 * every copy is flagged mirror_duplicate and nothing else, and every other frame gets exactly the
 * flags it gets in the capture without copies: no retransmission and no duplicate ACK from a copy.
 */
class MirrorDuplicatesTest {
    @Test
    void copiesAreFlaggedAndChangeNoOtherFlag() throws IOException {
        Set<Integer> copies = new HashSet<>();
        for (String l : Files.readAllLines(Fixtures.path("mirrored.copies"))) {
            copies.add(Integer.parseInt(l.trim()));
        }
        List<String> clean = TcpAnalysisTest.ours("impaired.pcap", TcpAnalysis.Rules.MIRROR);
        List<String> mirrored = TcpAnalysisTest.ours("mirrored.pcap", TcpAnalysis.Rules.MIRROR);
        int k = 0;
        int flaggedByTsharkRules = 0;
        List<String> wireshark = TcpAnalysisTest.ours("mirrored.pcap", TcpAnalysis.Rules.WIRESHARK);
        for (int n = 1; n <= mirrored.size(); n++) {
            if (copies.contains(n)) {
                assertEquals("mirror_duplicate", mirrored.get(n - 1), "copy at frame " + n);
                flaggedByTsharkRules += wireshark.get(n - 1).isEmpty() ? 0 : 1;
            } else {
                assertEquals(clean.get(k), mirrored.get(n - 1), "frame " + n + " (frame " + (k + 1) + " without copies)");
                k++;
            }
        }
        assertEquals(700, k);
        System.out.println("mirrored.pcap: " + copies.size() + " copies, all flagged mirror_duplicate only; "
                + "Wireshark's rules flag " + flaggedByTsharkRules + " of them");
        assertTrue(flaggedByTsharkRules > copies.size() / 2, "the fixture has copies Wireshark takes for resends");
    }

    private static PacketView tcp(ByteBuf b, int ipId, int ttl, long micros) {
        b.clear();
        b.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).writeShort(0x0800);
        b.writeByte(0x45).writeByte(0).writeShort(45).writeShort(ipId).writeShort(0x4000).writeByte(ttl).writeByte(6)
                .writeShort(ttl * 7);
        b.writeInt(0x0A000001).writeInt(0x0A000002);
        b.writeShort(40000).writeShort(80).writeInt(1000).writeInt(2000).writeByte(0x50).writeByte(0x18)
                .writeShort(8192).writeShort(0x1234).writeShort(0);
        b.writeBytes("hello".getBytes());
        PacketView v = new PacketView();
        v.startRecord(micros, b.readableBytes(), b.readableBytes(), Medium.ETHERNET);
        IpDecoder.decode(b, 0, b.readableBytes(), LinkType.ETHERNET, v);
        return v;
    }

    @Test
    void aCopyIsSameHeadersButTtlWithinTheWindow() {
        MirrorDuplicates d = new MirrorDuplicates(100_000, 1024);
        ByteBuf b = Unpooled.buffer();
        assertFalse(d.isDuplicate(tcp(b, 7, 64, 1_000_000)));
        assertTrue(d.isDuplicate(tcp(b, 7, 63, 1_000_003)), "a SPAN copy: TTL and checksum differ");
        assertTrue(d.isDuplicate(tcp(b, 7, 64, 1_050_000)), "a second agent's copy 50 ms later");
        assertFalse(d.isDuplicate(tcp(b, 8, 64, 1_060_000)), "the sender's resend: a new identification");
        assertFalse(d.isDuplicate(tcp(b, 7, 64, 1_300_000)), "past the window: not taken for a copy");
        assertEquals(2, d.duplicates());
    }
}
