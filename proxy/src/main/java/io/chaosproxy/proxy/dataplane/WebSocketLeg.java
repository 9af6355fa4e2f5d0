package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.tracing.RequestIds;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Headers;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.Buffer;
import okio.BufferedSource;
import okio.ByteString;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;

/**
 * The upstream leg of a WebSocket exchange: the handshake is made with the backend first (OkHttp's
 * WebSocket client), and only once the backend has said 101 is the client upgraded too, with the
 * subprotocol the backend chose. A backend that refuses the upgrade has its answer relayed as it is,
 * so the client sees the backend's 403 or 404, not a made-up one.
 *
 * <p>Client faults were applied before this leg started (a latency delayed the handshake; an error,
 * a drop before the response or a hang answered instead). Upstream faults act on the handshake as
 * they do on an HTTP attempt: a latency delays it, an error answers in the backend's place, a drop
 * is a reset, a hang holds it until the try timeout. One attempt, no retry: a handshake is the start
 * of a conversation the proxy cannot replay.
 */
final class WebSocketLeg extends WebSocketListener implements UpstreamAttempt.Steps {
    /** The client's half of the handshake; OkHttp makes its own with the backend. */
    private static final Set<String> HANDSHAKE_HEADERS = Set.of(
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept");
    /** Of a refused upgrade's body, this much is relayed; such answers are short. */
    private static final long REFUSAL_BODY_LIMIT = 64 * 1024;
    private static final Object COMPONENTS_LOCK = new Object();

    private final Exchange exchange;
    private final ProxyRuntime proxy;
    private final FaultDecision clientFaults;
    private final AtomicBoolean opened = new AtomicBoolean(); // the backend said 101: settled, and for good
    private UpstreamAttempt attempt;
    private Backend backend;
    private volatile WebSocketSession session;

    WebSocketLeg(Exchange exchange, FaultDecision clientFaults) {
        this.exchange = exchange;
        this.proxy = exchange.proxy;
        this.clientFaults = clientFaults;
    }

    /** A WebSocket opening handshake (RFC 6455 section 4.1): a GET asking to upgrade to "websocket". */
    static boolean isRequested(Request request) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        HttpFields headers = request.getHeaders();
        String upgrade = headers.get(HttpHeader.UPGRADE);
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket")
                && headers.contains(HttpHeader.CONNECTION, "upgrade");
    }

    /** What Jetty's handshaker will insist on once the backend has said yes. */
    private static boolean isComplete(Request request) {
        HttpFields headers = request.getHeaders();
        return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1
                && "13".equals(headers.get(HttpHeader.SEC_WEBSOCKET_VERSION)) && headers.get(HttpHeader.SEC_WEBSOCKET_KEY) != null;
    }

    void start() {
        if (!isComplete(exchange.clientRequest)) {
            // refused before any backend hears of it: the client could not have used the session anyway
            ClientResponses.proxyError(exchange, 400,
                    "not a valid WebSocket handshake: HTTP/1.1, Sec-WebSocket-Version 13 and a Sec-WebSocket-Key are needed", Map.of());
            return;
        }
        BackendChoice.Admitted admitted = BackendChoice.admit(exchange, List.of());
        if (admitted == null) {
            return; // answered already
        }
        backend = admitted.backend();
        // one attempt, no retry, and the exchange deadline does not cut the handshake short
        attempt = UpstreamAttempt.of(exchange, admitted, UpstreamAttempt.NO_DEADLINE, this);
        attempt.start();
        exchange.onClientGone(this::clientGone);
    }

    /** After the injected latency and any upstream hang: the handshake with the backend. */
    @Override
    public void send() {
        okhttp3.Request request;
        try {
            okhttp3.Request.Builder builder = UpstreamRequests.build(exchange, backend, null,
                    AttemptTag.of(exchange, attempt.faults())).newBuilder();
            for (String name : HANDSHAKE_HEADERS) {
                builder.removeHeader(name);
            }
            request = builder.build();
        } catch (RuntimeException e) {
            if (attempt.settle()) {
                attempt.withdraw();
                ClientResponses.proxyError(exchange, 502, "the request could not be forwarded: " + e.getMessage(), Map.of());
            }
            return;
        }
        WebSocket upstream = proxy.webSocketClient(request.url()).newWebSocket(request, this);
        // stopped if it timed out or the client left meanwhile; not when a fast backend has already
        // opened the session (that once cancelled healthy sessions under load)
        attempt.inFlight(() -> {
            if (!opened.get()) {
                upstream.cancel();
            }
        });
    }

    // ---- the backend's answer to the handshake ----

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        opened.set(true); // before settling: send() must not take this settle for a timeout
        if (!attempt.settle()) {
            webSocket.cancel();
            return;
        }
        attempt.answered(response.code());
        session = new WebSocketSession(exchange, webSocket, clientFaults, attempt.faults());
        upgradeClient(response);
    }

    /** The client's half: Jetty's handshaker answers 101 with the backend's subprotocol and headers. */
    private void upgradeClient(Response backendAnswer) {
        Request clientRequest = exchange.clientRequest;
        var response = exchange.proxyToClientResponse;
        copyEndToEndHeaders(backendAnswer.headers(), response.getHeaders());
        response.getHeaders().put(RequestIds.HEADER, exchange.requestId);
        String subprotocol = backendAnswer.header("Sec-WebSocket-Protocol");
        if (subprotocol != null && !offeredByClient(subprotocol)) {
            session.abandon("backend chose subprotocol " + subprotocol + ", which the client did not offer");
            response.getHeaders().clear();
            ClientResponses.proxyError(exchange, 502, "backend " + backend.label() + " chose WebSocket subprotocol '"
                    + subprotocol + "', which the client did not offer", Map.of());
            return;
        }
        WebSocketNegotiator.AbstractNegotiator negotiator = new WebSocketNegotiator.AbstractNegotiator() {
            @Override
            public FrameHandler negotiate(ServerUpgradeRequest upgradeRequest, ServerUpgradeResponse upgradeResponse,
                                          Callback callback) {
                if (subprotocol != null) {
                    upgradeResponse.setAcceptedSubProtocol(subprotocol);
                }
                return session;
            }
        };
        WebSocketSession.configure(negotiator);
        WebSocketComponents components = components(clientRequest.getConnectionMetaData().getConnector().getServer());
        boolean answered;
        exchange.stopWatching(); // the upgraded connection reads the client from now on
        try {
            // a 101 that never reaches the client (it left meanwhile) opens no session: close the books
            Callback upgraded = Callback.from(exchange.clientCallback::succeeded, failure -> {
                session.clientNeverOpened("client gone during the WebSocket handshake: " + failure.getMessage());
                exchange.clientCallback.failed(failure);
            });
            answered = Handshaker.newInstance().upgradeRequest(negotiator, clientRequest, response,
                    upgraded, components, null);
        } catch (RuntimeException e) {
            session.abandon("client handshake failed: " + e.getMessage());
            response.getHeaders().clear();
            ClientResponses.proxyError(exchange, 400, "WebSocket handshake refused: " + e.getMessage(), Map.of());
            return;
        }
        if (!answered) {
            session.abandon("client handshake invalid");
            response.getHeaders().clear();
            ClientResponses.proxyError(exchange, 400, "not a valid WebSocket handshake (Sec-WebSocket-Key and version 13 needed)", Map.of());
        }
    }

    /**
     * What Jetty needs to upgrade a client (buffer and deflater pools, extensions), set up with the
     * first handshake rather than at start: most proxies never see one, and a cold test JVM's first
     * proxy would pay some eighty classes for it. Started here, as the server already runs.
     */
    private static WebSocketComponents components(Server server) {
        synchronized (COMPONENTS_LOCK) {
            WebSocketComponents components = WebSocketServerComponents.ensureWebSocketComponents(server);
            if (!components.isStarted()) {
                try {
                    components.start();
                } catch (Exception e) {
                    throw new IllegalStateException("WebSocket support could not start: " + e.getMessage(), e);
                }
            }
            return components;
        }
    }

    private boolean offeredByClient(String subprotocol) {
        for (String offer : exchange.clientRequest.getHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, false)) {
            if (offer.equals(subprotocol)) {
                return true;
            }
        }
        return false;
    }

    /** The backend's 101 headers that are not the handshake's own (cookies, say) reach the client. */
    private static void copyEndToEndHeaders(Headers from, HttpFields.Mutable to) {
        Set<String> connectionNamed = HopByHopHeaders.namedIn(from.values("Connection"));
        for (int i = 0; i < from.size(); i++) {
            String lower = from.name(i).toLowerCase(Locale.ROOT);
            if (HopByHopHeaders.isHopByHop(lower, connectionNamed) || lower.startsWith("sec-websocket-")
                    || lower.equals("x-request-id") || lower.equals("content-length")) {
                continue;
            }
            to.add(from.name(i), from.value(i));
        }
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        if (session != null) {
            session.backendFailed(t); // after the handshake: the session's business
            return;
        }
        if (response != null) {
            // read while the try timeout still runs: a backend that stalls its refusal's body meets it
            byte[] body = readBounded(response);
            if (attempt.settle()) {
                refused(response, body);
            }
            return;
        }
        if (!attempt.settle()) {
            return;
        }
        if (exchange.isClientGone()) {
            abandoned();
            return;
        }
        String error = UpstreamAttempt.describe(t);
        attempt.failed(error);
        ClientResponses.proxyError(exchange, 502, "backend " + backend.label() + " failed: " + error, Map.of());
    }

    /** The backend answered the handshake with something other than 101: the client gets that answer. */
    private void refused(Response answer, byte[] body) {
        attempt.answered(answer.code());
        var response = exchange.proxyToClientResponse;
        HttpFields.Mutable headers = response.getHeaders();
        copyEndToEndHeaders(answer.headers(), headers);
        if (answer.header("Content-Type") == null && answer.body().contentType() != null) {
            headers.put("Content-Type", answer.body().contentType().toString());
        }
        ClientResponses.send(exchange, answer.code(), body, null);
    }

    /** Called on OkHttp's thread while the refused response is still open (OkHttp closes it after). */
    private static byte[] readBounded(Response answer) {
        try {
            BufferedSource source = answer.body().source();
            Buffer copy = new Buffer();
            while (copy.size() < REFUSAL_BODY_LIMIT && source.read(copy, REFUSAL_BODY_LIMIT - copy.size()) != -1) {
                // keep reading
            }
            return copy.readByteArray();
        } catch (IOException | IllegalStateException e) {
            return new byte[0];
        }
    }

    @Override
    public void timedOut() {
        attempt.failed("timeout");
        ClientResponses.proxyError(exchange, 504, "backend " + backend.label() + " did not answer the WebSocket handshake "
                + attempt.limit(), Map.of());
    }

    /** The client left before the backend answered the handshake: the breaker hears nothing. */
    @Override
    public void abandoned() {
        attempt.gaveUp("client gave up");
        exchange.giveUp();
    }

    private void clientGone() {
        if (session == null) {
            attempt.abandon(); // once open, the session watches its client itself
        }
    }

    // ---- after the handshake, the backend's events belong to the session ----

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        session.fromBackend(text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        session.fromBackend(bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        session.backendClosing(code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        session.backendClosed();
    }
}
