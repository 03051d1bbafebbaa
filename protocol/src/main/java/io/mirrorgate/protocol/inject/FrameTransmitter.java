package io.mirrorgate.protocol.inject;

/** Puts the frames of a batch onto an adapter, in order, on the one thread that owns it. */
interface FrameTransmitter extends AutoCloseable {
    /** Hears of each frame that could not be sent, with the reason in the kernel's (or libpcap's) words. */
    interface Failures {
        void failed(int index, String reason);
    }

    /**
     * Sends every frame of the batch, in order.
     *
     * @return how many were sent; the others were reported to {@code failures}
     */
    int send(FrameBatch batch, Failures failures);

    /** What sends, for the start-up line: "AF_PACKET sendmmsg" or "libpcap pcap_sendpacket". */
    String method();

    @Override
    void close();
}
