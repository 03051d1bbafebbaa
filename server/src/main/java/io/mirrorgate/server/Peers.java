package io.mirrorgate.server;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How peers are named in logs and labelled in /metrics. */
final class Peers {
    private Peers() {
    }

    /** {@code ADDRESS:PORT} of the channel's peer. */
    static String peer(Channel ch) {
        SocketAddress a = ch.remoteAddress();
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    /** The peer's address without the port. */
    static String address(Channel ch) {
        SocketAddress a = ch.remoteAddress();
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    /** The source's name without its kind: "127.0.0.1:40000" of "agent 127.0.0.1:40000". */
    static String nameOf(SourceStats s) {
        String n = s.name.startsWith("pcap client ") ? s.name.substring("pcap client ".length()) : s.name;
        return n.substring(n.indexOf(' ') + 1);
    }

    /** Address without the port, from a source named "agent ADDRESS:PORT" or "subscriber ADDRESS:PORT". */
    static String addressOf(SourceStats s) {
        String n = nameOf(s);
        if (n.indexOf(' ') >= 0) {
            return n; // a virtual agent of a UDP mirror input: "10.0.3.7 vxlan vni 4711", no port to take off
        }
        int colon = n.lastIndexOf(':');
        return colon > 0 ? n.substring(0, colon) : n;
    }
}
