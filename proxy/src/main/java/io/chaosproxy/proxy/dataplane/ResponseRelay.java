package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.tracing.RequestIds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Protocol;
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
 * <p>Bandwidth, mid-body drop and mid-body hang faults act here. A throttled stream pauses by
 * scheduling its next step, never by sleeping a thread; a stalled one is parked in a {@link HangHold}
 * until its rule goes, on an open connection (on HTTP/2, only its own stream waits).
 *
 * <p>The backend's trailers follow the body when the client takes them (see {@link TrailerFields}):
 * they are read once the body has ended, before the last write, which hands them to Jetty.
 */
final class ResponseRelay extends IteratingCallback {
    /** The most one write to the client carries, when that much has arrived (16, 32 and 64 KiB compared: src/bench/FINDINGS.md). */
    private static final int CHUNK = 32 * 1024;
    /** Throttled streams move in slices of a twentieth of a second, so the rate looks smooth. */
    private static final int SLICES_PER_SECOND = 20;

    private final Exchange exchange;
    private final Response serverToProxyResponse;
    private final BufferedSource upstreamBody;
    private final long bytesPerSecond; // 0 = unthrottled
    private final Drop drop;           // after-headers or mid-body drop, or null
    private final InstalledRule stall; // mid-body hang rule, or null
    private final long stallAfterBytes;
    private boolean stallOver;         // the stall has begun (it happens once); after it the rest flows
    private long stallStartNanos;
    private volatile boolean stalling; // held now, for the journal's words if the client gives up
    private final byte[] chunk;
    private final boolean pooledChunk;
    private long sent;
    private boolean backendFailed;
    private long declaredLength = -1; // the Content-Length the client was promised, -1 when chunked
    private boolean framedByLength;   // the backend's body ends after its Content-Length (no Transfer-Encoding)
    private long throttleStartNanos;
    private long pauseNanos;
    private boolean lastWritten;
    private boolean dropped;
    private final boolean mayHaveTrailers; // HTTP/2 answers may follow even a Content-Length body with trailers
    private volatile HttpFields trailers;  // the backend's, once its body has ended
    private final boolean grpcCall;
    private final ArrivedBytes arrived; // null when the call carried no tag

    ResponseRelay(Exchange exchange, Response serverToProxyResponse, long bytesPerSecond, Drop drop,
                  InstalledRule stall) {
        this.exchange = exchange;
        this.serverToProxyResponse = serverToProxyResponse;
        this.upstreamBody = serverToProxyResponse.body().source();
        this.bytesPerSecond = bytesPerSecond;
        this.drop = drop;
        this.stall = stall;
        this.stallAfterBytes = stall == null ? 0 : ((Hang) stall.rule().fault()).afterBytes();
        this.grpcCall = GrpcCalls.isCall(exchange.clientRequest);
        AttemptTag tag = serverToProxyResponse.request().tag(AttemptTag.class);
        this.arrived = tag == null ? null : tag.arrived();
        this.mayHaveTrailers = serverToProxyResponse.protocol() == Protocol.HTTP_2
                || serverToProxyResponse.protocol() == Protocol.H2_PRIOR_KNOWLEDGE;
        if (bytesPerSecond > 0) {
            this.chunk = new byte[(int) Math.max(1, Math.min(CHUNK, bytesPerSecond / SLICES_PER_SECOND))];
            this.pooledChunk = false;
        } else {
            this.chunk = Chunks.take();
            this.pooledChunk = true;
        }
    }

    void start() {
        copyStatusAndHeaders();
        if (TrailerFields.clientTakes(exchange.clientRequest)) {
            exchange.proxyToClientResponse.setTrailersSupplier(() -> trailers);
        }
        if (grpcCall) {
            exchange.recordGrpcStatus(GrpcCalls.status(serverToProxyResponse.headers())); // a trailers-only answer
        }
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
        if (stallPending()) {
            long left = stallAfterBytes - sent;
            if (left <= 0) {
                return stallNow();
            }
            max = (int) Math.min(max, left);
        }
        if (drop != null) {
            long left = drop.afterBytes() - sent;
            if (left <= 0) {
                if (!exchange.proxyToClientResponse.isCommitted()) {
                    // after-headers (or mid-body after 0 bytes): the client gets the status and
                    // headers first, then loses the connection
                    exchange.writeToClient(false, ByteBuffer.allocate(0), this);
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
            if (n > 0) {
                n = topUp(n, max);
            }
        } catch (IOException e) {
            backendFailed = true; // the backend broke the body, not the client
            throw e;
        }
        if (n == -1) {
            takeTrailers();
            lastWritten = true;
            recordDelivered(); // the client cannot finish before this last write
            exchange.writeToClient(true, ByteBuffer.allocate(0), this);
            return Action.SCHEDULED;
        }
        sent += n;
        boolean last = false;
        if (sent == declaredLength) {
            recordDelivered(); // with this chunk a Content-Length client has all it expects
            // and the backend's body is over too, so this write can end the response: no empty
            // last write, no read that only finds the end (a drop or a throttle keeps its own steps)
            last = framedByLength && drop == null && bytesPerSecond == 0 && !stallPending() && !mayHaveTrailers;
            lastWritten = last;
        }
        if (bytesPerSecond > 0) {
            long dueNanos = throttleStartNanos + Pacing.nanosFor(sent, bytesPerSecond);
            pauseNanos = Math.max(0, dueNanos - System.nanoTime());
        }
        exchange.writeToClient(last, ByteBuffer.wrap(chunk, 0, n), this);
        return Action.SCHEDULED;
    }

    /**
     * Fills the rest of the chunk, up to {@code max}, with what has already arrived, so that one
     * write to the client carries what OkHttp read in several (see {@link ArrivedBytes}); it never
     * waits for more. Only for a body framed by its length: the connection then carries nothing
     * but this body until its end, so reading bytes that have arrived cannot block.
     */
    private int topUp(int n, int max) throws IOException {
        if (arrived == null || !framedByLength) {
            return n;
        }
        // no look at the socket once the body is all here (a small body comes in one read)
        long upTo = Math.min(max, declaredLength - sent);
        while (n < upTo) {
            long ready = upstreamBody.getBuffer().size();
            if (ready == 0) {
                ready = arrived.waiting();
            }
            if (ready <= 0) {
                return n;
            }
            int more = upstreamBody.read(chunk, n, (int) Math.min(ready, upTo - n));
            if (more <= 0) {
                return n; // the body's end: the next read finds it
            }
            n += more;
        }
        return n;
    }

    private boolean stallPending() {
        return stall != null && !stallOver;
    }

    /**
     * The mid-body hang: status, headers and exactly {@code afterBytes} of body are out (an empty
     * write commits the headers when no byte went yet); now nothing more goes until the rule goes,
     * and then the rest flows. A client that gives up first ends the exchange.
     */
    private Action stallNow() {
        if (!exchange.proxyToClientResponse.isCommitted()) {
            exchange.writeToClient(false, ByteBuffer.allocate(0), this);
            return Action.SCHEDULED;
        }
        stallOver = true;
        stalling = true;
        stallStartNanos = System.nanoTime();
        exchange.watchClient();
        // off the thread that removed the rule: one removal may release thousands of exchanges
        HangHold hold = exchange.proxy.core().holdWhileRuleLasts(stall,
                () -> ExchangeHandler.dispatch(exchange, this::stallEnded),
                () -> ExchangeHandler.dispatch(exchange, this::endedByReset));
        exchange.onClientGone(() -> {
            if (hold.release()) {
                ExchangeHandler.dispatch(exchange, () -> failed(new ExchangeHandler.ClientGone()));
            }
        });
        return Action.SCHEDULED;
    }

    /** A reset removed the stall's rule: the exchange ends as any held one does, cut. */
    private void endedByReset() {
        dropped = true;
        exchange.end(UpstreamAttempt.ENDED_BY_RESET);
        failed(new IOException(UpstreamAttempt.ENDED_BY_RESET));
    }

    private void stallEnded() {
        stalling = false;
        // a throttle counts from where it was, not from before the stall (no burst to catch up)
        throttleStartNanos += System.nanoTime() - stallStartNanos;
        succeeded();
    }

    /**
     * The body has ended, so OkHttp has the trailers at hand. {@code peekTrailers()} takes them as
     * they are; {@code trailers()} would first try to skip the rest of the body, which on an
     * HTTP/1.1 body of known length held a 1000-byte answer about two seconds (BandwidthFaultTest).
     */
    private void takeTrailers() throws IOException {
        okhttp3.Headers backendTrailers;
        try {
            backendTrailers = serverToProxyResponse.peekTrailers();
        } catch (IOException e) {
            backendFailed = true;
            throw e;
        }
        if (backendTrailers == null) {
            return; // none
        }
        trailers = TrailerFields.toClient(backendTrailers);
        Integer grpcStatus = GrpcCalls.status(backendTrailers);
        if (grpcCall && grpcStatus != null) {
            exchange.recordGrpcStatus(grpcStatus);
        }
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
        if (pooledChunk) {
            Chunks.give(chunk); // every write has completed: nothing reads the chunk any more
        }
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
        // The chunk is not given back: a write failed because the client did may still be
        // flushing it, and another exchange's bytes must never land in a buffer on its way out.
        serverToProxyResponse.close();
        if (dropped) {
            return; // dropNow() already finished the exchange
        }
        boolean clientSide = exchange.isClientGone() || (!backendFailed && cause instanceof IOException);
        String why = clientSide && stalling
                ? "client gave up during a mid-body hang after " + sent + " body bytes"
                : clientSide
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
        int size = in.size();
        Set<String> connectionNamed = Set.of();
        for (int i = 0; i < size; i++) {
            if (in.name(i).equalsIgnoreCase("Connection")) {
                connectionNamed = HopByHopHeaders.namedIn(in.values("Connection")); // rare: only then a set
                break;
            }
        }
        boolean hasContentType = false;
        boolean hasContentLength = false;
        boolean hasTransferEncoding = false;
        String contentLength = null; // the first one the client gets
        String via = null;
        for (int i = 0; i < size; i++) {
            String name = in.name(i);
            // what the backend sent at all, whatever its Connection header names
            if (name.equalsIgnoreCase("Content-Type")) {
                hasContentType = true;
            } else if (name.equalsIgnoreCase("Content-Length")) {
                hasContentLength = true;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                hasTransferEncoding = true;
            } else if (name.equalsIgnoreCase("Via")) {
                via = in.value(i); // the last one; the client gets it with ours appended, below
                continue;
            }
            if (HopByHopHeaders.isHopByHopAnyCase(name, connectionNamed) || name.equalsIgnoreCase(RequestIds.HEADER)) {
                continue;
            }
            String value = in.value(i);
            if (name.equalsIgnoreCase(FaithfulHeadersInterceptor.HIDDEN_CONTENT_ENCODING)) {
                out.add("Content-Encoding", value);
                continue;
            }
            if (contentLength == null && name.equalsIgnoreCase("Content-Length")) {
                contentLength = value;
            }
            out.add(name, value);
        }
        ResponseBody body = serverToProxyResponse.body();
        if (!hasContentType) {
            MediaType type = body.contentType();
            if (type != null) {
                out.put("Content-Type", type.toString());
            }
        }
        if (!hasContentLength && !hasTransferEncoding && body.contentLength() >= 0) {
            contentLength = Long.toString(body.contentLength());
            out.put("Content-Length", contentLength);
        }
        out.put("Via", via == null ? ProxyIdentity.VIA : via + ", " + ProxyIdentity.VIA);
        out.put(RequestIds.HEADER, exchange.requestId);
        framedByLength = !hasTransferEncoding;
        if (contentLength != null && !exchange.method.equals("HEAD")) {
            try {
                declaredLength = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                declaredLength = -1; // Jetty will refuse it; the journal then records at the end
            }
        }
    }

    /**
     * Relay chunks of finished exchanges, kept for the next ones, so an exchange allocates no
     * 32 KiB buffer of its own. A bounded queue (one short lock per take and give): it hands out a
     * kept chunk whenever it has one and keeps every chunk given back while it has room. Lock-free
     * slots probed from a random start do neither: full and empty slots clump, and under load 7%
     * of takes found no chunk while 7% of gives found no room.
     */
    private static final class Chunks {
        /** At most 8 MiB kept, enough for hundreds of exchanges in flight at once. */
        private static final ArrayBlockingQueue<byte[]> FREE = new ArrayBlockingQueue<>(256);

        private Chunks() {}

        static byte[] take() {
            byte[] chunk = FREE.poll();
            return chunk != null ? chunk : new byte[CHUNK];
        }

        static void give(byte[] chunk) {
            FREE.offer(chunk); // full: the chunk goes to the garbage collector
        }
    }
}
