package io.mirrorgate.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /metrics}: the statistics in the Prometheus text exposition format (OpenMetrics when
 * the scraper asks for it). A request whose line or headers are too long gets 431 (or 414) and the
 * connection closes; a request that does not parse gets 400; resets and timeouts close quietly.
 * Every such close is counted, none is logged: a flood of them cannot flood the log.
 */
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_SIZE = 8192;

    private final MetricsExporter exporter;
    private final AtomicLong errors;

    MetricsHandler(MetricsExporter exporter, AtomicLong errors) {
        this.exporter = exporter;
        this.errors = errors;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        DecoderResult dr = req.decoderResult();
        if (dr.isFailure()) {
            errors.incrementAndGet();
            Throwable c = dr.cause();
            HttpResponseStatus status = c instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : c instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : c instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            respond(ctx, req, status, "text/plain; charset=utf-8", status.reasonPhrase() + "\n", false);
            return;
        }
        String path = req.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (req.method() == HttpMethod.GET && path.equals("/metrics")) {
            String accept = req.headers().get(HttpHeaderNames.ACCEPT);
            MetricsExporter.Exposition e = exporter.scrape(accept);
            respond(ctx, req, HttpResponseStatus.OK, e.contentType, e.body, HttpUtil.isKeepAlive(req));
        } else {
            respond(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "try /metrics\n",
                    HttpUtil.isKeepAlive(req));
        }
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String type,
                                Object body, boolean keepAlive) {
        ByteBuf content = body instanceof byte[] ? Unpooled.wrappedBuffer((byte[]) body)
                : Unpooled.copiedBuffer((String) body, StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(res, content.readableBytes());
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            HttpUtil.setKeepAlive(res, false);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Resets, read timeouts, TLS failures, oversize bodies: counted, closed, never logged per connection. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.incrementAndGet();
        ctx.close();
    }
}
