package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.proxy.dataplane.transport.ExchangeThreads;
import io.chaosproxy.proxy.resilience.Backend;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * {@link UpstreamAttempt} has settled. Each try settles exactly once (answered, failed, timed out or abandoned)
 * and reports its backend's breaker exactly one verdict, or gives the permit back.
 */
final class UpstreamLeg {
    /** How long an upload that needs a thread permit, and finds none, may take to arrive whole instead. */
    static final long UPLOAD_GRACE_MILLIS = 200;

    private final Exchange exchange;
    private final ProxyRuntime proxy;
    private final FaultDecision clientFaults;
    private final ClientRequestBody body;
    private final long deadlineNanos;
    private final boolean methodMayRetry;
    // written by one step at a time; each step hands over to the next through the scheduler or OkHttp
    private final List<Backend> tried = new ArrayList<>(2);
    private volatile Try current;
    private volatile ScheduledFuture<?> backoff;

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
        this.body = hasBody ? new ClientRequestBody(exchange.clientRequest.getLength(), exchange::clientBody,
                exchange.clientRequest::getTrailers, replayLimit, new Upload()) : null;
        // from here: the client's own faults (latency, hang) before this leg are not the backend's time
        this.deadlineNanos = System.nanoTime() + settings.deadline().toNanos();
    }

    void start() {
        proxy.retryBudget().onRequest();
        exchange.onClientGone(() -> {
            Try attempt = current;
            ScheduledFuture<?> waiting = backoff;
            if (attempt != null) {
                attempt.attempt.abandon();
            } else {
                cancelBackoff(waiting);
            }
        });
        attempt();
    }

    /**
     * Just before an attempt sends: an HTTP/1.1 upload is read ahead (see {@link BodyReadAhead}) so
     * that its pace can be checked and, on platform threads, it waits on one only with a permit: a
     * crowd of slow uploads must not take every thread. One whose body is all here needs none; a
     * retry has its permit already. False without a permit: then 503, at once, and nothing is sent.
     */
    private boolean admitUpload() {
        BodyReadAhead upload = body == null ? null : exchange.readBodyAhead(true);
        if (upload == null) {
            return true; // HTTP/2: its flow control and streams are Jetty's
        }
        upload.minimumRate(proxy.settings().minUploadRate());
        Semaphore threads = proxy.uploadThreads();
        return threads == null || upload.mayUpload(threads);
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
            new Try(admitted).start();
        }
    }

    private void onAnswered(UpstreamAttempt attempt, Response response) {
        int status = response.code();
        attempt.answered(status, GrpcCalls.judgedStatus(response));
        if (proxy.retryPolicy().isRetryableStatus(status)) {
            long backoff = nextBackoffNanos();
            if (mayRetry(backoff)) {
                response.close();
                retryAfter(backoff);
                return;
            }
        }
        AfterBackend.relay(exchange, response, clientFaults, attempt.faults());
    }

    private void onFailed(UpstreamAttempt attempt, IOException e, boolean timedOut) {
        ClientRequestBody.ClientBodyException clientSide = clientBodyFailure(e);
        if (clientSide != null || exchange.isClientGone()) {
            // the client failed, not the backend: its breaker hears no verdict and no retry is made
            attempt.cancel();
            attempt.gaveUp(clientSide != null ? "client request body broken" : "client gave up");
            if (clientSide != null && !exchange.isClientGone()) {
                if (clientSide.getCause() instanceof BodyReadAhead.SlowUpload) {
                    ClientResponses.proxyError(exchange, 408, clientSide.getMessage(), Map.of("Connection", "close"));
                } else {
                    ClientResponses.proxyError(exchange, 400, clientSide.getMessage(), Map.of());
                }
            } else {
                giveUp();
            }
            return;
        }
        String error = timedOut ? "timeout" : UpstreamAttempt.describe(e);
        if (e instanceof StaleConnectionInterceptor.StaleConnectionException) {
            // a closed pooled connection, after a request that must not be sent twice: the backend is not to blame
            attempt.gaveUp(error);
            ClientResponses.proxyError(exchange, 502, "backend " + attempt.backend().label() + " failed: " + error, Map.of());
            return;
        }
        attempt.failed(error);
        long backoff = nextBackoffNanos();
        if (mayRetry(backoff)) {
            retryAfter(backoff);
            return;
        }
        String backend = attempt.backend().label();
        if (timedOut) {
            ClientResponses.proxyError(exchange, 504, "backend " + backend + " did not answer " + attempt.limit(), Map.of());
        } else {
            ClientResponses.proxyError(exchange, 502, "backend " + backend + " failed: " + error, Map.of());
        }
    }

    private void giveUp() {
        exchange.giveUp();
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

    /** The backoff is a scheduled task: no thread waits it out; the client leaving meanwhile is watched. */
    private void retryAfter(long backoffNanos) {
        current = null;
        ScheduledFuture<?> waiting = proxy.core().scheduler().schedule(this::attempt, backoffNanos, TimeUnit.NANOSECONDS);
        backoff = waiting;
        exchange.watchClient(); // after the backoff is there: a client leaving from now on cancels it
        if (exchange.isClientGone()) {
            cancelBackoff(waiting); // gone already, seen while the answered attempt was still the current one
        }
    }

    /** The client left during a backoff: the next attempt will not be made. Whoever cancels first gives up. */
    private void cancelBackoff(ScheduledFuture<?> waiting) {
        if (waiting != null && waiting.cancel(false)) {
            giveUp();
        }
    }

    private static ClientRequestBody.ClientBodyException clientBodyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientRequestBody.ClientBodyException clientSide) {
                return clientSide;
            }
        }
        return null;
    }

    /** The client's upload is the client's time, not the backend's (see {@link UpstreamAttempt#uploadStarted()}). */
    private final class Upload implements ClientRequestBody.Upload {
        @Override
        public void started() {
            exchange.bodyReadBegins(); // Jetty may read the connection from now on
            Try attempt = current;
            if (attempt != null) {
                attempt.attempt.uploadStarted();
            }
        }

        @Override
        public void finished() {
            exchange.watchAfterBody(); // Jetty reads no more until the answer is out
            Try attempt = current;
            if (attempt != null) {
                attempt.attempt.uploadFinished();
            }
        }
    }

    /**
     * One attempt at one backend, carried by an OkHttp call; the {@link UpstreamAttempt} keeps its
     * backend, permit, faults, timeout and clock, and decides who settles it.
     */
    private final class Try implements Callback, UpstreamAttempt.Steps {
        final UpstreamAttempt attempt;
        private volatile boolean resent;

        Try(BackendChoice.Admitted admitted) {
            this.attempt = UpstreamAttempt.of(exchange, admitted, deadlineNanos, this);
        }

        void start() {
            current = this;
            attempt.start();
        }

        @Override
        public void send() {
            send(false);
        }

        /**
         * Puts the try on the wire once its upload is admitted. A body that trails its head by a
         * moment should not meet a 503 when the permits are taken: it gets {@link #UPLOAD_GRACE_MILLIS}
         * to arrive whole (waited on the scheduler), after which it needs no permit.
         */
        private void send(boolean graceSpent) {
            if (attempt.isSettled()) {
                return; // the timeout or the client got here during the grace
            }
            if (!admitUpload()) {
                if (!graceSpent) {
                    proxy.core().scheduler().schedule(() -> send(true), UPLOAD_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                }
                if (attempt.settle()) {
                    attempt.withdraw(); // the backend was never asked: its breaker hears nothing
                    ClientResponses.proxyError(exchange, 503, "too many slow uploads in progress (at most "
                            + proxy.settings().uploadThreads() + " may wait for their clients at once); try again",
                            Map.of("Retry-After", "1", "Connection", "close"));
                }
                return;
            }
            Call started;
            try {
                okhttp3.Request request = UpstreamRequests.build(exchange, attempt.backend(), body,
                        AttemptTag.of(exchange, attempt.faults()));
                started = proxy.client(attempt.backend(), request.url()).newCall(request);
            } catch (RuntimeException e) {
                if (attempt.settle()) {
                    attempt.withdraw();
                    ClientResponses.proxyError(exchange, 502, "the request could not be forwarded: " + e.getMessage(), Map.of());
                }
                return;
            }
            if (!attempt.inFlight(started::cancel)) {
                return; // the timeout or the client got here between the hang or latency and now
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
         * pool runs short, so that a crowd of slow backends cannot take every Jetty thread (on
         * virtual threads there is no such pool: the exchange always blocks where it is).
         */
        private boolean mayBlockHere() {
            if (Thread.currentThread() != exchange.handlerThread) {
                return false;
            }
            if (ExchangeThreads.virtual()) {
                return true; // a blocked virtual thread holds no platform thread: no pool to run short
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

        @Override
        public void timedOut() {
            onFailed(attempt, new SocketTimeoutException("no response headers in time"), true);
        }

        @Override
        public void abandoned() {
            onFailed(attempt, new IOException("client gone"), false);
        }

        @Override
        public void onFailure(Call failed, IOException e) {
            if (e instanceof StaleConnectionInterceptor.StaleConnectionException stale && mayResend(stale)) {
                resendOnNewConnection(failed.request());
                return;
            }
            if (attempt.settle()) {
                onFailed(attempt, e, false);
            }
        }

        /**
         * Once per try, when the pooled connection the backend had closed is the only thing that
         * failed: not an attempt of its own, the backend did nothing wrong.
         */
        private boolean mayResend(StaleConnectionInterceptor.StaleConnectionException stale) {
            return !resent && !attempt.isSettled() && stale.allowsResend(exchange.method) && bodyCanBeSentAgain();
        }

        private void resendOnNewConnection(okhttp3.Request request) {
            resent = true;
            // the idle connections pooled beside it have waited as long: drop them rather than find out one by one
            proxy.client(attempt.backend(), request.url()).connectionPool().evictAll();
            Call again = proxy.freshConnectionClient(attempt.backend(), request.url()).newCall(request);
            if (!attempt.inFlight(again::cancel)) {
                return;
            }
            if (mayBlockHere()) {
                runHere(again);
            } else {
                again.enqueue(this);
            }
        }

        @Override
        public void onResponse(Call answered, Response response) {
            if (attempt.settle()) {
                onAnswered(attempt, response);
            } else {
                response.close(); // headers came just after the timeout: that attempt is over
            }
        }
    }
}
