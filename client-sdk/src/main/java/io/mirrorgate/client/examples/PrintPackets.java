package io.mirrorgate.client.examples;

import io.mirrorgate.client.MirrorClient;
import io.mirrorgate.protocol.IpPacket;
import java.time.Duration;

/**
 * Prints the packets a collector streams: {@code java -cp mirrorgate.jar
 * io.mirrorgate.client.examples.PrintPackets [HOST [PORT [COUNT]]]} (default 127.0.0.1 5556 10).
 */
public final class PrintPackets {
    private PrintPackets() {
    }

    /**
     * Runs the example.
     *
     * @param args [HOST [PORT [COUNT]]]: the collector's client port and how many packets to print
     * @throws InterruptedException when interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 5556;
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        try (MirrorClient client = MirrorClient.builder(host, port).build().start()) {
            if (!client.awaitConnected(Duration.ofSeconds(30))) {
                System.err.println("no collector at " + host + ":" + port);
                return;
            }
            for (int k = 0; k < count; k++) {
                IpPacket p = client.take();
                System.out.println(p.timestamp() + " " + p.sourceAddress() + ":" + p.sourcePort() + " -> "
                        + p.destinationAddress() + ":" + p.destinationPort() + " proto " + p.ipProtocol()
                        + (p.malformed() != null ? " malformed: " + p.malformed() : ""));
            }
            System.out.println(client.statistics());
        }
    }
}
