package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.scenario.ScenarioRunner;
import io.chaosproxy.proxy.tracing.RequestIds;
import io.chaosproxy.proxy.tracing.TraceParent;
import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.QuietException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One client request and everything that happens to it until the client has its answer.
 *
 * <p>Holds the client leg (Jetty's request, response and callback), the identity the proxy gave
 * the exchange (request id, trace context) and what the journal will say about it. It completes
 * exactly once, whichever path (response relayed, error sent, connection dropped, client gone)
 * gets there first.
 */
final class Exchange implements UpstreamAttempt.Owner {
    final ProxyRuntime proxy;
    final Request clientRequest;
    final Response proxyToClientResponse;
    /** Jetty's callback, which first ends the client watch and lets go of a body read ahead. */
    final Callback clientCallback;

    final String requestId;
    final TraceParent upstreamTrace;
    final String method;
    final String path;
    final String query;
    final long startNanos;
    final Instant startedAt;
    /** The Jetty thread that called the handler: the one thread on which this exchange may block. */
    final Thread handlerThread;

    private final List<InstalledRule> firedRules = new ArrayList<>(2);
    private final List<Attempt> attempts = new ArrayList<>(2);
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile boolean clientGone;
    private volatile Throwable brokenRequest;
    private volatile Integer grpcStatus;
    private final List<Runnable> onClientGone = new CopyOnWriteArrayList<>();
    /** Watches an HTTP/1.1 client while nothing reads its connection; stopped before anything does. */
    private ClientWatch clientWatch = ClientWatch.NONE; // guarded by this
    private ClientWatchSweep.Ticket sweepTicket;         // guarded by this: given back when watching is over
    private boolean watchStarted;    // guarded by this: the exchange is held, or has lasted (see ClientWatchSweep)
    private boolean bodyReadToEnd;   // guarded by this: a read-ahead has read the whole body
    private boolean watchingOver;    // guarded by this: the exchange completed, no watch may start
    /**
     * Who reads the client's body: nobody yet (null), a {@link BodyReadAhead}, the upstream call
     * ({@link #DIRECT}), or nobody ever but an {@link UnreadBodyDrain} ({@link #ANSWERED_FIRST}).
     */
    private Object bodyReader;       // guarded by this
    private static final Object DIRECT = new Object();
    private static final Object ANSWERED_FIRST = new Object();

    Exchange(ProxyRuntime proxy, Request clientRequest, Response response, Callback callback) {
        this.proxy = proxy;
        this.clientRequest = clientRequest;
        this.proxyToClientResponse = response;
        this.clientCallback = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                if (endClientSide()) {
                    // the answer is out, but the body read ahead is not all in: Jetty fails a success
                    // with a demand pending, so end it as a failure that leaves the answer alone
                    super.failed(new BodyLeftUnread());
                } else {
                    super.succeeded();
                }
            }

            @Override
            public void failed(Throwable x) {
                endClientSide();
                super.failed(x);
            }
        };
        this.startNanos = System.nanoTime();
        this.startedAt = Instant.now();
        this.handlerThread = Thread.currentThread();
        HttpFields headers = clientRequest.getHeaders();
        this.requestId = RequestIds.keepOrGenerate(headers.get(RequestIds.HEADER));
        TraceParent incoming = TraceParent.parse(headers.get(TraceParent.HEADER));
        this.upstreamTrace = incoming == null ? TraceParent.newTrace() : incoming.childOfProxy();
        this.method = clientRequest.getMethod();
        String rawPath = clientRequest.getHttpURI().getPath();
        this.path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        this.query = clientRequest.getHttpURI().getQuery();
    }

    /**
     * Every write of the answer goes through here: it first tells the client connection's idle
     * timer that there is activity (see {@link ClientConnections#markActive}), so a write after a
     * long wait on the backend is not taken for a client that stopped reading.
     */
    void writeToClient(boolean last, ByteBuffer bytes, Callback callback) {
        ClientConnections.markActive(clientRequest);
        proxyToClientResponse.write(last, bytes, callback);
    }

    // ---- RequestFacts: what fault rules match on ----

    @Override
    public String proxy() {
        return proxy.name();
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String header(String name) {
        return clientRequest.getHeaders().get(name);
    }

    // ---- what happened, for the journal ----

    @Override
    public void recordFaults(FaultDecision decision) {
        if (!decision.fired().isEmpty()) {
            synchronized (firedRules) {
                firedRules.addAll(decision.fired());
            }
        }
    }

    @Override
    public void recordAttempt(Attempt attempt) {
        synchronized (attempts) {
            attempts.add(attempt);
        }
    }

    /** The gRPC status the client got, for the journal; set before {@link #complete}. */
    void recordGrpcStatus(Integer status) {
        grpcStatus = status;
    }

    List<Attempt> attempts() {
        synchronized (attempts) {
            return List.copyOf(attempts);
        }
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    // ---- the client going away ----

    @Override
    public boolean isClientGone() {
        return clientGone;
    }

    /**
     * What to stop (a parked hang, an upstream call) if the client goes away first. Every step
     * registers its own, and each runs once: a later step must not silently unregister an earlier
     * one (the relay once replaced the upstream leg's, so a gone client no longer cancelled the
     * upstream call). Actions run on whatever thread noticed, possibly Jetty's selector: they
     * must not block.
     */
    void onClientGone(Runnable action) {
        AtomicBoolean ran = new AtomicBoolean();
        Runnable once = () -> {
            if (ran.compareAndSet(false, true)) {
                action.run();
            }
        };
        onClientGone.add(once);
        if (clientGone) {
            once.run();
        }
    }

    // ---- the client's connection and body while the exchange is held ----

    /**
     * A rule holds this exchange (a hang, a latency) before its body is sent: watch the client from
     * now on, and read an HTTP/1.1 body ahead so that the client leaving is seen now (see
     * {@link BodyReadAhead}). Reads nothing ahead when the body is already being read, or there is
     * none to read ahead: HTTP/2 reads the connection anyway, and a client that expects 100
     * Continue sends its body only when asked, which a hold does not do.
     */
    @Override
    public void held() {
        readBodyAhead(false);
        watchClient();
    }

    /**
     * Watches the client's connection from now on, as far as Jetty lets the watch read it: the
     * exchange is held, or has lasted long enough to be worth a watch. Does nothing once the
     * exchange is completing.
     */
    synchronized void watchClient() {
        if (watchStarted || watchingOver || clientGone) {
            return;
        }
        watchStarted = true;
        clientWatch = bodyReadToEnd
                ? ClientWatch.afterBody(clientRequest, this::clientFailed)
                : ClientWatch.start(clientRequest, this::clientFailed);
    }

    /**
     * Reads an HTTP/1.1 body ahead from now on, unless somebody reads it already; returns the
     * read-ahead, or null (HTTP/2, no body, or read directly). {@code evenIfExpecting}: also when the
     * client waits for 100 Continue, which asking for the body sends; right when the upload is to go
     * on to the backend anyway, not during a hold.
     */
    BodyReadAhead readBodyAhead(boolean evenIfExpecting) {
        BodyReadAhead readAhead;
        synchronized (this) {
            if (bodyReader instanceof BodyReadAhead started) {
                return started;
            }
            if (bodyReader != null || watchingOver || ClientConnections.isMultiplexed(clientRequest)
                    || !RequestGuard.hasBody(clientRequest)
                    || (!evenIfExpecting && clientRequest.getHeaders().contains(HttpHeader.EXPECT))) {
                return null;
            }
            readAhead = new BodyReadAhead(clientRequest, proxy.core().readAheadBudget(), this::watchAfterBody, this::bodyFailed);
            bodyReader = readAhead;
        }
        readAhead.start(); // not under this lock: Jetty may call back at once, and the callbacks take it
        return readAhead;
    }

    /**
     * Reading the body ahead failed: the client left (its connection ended), or broke the body's
     * framing. Jetty hands the failure to the reader; its failure listener may hear of it only later.
     */
    private void bodyFailed(Throwable cause) {
        clientFailed(cause);
    }

    /** The client's body for the upstream call: what was read ahead and the rest, or Jetty's stream. */
    synchronized InputStream clientBody() {
        if (bodyReader instanceof BodyReadAhead readAhead) {
            return readAhead.stream();
        }
        if (bodyReader == ANSWERED_FIRST) {
            throw new IllegalStateException("the proxy answered this exchange itself: its body is not for a backend");
        }
        bodyReader = DIRECT;
        return Content.Source.asInputStream(clientRequest);
    }

    /** How much of the client's body was read when the proxy answers it itself; see {@link UnreadBodyDrain}. */
    enum BodyAtAnswer {
        /** Nobody read any, and nobody but a drain will: the client watch is over. */
        UNTOUCHED,
        /** A read-ahead took some but not the end. */
        PARTLY_READ,
        /** Read ahead to its end, or read by the upstream call: Jetty judges what is left. */
        READ
    }

    /** The proxy answers the client itself: what of the body was read, and the body for a drain if none was. */
    synchronized BodyAtAnswer claimUnreadBody() {
        if (bodyReader == null) {
            stopWatching(); // the answer is going out: nothing to watch for, and the drain reads the connection
            bodyReader = ANSWERED_FIRST;
            return BodyAtAnswer.UNTOUCHED;
        }
        return bodyReader instanceof BodyReadAhead && !bodyReadToEnd ? BodyAtAnswer.PARTLY_READ : BodyAtAnswer.READ;
    }

    /** Jetty is about to read the body from the connection: a watch of the connection must end first. */
    synchronized void bodyReadBegins() {
        if (!(bodyReader instanceof BodyReadAhead)) {
            clientWatch.stop();
        }
    }

    /**
     * The body has been read to its end: Jetty reads the connection again only when the exchange
     * completes, so until then a watch sees the client leave (during a hold, a backoff, a slow backend).
     */
    synchronized void watchAfterBody() {
        bodyReadToEnd = true;
        if (watchStarted && !watchingOver) {
            clientWatch.stop();
            clientWatch = ClientWatch.afterBody(clientRequest, this::clientFailed);
        }
    }

    /** No watch from now on: the exchange is completing, or its connection became another protocol's. */
    synchronized void stopWatching() {
        watchingOver = true;
        clientWatch.stop();
        if (sweepTicket != null) {
            sweepTicket.cancel(); // the sweep's queue keeps no finished exchange alive
        }
    }

    /** Has the client watched if the exchange lasts (HTTP/1.1: HTTP/2 tells the exchange itself). */
    synchronized void watchIfItLasts(ClientWatchSweep sweep) {
        if (!watchingOver && !ClientConnections.isMultiplexed(clientRequest)) {
            sweepTicket = sweep.watchIfItLasts(this);
        }
    }

    /**
     * Before Jetty's callback completes: the watch ends before Jetty reads again, the read-ahead lets
     * go. True when a read-ahead still has a demand with Jetty.
     */
    private boolean endClientSide() {
        Object reader;
        synchronized (this) {
            stopWatching();
            reader = bodyReader;
        }
        return reader instanceof BodyReadAhead readAhead && readAhead.discard();
    }

    /**
     * Why an exchange whose answer went out whole still ends as a failure: the client's body was not
     * all read. The connection then closes (it cannot carry another request) with a FIN after the
     * answer, never a reset (see the data plane's {@code resetWhenCutShort}).
     */
    static final class BodyLeftUnread extends java.io.IOException implements QuietException {
        BodyLeftUnread() {
            super("answered before the client's request body was all read");
        }
    }

    @Override
    public void end(String why) {
        ClientResponses.abort(this, io.chaosproxy.faults.DropMode.CLOSE, why);
    }

    /** The client left: nothing to answer, only the books to close. */
    void giveUp() {
        Throwable broken = brokenRequest;
        if (broken != null) {
            // the client is there, its request is not: Jetty answers the 400 its parser found
            complete(400, "the client's request body broke off: " + broken.getMessage());
            clientCallback.failed(broken);
            return;
        }
        clientCallback.failed(new ExchangeHandler.ClientGone());
        complete(null, "client gave up");
    }

    /**
     * The client's side failed: its connection ended (it left), or Jetty found its request body
     * broken (bad chunk framing, say), which ends the request as surely. Either way whatever holds
     * the exchange lets go; a broken request is answered 400 (see {@link #giveUp()}).
     */
    void clientFailed(Throwable cause) {
        if (cause instanceof HttpException && connectionStillOpen()) {
            brokenRequest = cause; // however Jetty words it ("Early EOF" too), the client did not leave
        }
        clientGone = true;
        for (Runnable action : onClientGone) {
            action.run();
        }
    }

    /** An HTTP/1.1 connection the client has not closed: no end of stream read, no reset. */
    private boolean connectionStillOpen() {
        if (ClientConnections.isMultiplexed(clientRequest)) {
            return false;
        }
        EndPoint endPoint = clientRequest.getConnectionMetaData().getConnection().getEndPoint();
        return endPoint.isOpen() && !endPoint.isInputShutdown();
    }

    /** Jetty's verdict when the client's request body was broken (not merely cut by its leaving); else null. */
    Throwable brokenRequest() {
        return brokenRequest;
    }

    // ---- completion: exactly once ----

    /** Records the exchange once; later calls do nothing. Returns true for the call that completed it. */
    boolean complete(Integer status, String error) {
        if (!completed.compareAndSet(false, true)) {
            return false;
        }
        List<InstalledRule> fired;
        synchronized (firedRules) {
            fired = List.copyOf(firedRules);
        }
        List<String> ruleIds = new ArrayList<>(fired.size());
        String scenario = null;
        for (InstalledRule rule : fired) {
            if (ruleIds.contains(rule.id())) {
                continue; // an upstream rule fires on each attempt; the exchange lists it once
            }
            ruleIds.add(rule.id());
            if (scenario == null) {
                scenario = ScenarioRunner.scenarioOf(rule);
            }
        }
        JournalEntry entry = new JournalEntry(requestId, proxy.name(), method, path, status, ruleIds, attempts(),
                elapsedMillis(), startedAt, scenario, error, upstreamTrace.traceId(), grpcStatus, null);
        proxy.core().recordExchange(entry, query, fired);
        return true;
    }

    boolean isCompleted() {
        return completed.get();
    }
}
