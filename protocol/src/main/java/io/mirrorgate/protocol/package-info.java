/**
 * Wire formats and the shared decoder, as plain code over {@code ByteBuf}: CommView NCF and NCFX
 * record headers and what differs between the two ({@link io.mirrorgate.protocol.Dialect}), the
 * one record framer of streams and files ({@link io.mirrorgate.protocol.RecordFramer},
 * {@link io.mirrorgate.protocol.RecordStreamDecoderBase}), the IP decoder
 * ({@link io.mirrorgate.protocol.IpDecoder} into a {@link io.mirrorgate.protocol.PacketView}),
 * capture files (NCF, NCFX, pcap, pcapng in; pcap out), injection frames, libpcap filters and TLS
 * material. Nothing here knows about a collector or an application; every other module reads and
 * writes these formats only through this package.
 */
package io.mirrorgate.protocol;
