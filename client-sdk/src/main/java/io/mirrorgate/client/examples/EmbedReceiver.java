package io.mirrorgate.client.examples;

import io.mirrorgate.client.MirrorReceiver;

/**
 * A receiver for CommView without a collector: start it, then run {@code CV.EXE
 * mirror:THIS_HOST:PORT} on the monitored machine. {@code java -cp mirrorgate.jar
 * io.mirrorgate.client.examples.EmbedReceiver [BIND [PORT]]} (default 0.0.0.0 5555).
 */
public final class EmbedReceiver {
    private EmbedReceiver() {
    }

    /**
     * Runs the example.
     *
     * @param args [BIND [PORT]]: where to accept agents (default 0.0.0.0 5555)
     * @throws InterruptedException when interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        String bind = args.length > 0 ? args[0] : "0.0.0.0";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 5555;
        try (MirrorReceiver rx = MirrorReceiver.builder(bind, port)
                .listener(p -> System.out.println(p.source() + ": " + p.sourceAddress() + " -> " + p.destinationAddress()
                        + " proto " + p.ipProtocol() + " len " + p.capturedLength()))
                .build().start()) {
            System.out.println("waiting for agents on " + rx.address());
            Thread.currentThread().join(); // until interrupted
        }
    }
}
