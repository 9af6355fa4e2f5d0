package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.CircuitBreaker.Permit;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;

/**
 * The proxy-to-server leg of one exchange: pick a backend, make an attempt, and on a retryable
 * failure pick another backend and try again, within the policy, the budget and the deadline.
 *
 * <p>Each attempt is an asynchronous OkHttp call. Every wait between steps (upstream latency
 * faults, backoff, the attempt timeout) is a task on the shared scheduler: no thread sleeps, so a
 * thousand exchanges in backoff cost a thousand small objects, not a thousand threads.
 *
 * <p>Why the retry loop is not an OkHttp interceptor: interceptors are synchronous, so a backoff
 * inside one would have to block its thread. The concerns that need no waiting (upstream faults,
 * faithful headers) are interceptors.
 */
final class UpstreamLeg implements Callback {
    private final Exchange exchange;
    private final ProxyRuntime proxy;
    private final FaultDecision clientFaults;
    private final ClientRequestBody body;
    private final long deadlineNanos;
    private final boolean methodMayRetry;
    private final List<Backend> tried = new ArrayList<>(2);

    // the attempt in flight; one at a time, handed from thread to thread through the scheduler and OkHttp
    private volatile Call call;
    private Backend backend;
    private Permit permit;
    private FaultDecision upstreamFaults;
    private long attemptStartNanos;
    private int attempts;
    private ScheduledFuture<?> attemptTimeout;
    private final AtomicBoolean timedOut = new AtomicBoolean();

    UpstreamLeg(Exchange exchange, FaultDecision clientFaults) {
        this.exchange = exchange;
        this.proxy = exchange.proxy;
        this.clientFaults = clientFaults;
        var settings = proxy.settings();
        this.methodMayRetry = proxy.retryPolicy().methodAllowsRetry(exchange.method,
                exchange.clientRequest.getHeaders().contains("Idempotency-Key"));
        boolean hasBody = RequestGuard.hasBody(exchange.clientRequest)
                || exchange.method.equals("POST") || exchange.method.equals("PUT") || exchange.method.equals("PATCH");
        long replayLimit = methodMayRetry && settings.maxAttempts() > 1 ? settings.replayBufferBytes() : 0;
        this.body = hasBody ? new ClientRequestBody(exchange.clientRequest, replayLimit) : null;
        this.deadlineNanos = exchange.startNanos + settings.deadline().toNanos();
    }

    void start() {
        proxy.retryBudget().onRequest();
        exchange.onClientGone(() -> {
            Call current = call;
            if (current != null) {
                current.cancel();
            }
        });
        attempt();
    }

    private void attempt() {
        if (exchange.isClientGone()) {
            exchange.complete(null, "client gave up");
            return;
        }
        Backend chosen = proxy.pool().pick(tried);
        Permit granted = chosen == null ? Permit.DENIED : chosen.breaker().tryAcquire();
        if (granted == Permit.DENIED) {
            failWithoutBackend(chosen);
            return;
        }
        backend = chosen;
        permit = granted;
        tried.add(chosen);
        attempts++;
        upstreamFaults = proxy.core().faults().decide(exchange, Target.UPSTREAM);
        exchange.recordFaults(upstreamFaults);
        if (upstreamFaults.delayMs() > 0) {
            proxy.core().scheduler().schedule(this::launch, upstreamFaults.delayMs(), TimeUnit.MILLISECONDS);
        } else {
            launch();
        }
    }

    private void failWithoutBackend(Backend chosen) {
        if (proxy.pool().backends().isEmpty()) {
            ClientResponses.proxyError(exchange, 502, "no upstream configured for proxy '" + proxy.name() + "'", Map.of());
            return;
        }
        if (chosen != null) {
            // lost the race for a half-open probe: the journal says so, no backend was called
            exchange.recordAttempt(new Attempt(chosen.label(), null, "breaker open", 0));
        } else {
            exchange.recordAttempt(new Attempt(null, null, "breaker open", 0));
        }
        long retryAfter = proxy.pool().secondsUntilEarliestProbe();
        ClientResponses.proxyError(exchange, 503, "every backend's circuit breaker is open",
                Map.of("Retry-After", Long.toString(retryAfter)));
    }

    private void launch() {
        attemptStartNanos = System.nanoTime();
        timedOut.set(false);
        long tryNanos = Math.min(proxy.settings().tryTimeout().toNanos(), Math.max(0, deadlineNanos - attemptStartNanos));
        Fault terminal = upstreamFaults.terminalFault();
        if (terminal instanceof Hang) {
            hangUntilTimeoutOrRelease(tryNanos);
            return;
        }
        AttemptTag tag = new AttemptTag(exchange.clientRequest.getHeaders().contains("Accept-Encoding"),
                exchange.clientRequest.getHeaders().contains("User-Agent"), upstreamFaults);
        Call started = proxy.client().newCall(UpstreamRequests.build(exchange, backend, body, tag));
        call = started;
        attemptTimeout = proxy.core().scheduler().schedule(() -> {
            timedOut.set(true);
            started.cancel();
        }, tryNanos, TimeUnit.NANOSECONDS);
        if (exchange.isClientGone()) {
            started.cancel();
        }
        started.enqueue(this);
    }

    /** An upstream hang: the backend never answers, so the attempt times out, unless the rule goes first. */
    private void hangUntilTimeoutOrRelease(long tryNanos) {
        AtomicBoolean settled = new AtomicBoolean();
        String ruleId = upstreamFaults.terminal().id();
        Runnable[] unpark = new Runnable[1];
        ScheduledFuture<?> timeout = proxy.core().scheduler().schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                unpark[0].run();
                timedOut.set(true);
                onAttemptFailure(new SocketTimeoutException("no response from backend (injected hang)"));
            }
        }, tryNanos, TimeUnit.NANOSECONDS);
        unpark[0] = proxy.core().hangs().park(ruleId, () -> {
            if (settled.compareAndSet(false, true)) {
                timeout.cancel(false);
                upstreamFaults = FaultDecision.NONE;
                launch();
            }
        });
        if (proxy.core().faults().find(ruleId).isEmpty() && settled.compareAndSet(false, true)) {
            // the rule went away while we were parking: nothing will release us, so go on now
            timeout.cancel(false);
            unpark[0].run();
            upstreamFaults = FaultDecision.NONE;
            launch();
        }
    }

    @Override
    public void onFailure(Call failed, IOException e) {
        cancelAttemptTimeout();
        onAttemptFailure(e);
    }

    @Override
    public void onResponse(Call answered, Response response) {
        cancelAttemptTimeout();
        int status = response.code();
        exchange.recordAttempt(new Attempt(backend.label(), status, null, attemptMillis()));
        if (proxy.settings().breakerOnStatus().contains(status)) {
            backend.breaker().onFailure(permit);
        } else {
            backend.breaker().onSuccess(permit);
        }
        if (proxy.retryPolicy().isRetryableStatus(status) && mayRetry()) {
            response.close();
            scheduleRetry();
            return;
        }
        new ResponseRelay(exchange, response, bandwidth(), bodyDrop()).start();
    }

    private void onAttemptFailure(IOException e) {
        boolean timeout = timedOut.get();
        String error = describe(e, timeout);
        exchange.recordAttempt(new Attempt(backend.label(), null, error, attemptMillis()));
        if (exchange.isClientGone()) {
            // the client left: not the backend's fault, so the breaker hears nothing
            exchange.clientCallback.failed(e);
            exchange.complete(null, "client gave up");
            return;
        }
        backend.breaker().onFailure(permit);
        if (mayRetry()) {
            scheduleRetry();
            return;
        }
        if (timeout) {
            ClientResponses.proxyError(exchange, 504, "backend " + backend.label() + " did not answer within "
                    + proxy.settings().tryTimeout().toMillis() + "ms", Map.of());
        } else {
            ClientResponses.proxyError(exchange, 502, "backend " + backend.label() + " failed: " + error, Map.of());
        }
    }

    /**
     * Another attempt is allowed when the method is safe to repeat, attempts remain, the body can be
     * sent again, the deadline leaves room, and the retry budget has a token (taken last, as it is
     * spent by asking).
     */
    private boolean mayRetry() {
        return methodMayRetry
                && attempts < proxy.retryPolicy().maxAttempts()
                && (body == null || body.isReplayable())
                && System.nanoTime() < deadlineNanos
                && proxy.retryBudget().tryRetry();
    }

    private void scheduleRetry() {
        long backoffNanos = proxy.retryPolicy().backoff(attempts - 1).toNanos();
        long left = deadlineNanos - System.nanoTime();
        proxy.core().scheduler().schedule(this::attempt, Math.min(backoffNanos, Math.max(0, left)), TimeUnit.NANOSECONDS);
    }

    private void cancelAttemptTimeout() {
        ScheduledFuture<?> timeout = attemptTimeout;
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    private long attemptMillis() {
        return (System.nanoTime() - attemptStartNanos) / 1_000_000;
    }

    /** The lowest rate any fired bandwidth rule allows, client or upstream side; 0 for none. */
    private long bandwidth() {
        long rate = Long.MAX_VALUE;
        if (clientFaults.bytesPerSecond().isPresent()) {
            rate = Math.min(rate, clientFaults.bytesPerSecond().getAsLong());
        }
        if (upstreamFaults.bytesPerSecond().isPresent()) {
            rate = Math.min(rate, upstreamFaults.bytesPerSecond().getAsLong());
        }
        return rate == Long.MAX_VALUE ? 0 : rate;
    }

    /** A drop after the headers or mid-body, from either side; the client's rule wins, being older in the path. */
    private Drop bodyDrop() {
        for (FaultDecision decision : List.of(clientFaults, upstreamFaults)) {
            if (decision.terminalFault() instanceof Drop drop && drop.when() != DropPoint.BEFORE_RESPONSE) {
                return drop;
            }
        }
        return null;
    }

    private static String describe(IOException e, boolean timeout) {
        if (timeout) {
            return "timeout";
        }
        if (e instanceof UpstreamFaultInterceptor.InjectedResetException) {
            return "reset (injected)";
        }
        if (e instanceof ConnectException) {
            return "connect failed: " + e.getMessage();
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return "timeout";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
