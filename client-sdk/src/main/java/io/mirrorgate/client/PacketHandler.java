package io.mirrorgate.client;

import io.mirrorgate.protocol.PacketView;

/**
 * Advanced, allocation-free access: called on the network thread for every record with a view
 * that is valid only during the call (copy what you keep with
 * {@link io.mirrorgate.protocol.IpPacket#of(PacketView)}). Must not block for long: the network
 * thread waits for it, and the collector drops (and counts) what this connection cannot take.
 */
@FunctionalInterface
public interface PacketHandler {
    /**
     * One decoded packet; the view is valid during the call only.
     *
     * @param view the packet
     */
    void onPacket(PacketView view);

    /**
     * False when the handler uses only the record and the frame (time, lengths, link type, the
     * bytes; as a pcap writer or a BPF filter does): the IP decoding is then skipped and the view's
     * IP fields are those of a frame without IP. Asked once, when the handler is installed.
     *
     * @return whether the view's IP fields are needed (default true)
     */
    default boolean needsIpFields() {
        return true;
    }

    /** Called after the packets of one socket read (a good moment to flush output). */
    default void onReadComplete() {
    }
}
