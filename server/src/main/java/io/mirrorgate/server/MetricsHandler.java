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
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metrics port. {@code GET /metrics}: the statistics in the Prometheus text exposition format
 * (OpenMetrics when the scraper asks for it). {@code GET /}: the web console, a page bundled in the
 * jar, and its read-only JSON API ({@link ConsoleApi}): {@code /api/status}, {@code /api/rates},
 * {@code /api/conversations?top=N&sort=bytes|retransmissions}, and {@code /api/events}, a
 * Server-Sent Events stream of the status once a second (a client that does not read is skipped,
 * never buffered for). GET only: the console changes nothing. A request whose line or headers are too long gets 431 (or 414) and the
 * connection closes; a request that does not parse gets 400; resets and timeouts close quietly.
 * Every such close is counted, none is logged: a flood of them cannot flood the log.
 */
final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_SIZE = 8192;

    /** Most conversations /api/conversations returns. */
    static final int MAX_TOP = 100;
    private static final long EVENTS_EVERY_MS = 1000;
    private static final byte[] PAGE = page();

    private final MetricsExporter exporter;
    private final ConsoleApi console;
    private final AtomicLong errors;

    MetricsHandler(MetricsExporter exporter, ConsoleApi console, AtomicLong errors) {
        this.exporter = exporter;
        this.console = console;
        this.errors = errors;
    }

    private static byte[] page() {
        try (java.io.InputStream in = MetricsHandler.class.getResourceAsStream("console/index.html")) {
            return in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("the web console's page is missing from the jar", e);
        }
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
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.method() != HttpMethod.GET) {
            respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "read-only: GET only\n", keepAlive);
            return;
        }
        String json = "application/json";
        switch (path) {
            case "/metrics": {
                String accept = req.headers().get(HttpHeaderNames.ACCEPT);
                MetricsExporter.Exposition e = exporter.scrape(accept);
                respond(ctx, req, HttpResponseStatus.OK, e.contentType, e.body, keepAlive);
                break;
            }
            case "/":
            case "/index.html":
                respond(ctx, req, HttpResponseStatus.OK, "text/html; charset=utf-8", PAGE, keepAlive);
                break;
            case "/api/status":
                respond(ctx, req, HttpResponseStatus.OK, json, console.status(), keepAlive);
                break;
            case "/api/rates":
                respond(ctx, req, HttpResponseStatus.OK, json, console.rates(), keepAlive);
                break;
            case "/api/conversations": {
                io.netty.handler.codec.http.QueryStringDecoder query = new io.netty.handler.codec.http.QueryStringDecoder(req.uri());
                int top = 20;
                String sort = "bytes";
                try {
                    top = Integer.parseInt(query.parameters().getOrDefault("top", List.of("20")).get(0));
                    sort = query.parameters().getOrDefault("sort", List.of("bytes")).get(0);
                } catch (NumberFormatException e) {
                    top = -1;
                }
                if (top < 1 || top > MAX_TOP || !(sort.equals("bytes") || sort.equals("retransmissions"))) {
                    respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8",
                            "top=1.." + MAX_TOP + ", sort=bytes|retransmissions\n", keepAlive);
                    break;
                }
                byte[] body = console.conversations(top, sort.equals("retransmissions"));
                if (body == null) {
                    respond(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                            "conversations need serve --analysis\n", keepAlive);
                } else {
                    respond(ctx, req, HttpResponseStatus.OK, json, body, keepAlive);
                }
                break;
            }
            case "/api/events":
                events(ctx);
                break;
            default:
                respond(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                        "try / (the console), /api/status or /metrics\n", keepAlive);
        }
    }

    /**
     * Server-Sent Events: the status now and once a second after, as {@code data:} lines. The
     * connection leaves the idle timeout (it is a stream); an update the client has not taken
     * when the next is due is skipped, so a client that stops reading costs at most one.
     */
    private void events(ChannelHandlerContext ctx) {
        io.netty.handler.codec.http.HttpResponse res = new io.netty.handler.codec.http.DefaultHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        HttpUtil.setTransferEncodingChunked(res, true);
        if (ctx.pipeline().get(io.netty.handler.timeout.ReadTimeoutHandler.class) != null) {
            ctx.pipeline().remove(io.netty.handler.timeout.ReadTimeoutHandler.class);
        }
        ctx.write(res);
        ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.copiedBuffer("retry: 1000\n\n",
                StandardCharsets.UTF_8)));
        io.netty.util.concurrent.ScheduledFuture<?> task = ctx.executor().scheduleAtFixedRate(() -> {
            if (ctx.channel().isWritable()) {
                byte[] status = console.latestStatus(); // made by the sampler: nothing is computed here
                ByteBuf b = ctx.alloc().buffer(status.length + 8);
                b.writeBytes(DATA).writeBytes(status).writeBytes(END);
                ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(b));
            }
        }, 0, EVENTS_EVERY_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> task.cancel(false));
    }

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

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
