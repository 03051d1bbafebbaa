package io.mirrorgate.client.examples;

import io.mirrorgate.client.MirrorClient;
import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.PacketView;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.ZoneId;

/**
 * Sends every frame of a capture file for injection through a collector ({@code serve
 * --inject-adapter IF}): {@code java -cp mirrorgate.jar io.mirrorgate.client.examples.InjectPcap
 * FILE [HOST [PORT]]}.
 */
public final class InjectPcap {
    private InjectPcap() {
    }

    /**
     * Runs the example.
     *
     * @param args FILE [HOST [PORT]]: the capture to inject and the collector's client port
     * @throws Exception when the file or the collector fails
     */
    public static void main(String[] args) throws Exception {
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 5556;
        try (MirrorClient client = MirrorClient.builder(host, port).build().start();
             CaptureReader in = CaptureFiles.open(Paths.get(args[0]), ZoneId.systemDefault())) {
            if (!client.awaitConnected(Duration.ofSeconds(30))) {
                System.err.println("no collector at " + host + ":" + port);
                return;
            }
            PacketView v = new PacketView();
            int n = 0;
            while (in.next(v)) {
                byte[] frame = new byte[v.capturedLength()];
                v.buffer().getBytes(v.frameOffset(), frame);
                client.inject(frame);
                n++;
            }
            System.out.println(n + " frames sent for injection");
        }
    }
}
