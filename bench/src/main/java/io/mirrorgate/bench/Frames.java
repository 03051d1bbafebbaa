package io.mirrorgate.bench;

/** Benchmark frames built by hand: Ethernet + IPv4 (valid checksum) + TCP, padded to size. */
final class Frames {
    private Frames() {
    }

    static byte[] ipv4Tcp(int size) {
        byte[] f = new byte[Math.max(size, 54)];
        int p = 12;
        f[p++] = 0x08;
        f[p++] = 0x00;
        int ipLen = f.length - 14;
        byte[] ip = {0x45, 0, (byte) (ipLen >> 8), (byte) ipLen, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0,
            (byte) 192, (byte) 168, 1, 10, 93, (byte) 184, (byte) 216, 34};
        int sum = 0;
        for (int k = 0; k < 20; k += 2) {
            sum += ((ip[k] & 0xFF) << 8) | (ip[k + 1] & 0xFF);
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = ~((sum & 0xFFFF) + (sum >>> 16)) & 0xFFFF;
        ip[10] = (byte) (sum >> 8);
        ip[11] = (byte) sum;
        System.arraycopy(ip, 0, f, 14, 20);
        byte[] tcp = {(byte) 0xC0, 0x00, 0x00, 0x50, 0x14, 0x34, (byte) 0xBD, (byte) 0xA3, 0, 0, 0, 0, 0x50, 0x18, (byte) 0xFA, (byte) 0xF0};
        System.arraycopy(tcp, 0, f, 34, tcp.length);
        return f;
    }
}
