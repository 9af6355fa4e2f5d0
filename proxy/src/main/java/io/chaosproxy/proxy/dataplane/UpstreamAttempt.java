package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.HangPoint;
import io.chaosproxy.faults.RequestFacts;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.CircuitBreaker.Permit;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One try at one backend, whatever carries it (an OkHttp call, a WebSocket handshake, a TCP
 * connect, a gRPC exchange): the backend and its breaker permit, the upstream faults of the try,
 * the try timeout (cut short by the exchange deadline), an upstream hang, the clock, and the one
 * verdict the breaker hears.
 *
 * <p>Lifecycle: {@link #start()} decides the upstream faults and arms the timeout; after the
 * injected latency and any hang, {@link Steps#send()} puts the try on the wire, and the carrier
 * registers how to stop it with {@link #inFlight(Runnable)}. Whoever ends the try first (an
 * answer, a failure, the timeout, the client leaving) wins {@link #settle()}, the only way to end
 * it, and then gives exactly one verdict: {@link #answered(int)}, {@link #succeeded()},
 * {@link #failed(String)}, {@link #gaveUp(String)} or {@link #withdraw()}.
 *
 * <p>Nothing here knows the carrier's types, so each transport keeps only its own wire calls.
 */
public final class UpstreamAttempt {
    /** How long a half-open probe's client may take to upload its body before the probe is given back. */
    static final long PROBE_UPLOAD_GRACE_MILLIS = 1_000;

    /** For a try the exchange deadline does not cut short (a WebSocket handshake). */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    /** What a try needs from the exchange it serves: the facts rules match on, and its journal. */
    public interface Owner extends RequestFacts {
        void recordFaults(FaultDecision decision);

        void recordAttempt(Attempt attempt);

        boolean isClientGone();

        /** Ends the exchange without an answer (its client's connection closed), journaled with {@code why}. */
        void end(String why);

        /** A latency or hang of the try holds the exchange before anything is sent. */
        default void held() {
        }
    }

    /** Why an exchange held by a rule ended when a reset removed the rule. */
    static final String ENDED_BY_RESET = "ended by a reset: the rule holding it was removed";

    /** The carrier's part of a try. Each method runs at most once, and only the last two after settling. */
    public interface Steps {
        /** After the injected latency and any hang: put the try on the wire, then settle it when it ends. */
        void send();

        /** The timeout settled the try and stopped what was in flight: give the verdict, answer the client. */
        void timedOut();

        /** The client left before anything was in flight; the try is settled: give the verdict, close the books. */
        void abandoned();
    }

    private final ProxyCore core;
    private final ResilienceSettings settings;
    private final Owner owner;
    private final Backend backend;
    private final Permit permit;
    private final long startNanos = System.nanoTime();
    private final long tryNanos;
    private volatile long deadlineNanos;
    private volatile boolean cutByDeadline;
    private volatile long uploadStartedNanos;
    private volatile boolean verdictForgone;
    private volatile ScheduledFuture<?> probeGrace;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Steps steps;
    private volatile FaultDecision faults = FaultDecision.NONE;
    private volatile ScheduledFuture<?> timeout;
    private volatile HangHold hangHold;
    private volatile Runnable cancel;
    private volatile Runnable unmarkLatency = () -> { };
    private volatile long resetsBefore;

    /**
     * A try whose clock starts now, on a backend whose breaker gave {@code permit}. Its timeout is
     * the try timeout, or what is left until {@code deadlineNanos} (a {@link System#nanoTime()}
     * value, or {@link #NO_DEADLINE}) when that is shorter.
     */
    UpstreamAttempt(ProxyCore core, ResilienceSettings settings, Owner owner, Backend backend, Permit permit,
                    long deadlineNanos, Steps steps) {
        this.core = core;
        this.steps = steps;
        this.settings = settings;
        this.owner = owner;
        this.backend = backend;
        this.permit = permit;
        this.tryNanos = settings.tryTimeout().toNanos();
        this.deadlineNanos = deadlineNanos;
    }

    /** The try timeout, or what is left of the deadline when that is shorter. */
    private long timeoutNanos(long fromNanos) {
        long leftNanos = deadlineNanos == NO_DEADLINE ? Long.MAX_VALUE : Math.max(0, deadlineNanos - fromNanos);
        cutByDeadline = leftNanos < tryNanos;
        return Math.min(tryNanos, leftNanos);
    }

    /**
     * A TCP connection's connect to the backend {@link BackendChoice} admitted: no exchange
     * deadline, the try timeout bounds an upstream hang (the connector's own connect timeout
     * bounds the handshake).
     */
    public static UpstreamAttempt ofConnection(ProxyRuntime proxy, Owner owner, BackendChoice.Admitted admitted, Steps steps) {
        return new UpstreamAttempt(proxy.core(), proxy.settings(), owner, admitted.backend(), admitted.permit(), NO_DEADLINE, steps);
    }

    /** A try for an HTTP exchange on the backend {@link BackendChoice} admitted. */
    static UpstreamAttempt of(Exchange exchange, BackendChoice.Admitted admitted, long deadlineNanos, Steps steps) {
        return new UpstreamAttempt(exchange.proxy.core(), exchange.proxy.settings(), exchange,
                admitted.backend(), admitted.permit(), deadlineNanos, steps);
    }

    /**
     * Decides and records the try's upstream faults, arms the timeout, and sends once the injected
     * latency is over (a scheduled task: no thread waits) and any hang has ended.
     */
    public void start() {
        resetsBefore = core.resets();
        faults = core.faults().decide(owner, Target.UPSTREAM);
        owner.recordFaults(faults);
        timeout = core.scheduler().schedule(this::timeUp, timeoutNanos(startNanos), TimeUnit.NANOSECONDS);
        if (faults.delayMs() > 0) {
            owner.held();
            unmarkLatency = core.waitingOut(faults, this::endedByReset, resetsBefore);
            core.scheduler().schedule(this::proceed, faults.delayMs(), TimeUnit.MILLISECONDS);
        } else {
            proceed();
        }
    }

    private void proceed() {
        unmarkLatency.run();
        if (settled.get()) {
            return; // timed out or abandoned during an injected latency or hang
        }
        if (owner.isClientGone()) {
            abandon();
            return;
        }
        if (faults.terminalFault() instanceof Hang hang && hang.when() == HangPoint.BEFORE_RESPONSE) {
            // the backend "never answers": the timeout ends the try, unless the rule goes first
            owner.held();
            hangHold = core.holdWhileRuleLasts(faults.terminal(), () -> {
                // what else fired (a bandwidth, say) still applies; the latency is spent
                faults = new FaultDecision(faults.fired(), 0, faults.bytesPerSecond(), null);
                core.scheduler().execute(this::proceed);
            }, this::endedByReset, resetsBefore);
            return;
        }
        steps.send();
    }

    /**
     * How to stop what {@link Steps#send()} put on the wire. False, having stopped it already, when
     * the try was settled meanwhile (the timeout or the client got there first).
     */
    public boolean inFlight(Runnable cancelAction) {
        cancel = cancelAction;
        if (settled.get()) {
            cancelAction.run();
            return false;
        }
        return true;
    }

    /** The client left: stop what is in flight (its failure then settles the try), or settle it here. */
    public void abandon() {
        Runnable inFlight = cancel;
        if (inFlight != null) {
            inFlight.run();
        } else if (settle()) {
            steps.abandoned();
        }
    }

    /** Stops what is in flight, if anything is. */
    void cancel() {
        Runnable inFlight = cancel;
        if (inFlight != null) {
            inFlight.run();
        }
    }

    /**
     * The client's upload begins: the time it takes is the client's, so neither the try timeout
     * nor the deadline runs meanwhile (a backend that stops reading meets the write timeout, which
     * is the try timeout). A half-open breaker's one probe is given back if the upload is still
     * going after {@link #PROBE_UPLOAD_GRACE_MILLIS}: a slow client must not keep every other
     * request from probing the backend; this try's outcome is then only journaled.
     */
    void uploadStarted() {
        uploadStartedNanos = System.nanoTime();
        ScheduledFuture<?> pending = timeout;
        if (pending != null) {
            pending.cancel(false);
        }
        if (permit == Permit.PROBE) {
            probeGrace = core.scheduler().schedule(this::giveBackProbe, PROBE_UPLOAD_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void giveBackProbe() {
        if (!settled.get() && !verdictForgone) {
            verdictForgone = true;
            backend.breaker().release(permit);
        }
    }

    /** The client's upload is complete: the backend's clock runs again, the deadline moved by the upload's time. */
    void uploadFinished() {
        long now = System.nanoTime();
        ScheduledFuture<?> grace = probeGrace;
        if (grace != null) {
            grace.cancel(false);
        }
        if (deadlineNanos != NO_DEADLINE) {
            deadlineNanos += now - uploadStartedNanos;
        }
        if (!settled.get()) {
            timeout = core.scheduler().schedule(this::timeUp, timeoutNanos(now), TimeUnit.NANOSECONDS);
            if (settled.get()) {
                timeout.cancel(false); // settled meanwhile: settle() may have missed the new timer
            }
        }
    }

    /** A reset removed the rule holding this try: it ends here, and so does the exchange. */
    private void endedByReset() {
        if (settle()) {
            cancel();
            gaveUp(ENDED_BY_RESET);
            owner.end(ENDED_BY_RESET);
        }
    }

    private void timeUp() {
        if (settle()) {
            cancel();
            steps.timedOut();
        }
    }

    /** True for the one caller that ends this try; it also stops the timeout and any hang. */
    public boolean settle() {
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
        unmarkLatency.run();
        return true;
    }

    boolean isSettled() {
        return settled.get();
    }

    // ---- the one verdict, with the journal's record of the try ----

    /** The backend answered with {@code status}: a failure for the breaker if the status is one it counts. */
    void answered(int status) {
        answered(status, status);
    }

    /**
     * The backend answered with {@code status}, judged by the breaker as {@code judgedAs}: a
     * trailers-only gRPC failure is HTTP 200 on the wire but UNAVAILABLE means what a 503 does.
     */
    void answered(int status, int judgedAs) {
        owner.recordAttempt(new Attempt(backend.label(), status, null, millis(), firedIds()));
        if (verdictForgone) {
            return;
        }
        if (settings.breakerOnStatus().contains(judgedAs)) {
            backend.breaker().onFailure(permit);
        } else {
            backend.breaker().onSuccess(permit);
        }
    }

    /** The backend took the try without a status (a TCP connection, say): a success for the breaker. */
    public void succeeded() {
        owner.recordAttempt(new Attempt(backend.label(), null, null, millis(), firedIds()));
        if (!verdictForgone) {
            backend.breaker().onSuccess(permit);
        }
    }

    /** The backend failed the try ({@code error} as {@link #describe} puts it, or "timeout"). */
    public void failed(String error) {
        owner.recordAttempt(new Attempt(backend.label(), null, error, millis(), firedIds()));
        if (!verdictForgone) {
            backend.breaker().onFailure(permit);
        }
    }

    /** The client, not the backend, ended the try: recorded, and the breaker hears nothing. */
    public void gaveUp(String why) {
        owner.recordAttempt(new Attempt(backend.label(), null, why, millis(), firedIds()));
        if (!verdictForgone) {
            backend.breaker().release(permit);
        }
    }

    /** The upstream rules that fired on this try, for its journal record. */
    private List<String> firedIds() {
        return faults == null ? List.of() : faults.firedIds();
    }

    /** The try never reached the backend (the request could not be built): the permit goes back unrecorded. */
    void withdraw() {
        if (!verdictForgone) {
            backend.breaker().release(permit);
        }
    }

    // ---- what the carrier and the client are told ----

    public Backend backend() {
        return backend;
    }

    /** The upstream faults of this try; after a hang, without the hang. */
    public FaultDecision faults() {
        return faults;
    }

    /** Milliseconds since the backend was chosen: injected upstream latency counts, as a slow backend would. */
    long millis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** How long the backend had, for a timeout's answer: "within 3000ms" or "within the exchange deadline of ...". */
    String limit() {
        return cutByDeadline
                ? "within the exchange deadline of " + settings.deadline().toMillis() + "ms"
                : "within " + settings.tryTimeout().toMillis() + "ms";
    }

    /** A failure as the journal and the client's error put it: short, and naming injected ones. */
    public static String describe(Throwable e) {
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
}
