package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
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
 * discards such a body, Tomcat swallows up to 2 MiB). A body this does not read is announced
 * instead, with {@code Connection: close} in the answer: one too large to be worth reading, one a
 * read-ahead left half-read, and one whose client waits for {@code 100 Continue}, which never comes
 * after a final answer. HTTP/2 needs none of this: an unread stream ends alone.
 */
final class UnreadBodyDrain {
    /** Past this much a new connection costs the client less than the proxy reading a body nobody wants. */
    static final long LIMIT = 1024 * 1024;

    private final Exchange exchange;
    private final Runnable pump = Invocable.from(Invocable.InvocationType.NON_BLOCKING, this::pump);
    private long dropped; // touched by one pump at a time: Jetty calls a demand back once

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
        switch (exchange.claimUnreadBody()) {
            case READ -> {
                return succeed;
            }
            case UNTOUCHED -> {
                if (!request.getHeaders().contains(HttpHeader.EXPECT) && request.getLength() <= LIMIT) {
                    return new UnreadBodyDrain(exchange)::pump;
                }
            }
            case PARTLY_READ -> { }
        }
        answerHeaders.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        return succeed;
    }

    /** Reads what has arrived, drops it, and asks Jetty for more until the body's end or the limit. */
    private void pump() {
        Request request = exchange.clientRequest;
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(pump);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // the client left, or its framing broke: the answer is out, the connection is done
                exchange.clientCallback.failed(new ClientResponses.DroppedConnection(
                        "the client's unread body broke off: " + chunk.getFailure().getMessage()));
                return;
            }
            dropped += chunk.remaining();
            boolean last = chunk.isLast();
            chunk.release();
            if (last || dropped > LIMIT) {
                // past the limit Jetty closes the connection: the client is still uploading, not reusing it
                exchange.clientCallback.succeeded();
                return;
            }
        }
    }
}
