package io.mirrorgate.protocol.inject;

import java.io.IOException;

/**
 * {@link PacketSocket}: a batch in one sendmmsg (1,024 frames at most per call). An interface that
 * disappeared (ENODEV/ENXIO) is looked up again by name once per batch, so a re-created interface
 * is used again; one that is down fails with ENETDOWN until it comes back up.
 */
final class PacketTransmitter implements FrameTransmitter {
    private final String adapter;
    private PacketSocket socket;

    PacketTransmitter(String adapter, PacketSocket opened) {
        this.adapter = adapter;
        this.socket = opened;
    }

    @Override
    public int send(FrameBatch batch, Failures failures) {
        int n = batch.count();
        long base = batch.address();
        int[] offsets = batch.offsets();
        int[] lengths = batch.lengths();
        int failed = 0;
        boolean reopened = false;
        int k = 0;
        while (k < n) {
            if (socket == null) {
                try {
                    socket = PacketSocket.open(adapter);
                } catch (IOException e) {
                    String why = "adapter " + adapter + " cannot be opened: " + e.getMessage();
                    for (; k < n; k++) {
                        failures.failed(k, why);
                        failed++;
                    }
                    break;
                }
            }
            int[] refused = {0};
            boolean mayReopen = !reopened;
            int next = socket.send(base, offsets, lengths, k, n, (index, errno) -> {
                if (mayReopen && Errno.interfaceGone(errno)) {
                    return false;
                }
                failures.failed(index, PacketSocket.describe(errno));
                refused[0]++;
                return true;
            });
            failed += refused[0];
            if (next < n) { // the interface went away: look it up again, retry this frame once
                socket.close();
                socket = null;
                reopened = true;
            }
            k = next;
        }
        return n - failed;
    }

    @Override
    public String method() {
        return "AF_PACKET sendmmsg";
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
