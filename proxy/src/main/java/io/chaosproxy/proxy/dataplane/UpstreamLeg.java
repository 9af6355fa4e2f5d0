package io.chaosproxy.proxy.dataplane;

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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * The proxy-to-server leg of one exchange: pick a backend, make an attempt, and on a retryable
 * failure pick another backend and try again, within the policy, the budget and the deadline.
 *
 * <p>A first attempt made on the Jetty thread handling the exchange runs its OkHttp call there;
 * any other attempt is an asynchronous call. Every wait between steps (upstream latency faults,
 * backoff, the attempt timeout) is a task on the shared scheduler: no thread sleeps, so a thousand
 * exchanges in backoff cost a thousand small objects, not a thousand threads.
 *
 * <p>Why the retry loop is not an OkHttp interceptor: interceptors are synchronous, so a backoff
 * inside one would have to block its thread. The concerns that need no waiting (upstream faults,
 * faithful headers) are interceptors.
 *
 * <p>Attempts follow one another, never overlap: the next is scheduled only once the previous
 * {@link Try} has settled. Each try settles exactly once (answered, failed, timed out or abandoned)
 * and reports its backend's breaker exactly one verdict, or gives the permit back.
 */
final class UpstreamLeg {
    private final Exchange exchange;
    private final ProxyRuntime proxy;
    private final FaultDecision clientFaults;
    private final ClientRequestBody body;
    private final long deadlineNanos;
    private final boolean methodMayRetry;
    // written by one step at a time; each step hands over to the next through the scheduler or OkHttp
    private final List<Backend> tried = new ArrayList<>(2);
    private volatile Try current;

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
            Try attempt = current;
            if (attempt != null) {
                attempt.abandon();
            }
        });
        attempt();
    }

    /** Picks a backend whose breaker admits this exchange and starts a try on it. */
    private void attempt() {
        if (exchange.isClientGone()) {
            giveUp();
            return;
        }
        BackendChoice.Admitted admitted = BackendChoice.admit(exchange, tried);
        if (admitted != null) {
            tried.add(admitted.backend());
            new Try(admitted.backend(), admitted.permit()).start();
        }
    }

    private void onAnswered(Try attempt, Response response) {
        int status = response.code();
        exchange.recordAttempt(new Attempt(attempt.backend.label(), status, null, attempt.millis()));
        if (proxy.settings().breakerOnStatus().contains(status)) {
            attempt.backend.breaker().onFailure(attempt.permit);
        } else {
            attempt.backend.breaker().onSuccess(attempt.permit);
        }
        if (proxy.retryPolicy().isRetryableStatus(status)) {
            long backoff = nextBackoffNanos();
            if (mayRetry(backoff)) {
                response.close();
                retryAfter(backoff);
                return;
            }
        }
        new ResponseRelay(exchange, response, ResponseFaults.bandwidth(clientFaults, attempt.upstreamFaults),
                ResponseFaults.dropAfterHeaders(clientFaults, attempt.upstreamFaults)).start();
    }

    private void onFailed(Try attempt, IOException e, boolean timedOut) {
        ClientRequestBody.ClientBodyException clientSide = clientBodyFailure(e);
        if (clientSide != null || exchange.isClientGone()) {
            // the client failed, not the backend: its breaker hears no verdict and no retry is made
            attempt.backend.breaker().release(attempt.permit);
            attempt.cancelCall();
            String why = clientSide != null ? "client request body broken" : "client gave up";
            exchange.recordAttempt(new Attempt(attempt.backend.label(), null, why, attempt.millis()));
            if (clientSide != null && !exchange.isClientGone()) {
                ClientResponses.proxyError(exchange, 400, clientSide.getMessage(), Map.of());
            } else {
                giveUp();
            }
            return;
        }
        String error = describe(e, timedOut);
        exchange.recordAttempt(new Attempt(attempt.backend.label(), null, error, attempt.millis()));
        attempt.backend.breaker().onFailure(attempt.permit);
        long backoff = nextBackoffNanos();
        if (mayRetry(backoff)) {
            retryAfter(backoff);
            return;
        }
        if (timedOut) {
            String limit = attempt.cutByDeadline
                    ? "within the exchange deadline of " + proxy.settings().deadline().toMillis() + "ms"
                    : "within " + proxy.settings().tryTimeout().toMillis() + "ms";
            ClientResponses.proxyError(exchange, 504, "backend " + attempt.backend.label() + " did not answer " + limit, Map.of());
        } else {
            ClientResponses.proxyError(exchange, 502, "backend " + attempt.backend.label() + " failed: " + error, Map.of());
        }
    }

    /** The client left: nothing to answer, only the books to close. */
    private void giveUp() {
        exchange.clientCallback.failed(new ExchangeHandler.ClientGone());
        exchange.complete(null, "client gave up");
    }

    /** Another attempt, after waiting {@code backoffNanos}: every condition below must hold. */
    private boolean mayRetry(long backoffNanos) {
        return methodMayRetry
                && attemptsRemain()
                && bodyCanBeSentAgain()
                && deadlineOutlasts(backoffNanos)
                && proxy.retryBudget().tryRetry(); // last, because asking spends a token
    }

    /** maxAttempts counts the first try. */
    private boolean attemptsRemain() {
        return tried.size() < proxy.retryPolicy().maxAttempts();
    }

    /** A body streamed past the replay limit is gone: a second backend would get a truncated copy. */
    private boolean bodyCanBeSentAgain() {
        return body == null || body.isReplayable();
    }

    /** A retry that would start after the deadline could only fail; the client gets the failure it has now. */
    private boolean deadlineOutlasts(long backoffNanos) {
        return System.nanoTime() + backoffNanos < deadlineNanos;
    }

    private long nextBackoffNanos() {
        return proxy.retryPolicy().backoff(tried.size() - 1).toNanos();
    }

    /** The backoff is a scheduled task: no thread waits it out. */
    private void retryAfter(long backoffNanos) {
        current = null;
        proxy.core().scheduler().schedule(this::attempt, backoffNanos, TimeUnit.NANOSECONDS);
    }

    private static ClientRequestBody.ClientBodyException clientBodyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientRequestBody.ClientBodyException clientSide) {
                return clientSide;
            }
        }
        return null;
    }

    private static String describe(IOException e, boolean timedOut) {
        if (timedOut) {
            return "timeout";
        }
        if (e instanceof UpstreamFaultInterceptor.InjectedResetException) {
            return "reset (injected)";
        }
        if (e instanceof ConnectException) {
            return "connect failed: " + e.getMessage();
        }
        String message = e.getMessage();
        if (e instanceof SocketTimeoutException && message != null && message.toLowerCase(Locale.ROOT).contains("connect")) {
            return "connect timeout";
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return "timeout";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /**
     * One attempt at one backend. Its clock and its timeout start when the backend is chosen, so an
     * injected upstream latency counts against the try timeout just as a slow backend would.
     */
    private final class Try implements Callback {
        final Backend backend;
        final Permit permit;
        final long startNanos = System.nanoTime();
        final AtomicBoolean settled = new AtomicBoolean();
        FaultDecision upstreamFaults = FaultDecision.NONE;
        boolean cutByDeadline;
        private volatile Call call;
        private volatile ScheduledFuture<?> timeout;
        private volatile HangHold hangHold;
        private final AtomicBoolean hangOver = new AtomicBoolean();

        Try(Backend backend, Permit permit) {
            this.backend = backend;
            this.permit = permit;
        }

        void start() {
            current = this;
            upstreamFaults = proxy.core().faults().decide(exchange, Target.UPSTREAM);
            exchange.recordFaults(upstreamFaults);
            long tryNanos = proxy.settings().tryTimeout().toNanos();
            long leftNanos = Math.max(0, deadlineNanos - startNanos);
            cutByDeadline = leftNanos < tryNanos;
            timeout = proxy.core().scheduler().schedule(this::timedOut, Math.min(tryNanos, leftNanos), TimeUnit.NANOSECONDS);
            if (upstreamFaults.delayMs() > 0) {
                proxy.core().scheduler().schedule(this::launch, upstreamFaults.delayMs(), TimeUnit.MILLISECONDS);
            } else {
                launch();
            }
        }

        private void launch() {
            if (settled.get()) {
                return; // timed out or abandoned during an injected latency
            }
            if (exchange.isClientGone()) {
                abandon();
                return;
            }
            if (upstreamFaults.terminalFault() instanceof Hang && !hangOver.get()) {
                hang();
                return;
            }
            Call started;
            try {
                okhttp3.Request request = UpstreamRequests.build(exchange, backend, body,
                        new AttemptTag(exchange.clientRequest.getHeaders().contains("Accept-Encoding"),
                                exchange.clientRequest.getHeaders().contains("User-Agent"), upstreamFaults));
                started = proxy.client(backend, request.url()).newCall(request);
            } catch (RuntimeException e) {
                if (settle()) {
                    backend.breaker().release(permit);
                    ClientResponses.proxyError(exchange, 502, "the request could not be forwarded: " + e.getMessage(), Map.of());
                }
                return;
            }
            call = started;
            if (settled.get()) {
                started.cancel(); // the timeout or the client got here between the check above and now
            }
            if (mayBlockHere()) {
                runHere(started);
            } else {
                started.enqueue(this);
            }
        }

        /**
         * True on the Jetty thread that is handling this exchange, while the pool has threads to
         * spare. Waiting for the backend there saves the hand-off to an OkHttp dispatcher thread
         * and back (two context switches and the dispatcher's lock per exchange); the relay then
         * streams the body on the same thread. Anywhere else (the one scheduler thread after a
         * delay, backoff or hang, which must never block) the call is enqueued. So is it when the
         * pool runs short, so that a crowd of slow backends cannot take every Jetty thread.
         */
        private boolean mayBlockHere() {
            if (Thread.currentThread() != exchange.handlerThread) {
                return false;
            }
            return !(exchange.clientRequest.getComponents().getExecutor() instanceof ThreadPool.SizedThreadPool pool)
                    || pool.getMaxThreads() - pool.getThreads() + pool.getIdleThreads() > pool.getMaxThreads() / 4;
        }

        /**
         * The call on this thread, reported to the same callbacks as an enqueued one. A timeout or
         * a gone client cancels it from another thread, which fails the blocked call at once.
         */
        private void runHere(Call started) {
            Response response;
            try {
                response = started.execute();
            } catch (IOException e) {
                onFailure(started, e);
                return;
            } catch (RuntimeException e) {
                // what OkHttp's dispatcher does with an interceptor's bug: cancel, report as a failure
                started.cancel();
                onFailure(started, new IOException("canceled due to " + e, e));
                return;
            }
            onResponse(started, response);
        }

        /**
         * An upstream hang: the backend never answers, so the attempt times out, unless the rule
         * goes first (removed, or expired by its durationMs); then the attempt goes on to the backend.
         */
        private void hang() {
            hangHold = proxy.core().holdWhileRuleLasts(upstreamFaults.terminal(), () -> {
                hangOver.set(true);
                proxy.core().scheduler().execute(this::launch);
            });
        }

        private void timedOut() {
            if (!settle()) {
                return;
            }
            cancelCall();
            onFailed(this, new SocketTimeoutException("no response headers in time"), true);
        }

        /** The client went away: stop the call; its failure settles this try, or settle it here if none is in flight. */
        void abandon() {
            Call inFlight = call;
            if (inFlight != null) {
                inFlight.cancel();
            } else if (settle()) {
                onFailed(this, new IOException("client gone"), false);
            }
        }

        void cancelCall() {
            Call inFlight = call;
            if (inFlight != null) {
                inFlight.cancel();
            }
        }

        @Override
        public void onFailure(Call failed, IOException e) {
            if (settle()) {
                onFailed(this, e, false);
            }
        }

        @Override
        public void onResponse(Call answered, Response response) {
            if (settle()) {
                onAnswered(this, response);
            } else {
                response.close(); // headers came just after the timeout: that attempt is over
            }
        }

        /** True for the one caller that settles this try; it also stops the timeout. */
        private boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            HangHold hold = hangHold;
            if (hold != null) {
                hold.release(); // an upstream hang ends with the try
            }
            ScheduledFuture<?> pending = timeout;
            if (pending != null) {
                pending.cancel(false);
            }
            return true;
        }

        long millis() {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }
    }
}
