package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import io.chaosproxy.proxy.tracing.RequestIds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.QuietException;
import org.eclipse.jetty.util.Callback;

/** The answers the proxy makes itself: its own errors, injected error responses, dropped connections. */
final class ClientResponses {
    private ClientResponses() {}

    /** 502/503/504 and friends: {@code {"error": "...", "requestId": "..."}}. */
    static void proxyError(Exchange exchange, int status, String message, Map<String, String> extraHeaders) {
        if (exchange.proxyToClientResponse.isCommitted()) {
            // too late for a status: the client must see a broken response, and on HTTP/2 only this stream breaks
            abort(exchange, ClientConnections.isMultiplexed(exchange.clientRequest) ? DropMode.RESET : DropMode.CLOSE, message);
            return;
        }
        HttpFields.Mutable headers = exchange.proxyToClientResponse.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, ProxyErrorBody.CONTENT_TYPE);
        extraHeaders.forEach(headers::put);
        send(exchange, status, ProxyErrorBody.json(message, exchange.requestId), message);
    }

    /** An error fault: exactly the status, headers and body the rule says, plus the request id. */
    static void injectedError(Exchange exchange, ErrorResponse error) {
        HttpFields.Mutable headers = exchange.proxyToClientResponse.getHeaders();
        if (error.isGrpc()) {
            // trailers-only: one HEADERS frame that ends the stream, which gRPC reads as the call's status
            GrpcCalls.trailersOnlyHeaders(error).forEach(headers::put);
            exchange.recordGrpcStatus(error.grpcStatus());
            send(exchange, error.status(), new byte[0], null);
            return;
        }
        error.headers().forEach(headers::put);
        if (!error.headers().keySet().stream().anyMatch(name -> name.equalsIgnoreCase("Content-Type")) && !error.body().isEmpty()) {
            headers.put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        }
        send(exchange, error.status(), error.body().getBytes(StandardCharsets.UTF_8), null);
    }

    /** Answers directly, never reaching a backend: Max-Forwards 0, refusals, and the errors above. */
    static void send(Exchange exchange, int status, byte[] body, String error) {
        var response = exchange.proxyToClientResponse;
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(RequestIds.HEADER, exchange.requestId);
        headers.put(HttpHeader.CONTENT_LENGTH, Long.toString(body.length));
        Runnable answered = UnreadBodyDrain.plan(exchange); // before the headers go: it may add Connection: close
        // Recorded before the write: once the client holds the whole answer, a test that reads the
        // journal must find it there (and in request order).
        exchange.complete(status, error);
        exchange.writeToClient(true, ByteBuffer.wrap(body), Callback.from(
                answered,
                failure -> exchange.clientCallback.failed(new DroppedConnection("client gone: " + failure.getMessage()))));
    }

    /** Quiet: a dropped connection is the point of the exercise, not a server error worth a stack trace. */
    static final class DroppedConnection extends IOException implements QuietException {
        DroppedConnection(String reason) {
            super(reason);
        }
    }

    /**
     * Ends the exchange without a (complete) response. The client sees a connection error or a
     * truncated body, as it would if the real backend had died.
     *
     * <p>HTTP/1.1: RESET sends a TCP RST (SO_LINGER 0, then close), CLOSE a FIN. HTTP/2: RESET sends
     * RST_STREAM (INTERNAL_ERROR) for this exchange's stream alone, and other streams on the
     * connection go on; CLOSE closes the whole connection with a FIN, as a crashed server would,
     * so every stream on it fails. An exchange whose client already left ends its stream only.
     */
    static void abort(Exchange exchange, DropMode mode, String reason) {
        if (exchange.brokenRequest() != null && !exchange.proxyToClientResponse.isCommitted()) {
            exchange.giveUp(); // the client is still there, waiting for the 400 its broken request earns
            return;
        }
        var request = exchange.clientRequest;
        if (ClientConnections.isMultiplexed(request) && (mode == DropMode.RESET || exchange.isClientGone())) {
            ClientConnections.resetStream(request);
        } else {
            ClientConnections.closeConnection(request, mode == DropMode.RESET);
        }
        // After the headers went out (after-headers, mid-body) the client did get a status: journal
        // that one, with the drop as the error beside it.
        Integer statusSent = exchange.proxyToClientResponse.isCommitted() ? exchange.proxyToClientResponse.getStatus() : null;
        exchange.clientCallback.failed(new DroppedConnection(reason));
        exchange.complete(statusSent, reason);
    }
}
