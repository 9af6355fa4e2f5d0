package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.proxy.tracing.RequestIds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * Streams the backend's response to the client: status and headers first, then the body chunk by
 * chunk, each read only after the previous chunk was written (so memory stays flat whatever the
 * body size, and a slow client slows the backend read, not the heap).
 *
 * <p>Bandwidth and mid-body drop faults act here. A throttled stream pauses by scheduling its next
 * step, never by sleeping a thread.
 */
final class ResponseRelay extends IteratingCallback {
    private static final int CHUNK = 16 * 1024;
    /** Throttled streams move in slices of a twentieth of a second, so the rate looks smooth. */
    private static final int SLICES_PER_SECOND = 20;

    private final Exchange exchange;
    private final Response serverToProxyResponse;
    private final BufferedSource upstreamBody;
    private final long bytesPerSecond; // 0 = unthrottled
    private final Drop drop;           // after-headers or mid-body drop, or null
    private final byte[] chunk;
    private long sent;
    private boolean backendFailed;
    private long declaredLength = -1; // the Content-Length the client was promised, -1 when chunked
    private long throttleStartNanos;
    private long pauseNanos;
    private boolean lastWritten;
    private boolean dropped;

    ResponseRelay(Exchange exchange, Response serverToProxyResponse, long bytesPerSecond, Drop drop) {
        this.exchange = exchange;
        this.serverToProxyResponse = serverToProxyResponse;
        this.upstreamBody = serverToProxyResponse.body().source();
        this.bytesPerSecond = bytesPerSecond;
        this.drop = drop;
        int size = CHUNK;
        if (bytesPerSecond > 0) {
            size = (int) Math.max(1, Math.min(CHUNK, bytesPerSecond / SLICES_PER_SECOND));
        }
        this.chunk = new byte[size];
    }

    void start() {
        copyStatusAndHeaders();
        // No client-gone action of its own: closing the backend's response from the thread that
        // noticed (Jetty's selector, say) while this relay reads it on another thread is a race
        // OkHttp does not support, and it once blocked that thread for good. The upstream leg
        // cancels the call instead, which fails a blocked read here; the failure path below then
        // closes the response on the relay's own thread.
        throttleStartNanos = System.nanoTime();
        iterate();
    }

    @Override
    protected Action process() throws Throwable {
        if (lastWritten) {
            return Action.SUCCEEDED;
        }
        if (exchange.isClientGone()) {
            throw new ExchangeHandler.ClientGone(); // noticed during a pause: stop reading the backend
        }
        if (pauseNanos > 0) {
            long pause = pauseNanos;
            pauseNanos = 0;
            exchange.proxy.core().scheduler().schedule(this::resumeAfterPause, pause, TimeUnit.NANOSECONDS);
            return Action.SCHEDULED;
        }
        int max = chunk.length;
        if (drop != null) {
            long left = drop.afterBytes() - sent;
            if (left <= 0) {
                if (!exchange.proxyToClientResponse.isCommitted()) {
                    // after-headers (or mid-body after 0 bytes): the client gets the status and
                    // headers first, then loses the connection
                    exchange.proxyToClientResponse.write(false, ByteBuffer.allocate(0), this);
                    return Action.SCHEDULED;
                }
                dropNow();
                return Action.SCHEDULED; // dropNow() fails this callback
            }
            max = (int) Math.min(max, left);
        }
        int n;
        try {
            n = upstreamBody.read(chunk, 0, max);
        } catch (IOException e) {
            backendFailed = true; // the backend broke the body, not the client
            throw e;
        }
        if (n == -1) {
            lastWritten = true;
            recordDelivered(); // the client cannot finish before this last write
            exchange.proxyToClientResponse.write(true, ByteBuffer.allocate(0), this);
            return Action.SCHEDULED;
        }
        sent += n;
        if (sent == declaredLength) {
            recordDelivered(); // with this chunk a Content-Length client has all it expects
        }
        if (bytesPerSecond > 0) {
            long dueNanos = throttleStartNanos + sent * 1_000_000_000L / bytesPerSecond;
            pauseNanos = Math.max(0, dueNanos - System.nanoTime());
        }
        exchange.proxyToClientResponse.write(false, ByteBuffer.wrap(chunk, 0, n), this);
        return Action.SCHEDULED;
    }

    /**
     * The pause is over: go on in Jetty's pool, never on the scheduler itself. The next step reads
     * the backend, which may block; on the one scheduler thread that would stall every other
     * exchange's latency, backoff and timeout behind one slow backend.
     */
    private void resumeAfterPause() {
        try {
            exchange.clientRequest.getComponents().getExecutor().execute(this::succeeded);
        } catch (RejectedExecutionException e) {
            failed(e); // the proxy is stopping
        }
    }

    @Override
    protected void onCompleteSuccess() {
        serverToProxyResponse.close();
        exchange.clientCallback.succeeded();
        recordDelivered();
    }

    /**
     * Journals the exchange as delivered just before the write that lets the client finish, so a
     * client that holds a complete response always finds its exchange in the journal.
     */
    private void recordDelivered() {
        exchange.complete(serverToProxyResponse.code(), null);
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        serverToProxyResponse.close();
        if (dropped) {
            return; // dropNow() already finished the exchange
        }
        boolean clientSide = exchange.isClientGone() || (!backendFailed && cause instanceof IOException);
        String why = clientSide
                ? "client gone during response body"
                : "response body broken: " + cause.getMessage();
        if (!clientSide && !exchange.proxyToClientResponse.isCommitted()) {
            // nothing reached the client yet: it gets an honest 502, not a status with no body
            exchange.proxyToClientResponse.reset(); // drop the backend's headers set for the relay
            ClientResponses.proxyError(exchange, 502, "backend " + why, java.util.Map.of());
            return;
        }
        // Failing the callback after the headers went out makes Jetty abort the connection, so
        // the client sees a truncated body, never a shortened "complete" one. Quietly: a body cut
        // short is an event for the journal, not a stack trace in the user's test output.
        exchange.clientCallback.failed(new ClientResponses.DroppedConnection(why));
        exchange.complete(serverToProxyResponse.code(), why);
    }

    private void dropNow() {
        dropped = true;
        ClientResponses.abort(exchange, drop.mode(), "dropped (" + drop.mode().wireName() + ") after " + sent + " body bytes");
        failed(new IOException("dropped by fault"));
    }

    private void copyStatusAndHeaders() {
        var response = exchange.proxyToClientResponse;
        response.setStatus(serverToProxyResponse.code());
        HttpFields.Mutable out = response.getHeaders();
        Headers in = serverToProxyResponse.headers();
        Set<String> connectionNamed = HopByHopHeaders.namedIn(in.values("Connection"));
        for (int i = 0, size = in.size(); i < size; i++) {
            String name = in.name(i);
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (HopByHopHeaders.isHopByHop(lower, connectionNamed) || lower.equals("x-request-id")) {
                continue;
            }
            if (lower.equals("x-chaos-proxy-content-encoding")) {
                out.add("Content-Encoding", in.value(i));
                continue;
            }
            out.add(name, in.value(i));
        }
        ResponseBody body = serverToProxyResponse.body();
        if (in.get("Content-Type") == null) {
            MediaType type = body.contentType();
            if (type != null) {
                out.put("Content-Type", type.toString());
            }
        }
        if (in.get("Content-Length") == null && in.get("Transfer-Encoding") == null && body.contentLength() >= 0) {
            out.put("Content-Length", Long.toString(body.contentLength()));
        }
        String via = in.get("Via");
        out.put("Via", via == null ? ProxyIdentity.VIA : via + ", " + ProxyIdentity.VIA);
        out.put(RequestIds.HEADER, exchange.requestId);
        String length = out.get("Content-Length");
        if (length != null && !exchange.method.equals("HEAD")) {
            try {
                declaredLength = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declaredLength = -1; // Jetty will refuse it; the journal then records at the end
            }
        }
    }
}
