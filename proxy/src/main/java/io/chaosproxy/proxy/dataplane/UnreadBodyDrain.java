package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * The HTTP/1.1 request body of an exchange the proxy answers itself (an error fault, a breaker-open
 * 503, a guard's 400) before anyone read it: read and dropped once the answer is out, so that the
 * connection carries the client's next request.
 *
 * <p>Left unread, it makes Jetty close the connection after an answer that did not say so. A client
 * that already put its next request on that connection then fails, and must not resend a POST: one
 * lost request in a test of "503, then a retry". A real backend spares its clients that (nginx
 * discards such a body, Tomcat swallows up to 2 MiB). The answer says {@code Connection: close}
 * instead when the body will not be read: one declared larger than {@link #LIMIT}, one a read-ahead
 * left half read, and one whose client waits for {@code 100 Continue}. A chunked body is read up to
 * the limit, then the connection closes while its client is still sending, not yet reusing it.
 * HTTP/2 needs none of this: an unread stream ends alone.
 */
final class UnreadBodyDrain {
    /** Past this much a new connection costs the client less than the proxy reading a body nobody wants. */
    static final long LIMIT = 1024 * 1024;
    /** A client silent this long is not sending the rest (nginx's {@code lingering_timeout}). */
    static final long QUIET_LIMIT_MILLIS = 5_000;
    /** However it trickles, a drain ends by then (nginx's {@code lingering_time}). */
    static final long TOTAL_LIMIT_MILLIS = 30_000;

    private final Exchange exchange;
    private final Runnable onContent = Invocable.from(Invocable.InvocationType.NON_BLOCKING, this::pump);
    private final AtomicBoolean over = new AtomicBoolean();
    private final long startNanos = System.nanoTime();
    private volatile long dropped;       // written by the pump only: Jetty calls a demand back once
    private long droppedAtLastLook;      // the timer's own
    private volatile ScheduledFuture<?> nextLook;

    private UnreadBodyDrain(Exchange exchange) {
        this.exchange = exchange;
    }

    /**
     * Called before the answer's headers go (it may add {@code Connection: close} to them). Returns
     * what ends the exchange once the answer is out: Jetty's callback at once, or after the drain.
     */
    static Runnable plan(Exchange exchange) {
        Runnable succeed = exchange.clientCallback::succeeded;
        Request request = exchange.clientRequest;
        var answerHeaders = exchange.proxyToClientResponse.getHeaders();
        if (ClientConnections.isMultiplexed(request) || !RequestGuard.hasBody(request)
                || !request.getConnectionMetaData().isPersistent()
                || answerHeaders.contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString())) {
            return succeed;
        }
        return switch (exchange.claimUnreadBody()) {
            case READ -> succeed;
            case PARTLY_READ -> announceClose(exchange);
            // asking an expecting client for its body after a final answer would send a 100 Continue
            // too late; Jetty announces that close itself, and this says it for any version of Jetty
            case UNTOUCHED -> request.getHeaders().contains(HttpHeader.EXPECT) || request.getLength() > LIMIT
                    ? announceClose(exchange)
                    : new UnreadBodyDrain(exchange)::start;
        };
    }

    private static Runnable announceClose(Exchange exchange) {
        exchange.proxyToClientResponse.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        return exchange.clientCallback::succeeded;
    }

    private void start() {
        lookAgainLater();
        pump();
    }

    /** Reads what has arrived, drops it, and asks Jetty for more until the body's end or the limit. */
    private void pump() {
        Request request = exchange.clientRequest;
        while (!over.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                try {
                    request.demand(onContent);
                } catch (IllegalStateException e) {
                    // the timer ended the exchange meanwhile and Jetty let go of the request
                }
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // the client left, idled out or broke its framing: the answer is out, the connection ends
                end(false);
                return;
            }
            dropped += chunk.remaining();
            boolean last = chunk.isLast();
            chunk.release();
            if (last || dropped > LIMIT) {
                // past the limit Jetty closes the connection: its client is still sending, not reusing it
                end(true);
                return;
            }
        }
    }

    /** Every {@link #QUIET_LIMIT_MILLIS}: a client that sent nothing since, or a drain past its total, is cut. */
    private void look() {
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        long now = dropped;
        if (now == droppedAtLastLook || elapsedMillis >= TOTAL_LIMIT_MILLIS) {
            end(false);
            return;
        }
        droppedAtLastLook = now;
        lookAgainLater();
    }

    private void lookAgainLater() {
        if (!over.get()) {
            nextLook = exchange.proxy.core().scheduler().schedule(this::look, QUIET_LIMIT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Once, whoever gets here first. A body not read to its end is a failure to Jetty, which then
     * closes the connection with a FIN after the answer ({@link Exchange.BodyLeftUnread}).
     */
    private void end(boolean success) {
        if (!over.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> look = nextLook;
        if (look != null) {
            look.cancel(false);
        }
        if (success) {
            exchange.clientCallback.succeeded();
        } else {
            exchange.clientCallback.failed(new Exchange.BodyLeftUnread());
        }
    }
}
