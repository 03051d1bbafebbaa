package io.mirrorgate.protocol.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mirrorgate.protocol.Libpcap;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * How the sender picks its path. Where AF_PACKET cannot be opened (no such socket family, a
 * seccomp filter, a kernel without it), {@code auto} falls back to libpcap and says why; asked
 * for AF_PACKET, it fails with the reason. A failing AF_PACKET is simulated: this machine has one.
 * The frames themselves are tested on a veth through both paths in the server's InjectionIT.
 */
class FrameSenderTest {
    private static final FrameSender.PacketOpener REFUSED = a -> {
        throw new IOException("AF_PACKET socket: Address family not supported by protocol (EAFNOSUPPORT)");
    };

    @Test
    void autoFallsBackToPcapSendpacketAndSaysWhy() throws Exception {
        Libpcap.require();
        assertNull(PacketSocket.unavailableReason(), "AF_PACKET is what CI's Linux has");
        try (FrameSender s = new FrameSender("lo", InjectMethod.AUTO, 1 << 20, "test-injector",
                FrameSender.Listener.COUNTS_ONLY, REFUSED)) {
            assertEquals("libpcap pcap_sendpacket (AF_PACKET: AF_PACKET socket: Address family not supported by protocol"
                    + " (EAFNOSUPPORT))", s.method());
        }
    }

    @Test
    void afPacketAskedForFailsWithTheReason() {
        IOException e = assertThrows(IOException.class, () -> new FrameSender("lo", InjectMethod.AF_PACKET, 1 << 20,
                "test-injector", FrameSender.Listener.COUNTS_ONLY, REFUSED));
        assertEquals("AF_PACKET socket: Address family not supported by protocol (EAFNOSUPPORT)", e.getMessage());
    }

    @Test
    void autoTakesAfPacketWhereItOpens() throws Exception {
        assertNull(PacketSocket.unavailableReason(), "AF_PACKET is what CI's Linux has");
        try (PacketSocket probe = PacketSocket.open("lo")) {
            // AF_PACKET opens here: the test needs root or CAP_NET_RAW, as CI runs it
        }
        try (FrameSender s = new FrameSender("lo", InjectMethod.AUTO, 1 << 20, "test-injector",
                FrameSender.Listener.COUNTS_ONLY)) {
            assertEquals("AF_PACKET sendmmsg", s.method());
        }
    }

    @Test
    void errnoIsDescribedInTheKernelsWords() {
        assertNull(PacketSocket.unavailableReason(), "AF_PACKET is what CI's Linux has");
        assertEquals("Message too long (EMSGSIZE)", PacketSocket.describe(90));
        assertEquals("Network is down (ENETDOWN)", PacketSocket.describe(100));
    }
}
