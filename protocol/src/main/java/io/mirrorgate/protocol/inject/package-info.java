/**
 * Putting injection frames onto an adapter: {@link io.mirrorgate.protocol.inject.FrameSender}, its
 * thread and bounded queue, over a Linux AF_PACKET socket with one {@code sendmmsg} per batch
 * ({@link io.mirrorgate.protocol.inject.PacketSocket}) or libpcap's {@code pcap_sendpacket}
 * ({@link io.mirrorgate.protocol.inject.InjectMethod}). Shared by the collector and the agent.
 */
package io.mirrorgate.protocol.inject;
