package io.mirrorgate.protocol;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.File;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS for both ports and every client (Netty {@link SslHandler}, JDK provider), from PEM files.
 * A server with a CA requires client certificates signed by it (mutual TLS). Clients always verify
 * the server's certificate against their CA and its host name. There is no plaintext fallback: a
 * peer that does not speak TLS fails the handshake and is closed.
 */
public final class Tls {
    private final SslContext context;
    private final boolean client;

    private Tls(SslContext context, boolean client) {
        this.context = context;
        this.client = client;
    }

    /**
     * A server context: {@code cert} and {@code key} (PEM, PKCS#8 key), and with {@code ca}
     * (PEM) client certificates signed by it are required.
     *
     * @param cert the certificate (PEM)
     * @param key its key (PEM, PKCS#8)
     * @param ca the CA client certificates must be signed by, or null
     * @return the server settings
     * @throws SSLException when the material does not load
     */
    public static Tls server(File cert, File key, File ca) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forServer(cert, key);
        if (ca != null) {
            b.trustManager(ca).clientAuth(ClientAuth.REQUIRE);
        }
        return new Tls(b.build(), false);
    }

    /**
     * A client context that trusts {@code ca} (PEM; null: the JDK's default trust store) and, with
     * {@code cert} and {@code key}, presents a client certificate.
     *
     * @param ca the CA to trust, or null for the JDK's trust store
     * @param cert a client certificate, or null
     * @param key its key, or null
     * @return the client settings
     * @throws SSLException when the material does not load
     */
    public static Tls client(File ca, File cert, File key) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (ca != null) {
            b.trustManager(ca);
        }
        if (cert != null && key != null) {
            b.keyManager(cert, key);
        }
        return new Tls(b.build(), true);
    }

    /**
     * The handler to put first in a channel's pipeline (clients verify {@code peer}'s host name).
     *
     * @param ch the channel
     * @param peer the peer a client verifies, or null on a server
     * @return the handler
     */
    public SslHandler handler(Channel ch, InetSocketAddress peer) {
        if (!client) {
            return context.newHandler(ch.alloc());
        }
        SslHandler h = context.newHandler(ch.alloc(), peer.getHostString(), peer.getPort());
        SSLEngine engine = h.engine();
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
        return h;
    }

    /**
     * Wraps a connected plain socket in TLS as a client (certificate and host name verified) and
     * completes the handshake; for blocking tools that do not use Netty.
     *
     * @param plain a connected socket
     * @param peer the server, whose host name is verified
     * @return the TLS socket, handshake done
     * @throws java.io.IOException when the handshake fails
     */
    public java.net.Socket wrap(java.net.Socket plain, InetSocketAddress peer) throws java.io.IOException {
        if (!client || !(context instanceof io.netty.handler.ssl.JdkSslContext)) {
            throw new IllegalStateException("a JDK client context is needed to wrap a socket");
        }
        javax.net.ssl.SSLContext jdk = ((io.netty.handler.ssl.JdkSslContext) context).context();
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) jdk.getSocketFactory().createSocket(plain, peer.getHostString(),
                peer.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }
}
