package io.mirrorgate.server;

import io.mirrorgate.protocol.ByteBufCopy;
import io.mirrorgate.protocol.Decapsulation;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.NcfHeader;
import io.mirrorgate.protocol.RecordDirection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --vxlan-port/--geneve-port/--tzsp-port}: mirrors that send UDP (AWS Traffic
 * Mirroring and Azure vTAP: VXLAN; AWS Gateway Load Balancer: GENEVE; MikroTik, Ubiquiti: TZSP).
 * Each datagram's inner frame becomes a record of a <em>virtual agent</em> named by the datagram's
 * source address and VNI, stamped with its arrival time, and takes the path a CommView agent's
 * records take ({@link SourcePath}: the same counters, filter, dedup, analysis, fan-out, files and
 * Kafka). A datagram that does not parse is counted in its source's {@code decap_malformed} and
 * logged once per source and reason; never fatal. A bare IP packet (GENEVE from a Gateway Load
 * Balancer) gets an Ethernet header of zero addresses in front. At most {@link #MAX_SOURCES}
 * virtual agents per input; datagrams from further sources are counted in {@link #overflow}.
 * One event loop drives it; the records of a burst of datagrams share one buffer.
 */
final class UdpMirrorInput extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(UdpMirrorInput.class);
    static final int MAX_SOURCES = 4096;
    /**
     * The receive buffer asked of the kernel, which doubles it for its bookkeeping: forced past
     * net.core.rmem_max where the collector may (CAP_NET_ADMIN), else capped at rmem_max.
     */
    static final int RECEIVE_BUFFER = 16 << 20;

    private final Decapsulation.Kind kind;
    private final ZoneId zone;
    private final Agents agents;
    private final Function<SourceStats, SourcePath> paths;
    private final LogOnce logOnce;
    private final Decapsulation.Result r = new Decapsulation.Result();
    private final Map<Key, Source> sources = new HashMap<>();
    private final Key probe;
    private final List<Source> touched = new ArrayList<>();
    /** Datagrams from sources past {@link #MAX_SOURCES}, dropped. */
    final java.util.concurrent.atomic.AtomicLong overflow = new java.util.concurrent.atomic.AtomicLong();
    private ByteBuf batch;

    /**
     * A virtual agent: its input, source address and VNI (also the collector's key for it among
     * the agents). Lookups reuse one probe; a key is made only for a new source.
     */
    private static final class Key {
        final Decapsulation.Kind kind;
        InetAddress address;
        long vni;

        Key(Decapsulation.Kind kind, InetAddress address, long vni) {
            this.kind = kind;
            this.address = address;
            this.vni = vni;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).kind == kind && ((Key) o).vni == vni && ((Key) o).address.equals(address);
        }

        @Override
        public int hashCode() {
            return (31 * kind.hashCode() + address.hashCode()) * 31 + Long.hashCode(vni);
        }
    }

    private static final class Source {
        final SourceStats stats;
        final SourcePath path;
        long offset;
        boolean touched;

        Source(SourceStats stats, SourcePath path) {
            this.stats = stats;
            this.path = path;
        }
    }

    /**
     * @param paths makes the record path of a new virtual agent from its statistics (the
     *        collector's sink, filter, dedup and analysis)
     */
    UdpMirrorInput(Decapsulation.Kind kind, ZoneId zone, Agents agents, LogOnce logOnce,
                   Function<SourceStats, SourcePath> paths) {
        this.kind = kind;
        this.probe = new Key(kind, null, -1);
        this.zone = zone;
        this.agents = agents;
        this.logOnce = logOnce;
        this.paths = paths;
    }

    private Source source(InetAddress from, long vni) {
        probe.address = from;
        probe.vni = vni;
        Source s = sources.get(probe);
        if (s == null) {
            if (sources.size() >= MAX_SOURCES) {
                overflow.incrementAndGet();
                if (logOnce.first(kind.label + " sources")) {
                    LOG.warn("{}: more than {} sources; datagrams from further ones are dropped and counted", kind.label,
                            MAX_SOURCES);
                }
                return null;
            }
            Key k = new Key(kind, from, vni);
            String name = "agent " + from.getHostAddress() + " " + kind.label + (vni >= 0 ? " vni " + vni : "");
            SourceStats st = new SourceStats(name);
            s = new Source(st, paths.apply(st));
            s.path.peer(Peers.nameOf(st)); // as the statistics, /metrics and the console name it
            st.kind = kind.label.toUpperCase(java.util.Locale.ROOT) + (vni >= 0 ? " VNI " + vni : "");
            s.path.description("virtual agent " + from.getHostAddress() + ", " + st.kind);
            sources.put(k, s);
            agents.virtualConnected(k, st);
        }
        return s;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        ByteBuf c = p.content();
        boolean ok = Decapsulation.parse(kind, c, c.readerIndex(), c.readableBytes(), r);
        if (ok && c.readableBytes() >= Transport.DATAGRAM_SLOT && ctx.channel() instanceof io.netty.channel.epoll.EpollDatagramChannel) {
            ok = false; // it filled its slot of a many-at-a-time read: the kernel cut it there
            r.malformed = "it filled its " + Transport.DATAGRAM_SLOT + "-byte receive slot: a longer datagram, cut there";
        }
        Source s = source(p.sender().getAddress(), r.vni);
        if (s == null) {
            return;
        }
        if (!ok) {
            s.stats.decapMalformed.incrementAndGet();
            if (logOnce.first(s.stats.name + " " + r.malformed.replaceAll("[0-9]+", "N"))) {
                LOG.warn("{}: datagram of {} bytes dropped: {}", s.stats.name, c.readableBytes(), r.malformed);
            }
            return;
        }
        int frameLength = r.length + (r.bareIpEtherType != 0 ? 14 : 0);
        if (batch == null) {
            batch = ctx.alloc().directBuffer(64 << 10);
        }
        java.time.Instant now = java.time.Instant.now(); // the arrival time, to the µs the system clock gives
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        int index = batch.writerIndex();
        NcfHeader.write(batch, frameLength, micros, zone, r.medium, RecordDirection.INBOUND);
        if (r.bareIpEtherType != 0) {
            batch.writeZero(12);
            batch.writeShort(r.bareIpEtherType);
        }
        ByteBufCopy.append(batch, c, r.offset, r.length);
        int length = batch.writerIndex() - index;
        s.path.record(batch, index, length, s.offset);
        s.offset += length;
        if (!s.touched) {
            s.touched = true;
            touched.add(s);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        for (Source s : touched) {
            s.path.endOfRead();
            s.touched = false;
        }
        touched.clear();
        if (batch != null) {
            batch.release();
            batch = null;
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * The collector stops: each virtual agent's conversations end (into --conversations-log) and
     * its filter is freed. On the input's event loop.
     */
    void closeSources() {
        for (Source s : sources.values()) {
            s.path.endOfRead();
            s.path.close();
        }
        sources.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (logOnce.first(kind.label + " " + cause.getClass().getName())) {
            LOG.warn("{} input: {}", kind.label, String.valueOf(cause.getMessage()));
        }
    }

    Decapsulation.Kind kind() {
        return kind;
    }

    /** The dialect the virtual agents' records are written in. */
    static Dialect dialect() {
        return Dialect.NCF;
    }
}
