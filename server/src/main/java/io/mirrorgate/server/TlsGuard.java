package io.mirrorgate.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind the {@link io.netty.handler.ssl.SslHandler} of every TLS connection: a failed
 * handshake (a plaintext peer, an expired or untrusted certificate, no client certificate under
 * mutual TLS) is counted, logged once per address and reason, and the connection closed. There is
 * no fallback to plaintext.
 */
final class TlsGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsGuard.class);

    private final AtomicLong refused;
    private final String port;
    private final LogOnce logOnce;
    private boolean done;

    TlsGuard(AtomicLong refused, String port, LogOnce logOnce) {
        this.refused = refused;
        this.port = port;
        this.logOnce = logOnce;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
            if (!e.isSuccess() && !done) {
                done = true;
                refused.incrementAndGet();
                String who = Peers.peer(ctx.channel());
                String why = reason(e.cause());
                String host = who.substring(0, Math.max(0, who.lastIndexOf(':')));
                if (logOnce.first(host + " TLS " + why)) {
                    LOG.warn("refused {} on the {} port: TLS handshake failed: {}", who, port, why);
                }
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (!ctx.channel().isActive() || done || isTls(cause)) {
            ctx.close(); // reported by the handshake event
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private static boolean isTls(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (t instanceof io.netty.handler.ssl.NotSslRecordException || root instanceof io.netty.handler.ssl.NotSslRecordException) {
            return "not TLS (a plaintext peer on a TLS port)";
        }
        String m = String.valueOf(root.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
