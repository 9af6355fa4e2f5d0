package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.scenario.ScenarioRunner;
import io.chaosproxy.proxy.tracing.RequestIds;
import io.chaosproxy.proxy.tracing.TraceParent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpFields;
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
    final Callback clientCallback;
    /** Watches an HTTP/1.1 client while nothing reads its connection; stopped before anything does. */
    final ClientWatch clientWatch;

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
    private volatile Integer grpcStatus;
    private final List<Runnable> onClientGone = new CopyOnWriteArrayList<>();

    Exchange(ProxyRuntime proxy, Request clientRequest, Response response, Callback callback) {
        this.proxy = proxy;
        this.clientRequest = clientRequest;
        this.proxyToClientResponse = response;
        this.clientWatch = ClientWatch.start(clientRequest, this::clientFailed);
        this.clientCallback = clientWatch.around(callback);
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

    @Override
    public void end(String why) {
        ClientResponses.abort(this, io.chaosproxy.faults.DropMode.CLOSE, why);
    }

    /** The client left: nothing to answer, only the books to close. */
    void giveUp() {
        clientCallback.failed(new ExchangeHandler.ClientGone());
        complete(null, "client gave up");
    }

    void clientFailed(Throwable cause) {
        clientGone = true;
        for (Runnable action : onClientGone) {
            action.run();
        }
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
