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

    /** Called after the packets of one socket read (a good moment to flush output). */
    default void onReadComplete() {
    }
}
