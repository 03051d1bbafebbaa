package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressTextTest {
    private static String v6(String literal) throws Exception {
        byte[] a = InetAddress.getByName(literal).getAddress();
        if (a.length == 4) { // Java folds ::ffff:a.b.c.d to IPv4; rebuild the mapped form
            byte[] m = new byte[16];
            m[10] = (byte) 0xff;
            m[11] = (byte) 0xff;
            System.arraycopy(a, 0, m, 12, 4);
            a = m;
        }
        return AddressText.of(a);
    }

    @Test
    void rfc5952() throws Exception {
        assertEquals("2001:db8::1", v6("2001:0db8:0000:0000:0000:0000:0000:0001"));
        assertEquals("::", v6("::"));
        assertEquals("::1", v6("::1"));
        assertEquals("1::", v6("1:0:0:0:0:0:0:0"));
        assertEquals("2001:db8:0:1:1:1:1:1", v6("2001:db8:0:1:1:1:1:1"));
        assertEquals("2001:0:0:1::1", v6("2001:0:0:1:0:0:0:1"));
        assertEquals("2001:db8::1:0:0:1", v6("2001:db8:0:0:1:0:0:1"));
        assertEquals("fe80::1:2:3:4", v6("fe80::1:2:3:4"));
        assertEquals("::ffff:192.0.2.1", v6("::ffff:192.0.2.1"));
        assertEquals("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertEquals("2001:db8:aaaa:bbbb:cccc:dddd:0:1", v6("2001:DB8:AAAA:BBBB:CCCC:DDDD:0:1"));
    }

    @Test
    void dottedQuad() {
        assertEquals("0.0.0.0", AddressText.of(new byte[4]));
        assertEquals("255.255.255.255", AddressText.of(new byte[] {-1, -1, -1, -1}));
        assertEquals("10.100.9.200", AddressText.of(new byte[] {10, 100, 9, (byte) 200}));
    }
}
