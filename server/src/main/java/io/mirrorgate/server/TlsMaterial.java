package io.mirrorgate.server;

import io.mirrorgate.protocol.Tls;
import io.netty.channel.socket.SocketChannel;
import java.io.File;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The collector's TLS: the server context for its three ports and the client context for
 * --mirror-out, replaced whole on SIGHUP (connections already accepted keep what they
 * negotiated), and the count of handshakes that failed.
 */
final class TlsMaterial {
    private final boolean on;
    private final LogOnce logOnce;
    private final AtomicLong refused = new AtomicLong();
    private volatile Tls server;
    private volatile Tls client;

    /** From the PEM files; null {@code cert}: no TLS. Throws IllegalArgumentException with the reason. */
    TlsMaterial(File cert, File key, File ca, LogOnce logOnce) {
        this.on = cert != null;
        this.logOnce = logOnce;
        if (on) {
            load(cert, key, ca);
        }
    }

    /** SIGHUP: new material, or IllegalArgumentException leaving the old in place. True if TLS is on. */
    boolean reload(File cert, File key, File ca) {
        if (on) {
            load(cert, key, ca);
        }
        return on;
    }

    private void load(File cert, File key, File ca) {
        Tls s;
        Tls c;
        try {
            s = Tls.server(cert, key, ca);
            c = Tls.client(ca, cert, key);
        } catch (javax.net.ssl.SSLException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("TLS material: " + e.getMessage());
        }
        server = s;
        client = c;
    }

    /** Adds TLS (and its refusal counter) to an accepted connection on {@code port}. */
    void accept(SocketChannel ch, String port) {
        Tls t = server;
        if (t != null) {
            ch.pipeline().addLast(t.handler(ch, null), new TlsGuard(refused, port, logOnce));
        }
    }

    /** TLS for connections the collector makes, or null. */
    Tls client() {
        return client;
    }

    long refused() {
        return refused.get();
    }
}
