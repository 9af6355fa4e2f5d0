package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.CircuitBreaker.Permit;
import io.chaosproxy.proxy.tracing.RequestIds;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.FrameHandler;
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
final class WebSocketLeg extends WebSocketListener {
    /** The client's half of the handshake; OkHttp makes its own with the backend. */
    private static final Set<String> HANDSHAKE_HEADERS = Set.of(
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept");
    /** Of a refused upgrade's body, this much is relayed; such answers are short. */
    private static final long REFUSAL_BODY_LIMIT = 64 * 1024;

    private final Exchange exchange;
    private final ProxyRuntime proxy;
    private final FaultDecision clientFaults;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean opened = new AtomicBoolean(); // the backend said 101: settled, and for good
    private Backend backend;
    private Permit permit;
    private FaultDecision upstreamFaults = FaultDecision.NONE;
    private long startNanos;
    private volatile WebSocket upstream;
    private volatile ScheduledFuture<?> timeout;
    private volatile HangHold hangHold;
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
        backend = pickBackend();
        if (backend == null) {
            return; // answered already
        }
        startNanos = System.nanoTime();
        upstreamFaults = proxy.core().faults().decide(exchange, Target.UPSTREAM);
        exchange.recordFaults(upstreamFaults);
        exchange.onClientGone(this::clientGone);
        timeout = proxy.core().scheduler().schedule(this::timedOut,
                proxy.settings().tryTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (upstreamFaults.delayMs() > 0) {
            proxy.core().scheduler().schedule(this::connect, upstreamFaults.delayMs(), TimeUnit.MILLISECONDS);
        } else {
            connect();
        }
    }

    /** A backend whose breaker admits the handshake, as for any attempt; null when the client was answered instead. */
    private Backend pickBackend() {
        BackendChoice.Admitted admitted = BackendChoice.admit(exchange, List.of());
        if (admitted == null) {
            return null;
        }
        permit = admitted.permit();
        return admitted.backend();
    }

    private void connect() {
        if (settled.get()) {
            return;
        }
        if (upstreamFaults.terminalFault() instanceof Hang) {
            // the backend "never answers": the try timeout ends it, unless the rule goes first
            hangHold = proxy.core().holdWhileRuleLasts(upstreamFaults.terminal(), this::connectAfterHang);
            return;
        }
        connectNow();
    }

    private void connectAfterHang() {
        upstreamFaults = new FaultDecision(upstreamFaults.fired(), 0, upstreamFaults.bytesPerSecond(), null);
        proxy.core().scheduler().execute(this::connectNow);
    }

    private void connectNow() {
        if (settled.get()) {
            return;
        }
        okhttp3.Request request;
        try {
            okhttp3.Request.Builder builder = UpstreamRequests.build(exchange, backend, null,
                    new AttemptTag(exchange.clientRequest.getHeaders().contains("Accept-Encoding"),
                            exchange.clientRequest.getHeaders().contains("User-Agent"), upstreamFaults))
                    .newBuilder();
            for (String name : HANDSHAKE_HEADERS) {
                builder.removeHeader(name);
            }
            request = builder.build();
        } catch (RuntimeException e) {
            if (settle()) {
                backend.breaker().release(permit);
                ClientResponses.proxyError(exchange, 502, "the request could not be forwarded: " + e.getMessage(), Map.of());
            }
            return;
        }
        upstream = proxy.webSocketClient(request.url()).newWebSocket(request, this);
        if (settled.get() && !opened.get()) {
            // timed out or the client left between the check above and now; not when a fast backend
            // has already opened the session (that once cancelled healthy sessions under load)
            upstream.cancel();
        }
    }

    // ---- the backend's answer to the handshake ----

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        opened.set(true); // before settling: connectNow must not take this settle for a timeout
        if (!settle()) {
            webSocket.cancel();
            return;
        }
        exchange.recordAttempt(new Attempt(backend.label(), response.code(), null, millis()));
        backend.breaker().onSuccess(permit);
        session = new WebSocketSession(exchange, webSocket, clientFaults, upstreamFaults);
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
        var components = WebSocketServerComponents.getWebSocketComponents(
                clientRequest.getConnectionMetaData().getConnector().getServer());
        boolean answered;
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
            if (settle()) {
                refused(response, body);
            }
            return;
        }
        if (!settle()) {
            return;
        }
        if (exchange.isClientGone()) {
            backend.breaker().release(permit);
            exchange.recordAttempt(new Attempt(backend.label(), null, "client gave up", millis()));
            exchange.clientCallback.failed(new ExchangeHandler.ClientGone());
            exchange.complete(null, "client gave up");
            return;
        }
        String error = t instanceof UpstreamFaultInterceptor.InjectedResetException
                ? "reset (injected)"
                : t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        exchange.recordAttempt(new Attempt(backend.label(), null, error, millis()));
        backend.breaker().onFailure(permit);
        ClientResponses.proxyError(exchange, 502, "backend " + backend.label() + " failed: " + error, Map.of());
    }

    /** The backend answered the handshake with something other than 101: the client gets that answer. */
    private void refused(Response answer, byte[] body) {
        int status = answer.code();
        exchange.recordAttempt(new Attempt(backend.label(), status, null, millis()));
        if (proxy.settings().breakerOnStatus().contains(status)) {
            backend.breaker().onFailure(permit);
        } else {
            backend.breaker().onSuccess(permit);
        }
        var response = exchange.proxyToClientResponse;
        HttpFields.Mutable headers = response.getHeaders();
        copyEndToEndHeaders(answer.headers(), headers);
        if (answer.header("Content-Type") == null && answer.body().contentType() != null) {
            headers.put("Content-Type", answer.body().contentType().toString());
        }
        ClientResponses.send(exchange, status, body, null);
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

    private void timedOut() {
        if (!settle()) {
            return;
        }
        WebSocket started = upstream;
        if (started != null) {
            started.cancel();
        }
        exchange.recordAttempt(new Attempt(backend.label(), null, "timeout", millis()));
        backend.breaker().onFailure(permit);
        ClientResponses.proxyError(exchange, 504, "backend " + backend.label() + " did not answer the WebSocket handshake within "
                + proxy.settings().tryTimeout().toMillis() + "ms", Map.of());
    }

    private void clientGone() {
        WebSocketSession open = session;
        if (open != null) {
            return; // the session watches its client itself
        }
        WebSocket started = upstream;
        if (started != null) {
            started.cancel(); // its failure settles the leg
        } else if (settle()) {
            backend.breaker().release(permit);
            exchange.clientCallback.failed(new ExchangeHandler.ClientGone());
            exchange.complete(null, "client gave up");
        }
    }

    private boolean settle() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> pending = timeout;
        if (pending != null) {
            pending.cancel(false);
        }
        HangHold hold = hangHold;
        if (hold != null) {
            hold.release();
        }
        return true;
    }

    private long millis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
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
