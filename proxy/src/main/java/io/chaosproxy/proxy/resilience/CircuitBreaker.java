package io.chaosproxy.proxy.resilience;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * One backend's circuit breaker: CLOSED, OPEN after N consecutive failures, HALF_OPEN after the
 * cooldown, where exactly one probe is let through.
 *
 * <p>All state lives in one immutable snapshot behind an {@link AtomicReference}; every transition is
 * a compare-and-set, so under any number of threads each transition happens once and only one
 * caller becomes the probe.
 */
public final class CircuitBreaker {

    /** What {@link #tryAcquire()} grants: a normal pass, the single half-open probe, or nothing. */
    public enum Permit { DENIED, PASS, PROBE }

    /** Told about each change of state, once, on the thread that made it; it must be quick. */
    @FunctionalInterface
    public interface TransitionListener {
        void onTransition(BreakerState from, BreakerState to);
    }

    private record Snapshot(BreakerState state, int consecutiveFailures, long openedAtNanos, long openings) {}

    private final int failureThreshold;
    private final long cooldownNanos;
    private final LongSupplier nanoClock;
    private final TransitionListener listener;
    private final AtomicReference<Snapshot> snapshot =
            new AtomicReference<>(new Snapshot(BreakerState.CLOSED, 0, 0, 0));

    /** A threshold of 0 makes a breaker that never opens. */
    public CircuitBreaker(int failureThreshold, Duration cooldown, LongSupplier nanoClock) {
        this(failureThreshold, cooldown, nanoClock, (from, to) -> { });
    }

    /** As above, telling {@code listener} about every transition (the proxy's event log listens). */
    public CircuitBreaker(int failureThreshold, Duration cooldown, LongSupplier nanoClock, TransitionListener listener) {
        if (failureThreshold < 0) {
            throw new IllegalArgumentException("failureThreshold must be >= 0, got " + failureThreshold);
        }
        this.failureThreshold = failureThreshold;
        this.cooldownNanos = cooldown.toNanos();
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    /** Asks to send one request; a PROBE or PASS must be followed by {@link #onSuccess} or {@link #onFailure}. */
    public Permit tryAcquire() {
        while (true) {
            Snapshot current = snapshot.get();
            switch (current.state()) {
                case CLOSED:
                    return Permit.PASS;
                case HALF_OPEN:
                    return Permit.DENIED;
                case OPEN:
                    if (nanoClock.getAsLong() - current.openedAtNanos() < cooldownNanos) {
                        return Permit.DENIED;
                    }
                    Snapshot probing = new Snapshot(BreakerState.HALF_OPEN, current.consecutiveFailures(),
                            current.openedAtNanos(), current.openings());
                    if (snapshot.compareAndSet(current, probing)) {
                        changed(current, probing);
                        return Permit.PROBE;
                    }
                    break; // another thread moved first: look again
                default:
                    throw new IllegalStateException("unknown state " + current.state());
            }
        }
    }

    /** True when a request could be admitted now, without taking the permit: the balancer's view. */
    public boolean isAvailable() {
        Snapshot current = snapshot.get();
        return switch (current.state()) {
            case CLOSED -> true;
            case HALF_OPEN -> false;
            case OPEN -> nanoClock.getAsLong() - current.openedAtNanos() >= cooldownNanos;
        };
    }

    public void onSuccess(Permit permit) {
        while (true) {
            Snapshot current = snapshot.get();
            Snapshot next;
            if (permit == Permit.PROBE && current.state() == BreakerState.HALF_OPEN) {
                next = new Snapshot(BreakerState.CLOSED, 0, 0, current.openings());
            } else if (current.state() == BreakerState.CLOSED && current.consecutiveFailures() != 0) {
                next = new Snapshot(BreakerState.CLOSED, 0, 0, current.openings());
            } else {
                return; // a late answer from before the breaker opened changes nothing
            }
            if (snapshot.compareAndSet(current, next)) {
                changed(current, next);
                return;
            }
        }
    }

    public void onFailure(Permit permit) {
        while (true) {
            Snapshot current = snapshot.get();
            Snapshot next;
            if (permit == Permit.PROBE && current.state() == BreakerState.HALF_OPEN) {
                next = new Snapshot(BreakerState.OPEN, current.consecutiveFailures() + 1, nanoClock.getAsLong(),
                        current.openings() + 1);
            } else if (current.state() == BreakerState.CLOSED) {
                int failures = current.consecutiveFailures() + 1;
                boolean opens = failureThreshold > 0 && failures >= failureThreshold;
                next = opens
                        ? new Snapshot(BreakerState.OPEN, failures, nanoClock.getAsLong(), current.openings() + 1)
                        : new Snapshot(BreakerState.CLOSED, failures, 0, current.openings());
            } else {
                return; // already open: late failures from before do not restart the cooldown
            }
            if (snapshot.compareAndSet(current, next)) {
                changed(current, next);
                return;
            }
        }
    }

    /**
     * Gives back a permit whose request never reached the backend (the client left, the request could
     * not be built). An unused PROBE returns the breaker to OPEN with its cooldown already over, so
     * the next request probes at once; a breaker must never wait in HALF_OPEN for an answer that
     * will not come.
     */
    public void release(Permit permit) {
        if (permit != Permit.PROBE) {
            return; // a PASS changed nothing, so there is nothing to give back
        }
        while (true) {
            Snapshot current = snapshot.get();
            if (current.state() != BreakerState.HALF_OPEN) {
                return; // reset meanwhile
            }
            Snapshot reopened = new Snapshot(BreakerState.OPEN, current.consecutiveFailures(),
                    current.openedAtNanos(), current.openings());
            if (snapshot.compareAndSet(current, reopened)) {
                changed(current, reopened);
                return;
            }
        }
    }

    /** Back to CLOSED with no failures counted: between tests, or on {@code POST /reset}. */
    public void reset() {
        Snapshot closed = new Snapshot(BreakerState.CLOSED, 0, 0, 0);
        Snapshot before = snapshot.getAndUpdate(current -> new Snapshot(BreakerState.CLOSED, 0, 0, current.openings()));
        changed(before, closed);
    }

    /** A listener's failure must never break the breaker: it is swallowed. */
    private void changed(Snapshot before, Snapshot after) {
        if (before.state() == after.state()) {
            return;
        }
        try {
            listener.onTransition(before.state(), after.state());
        } catch (RuntimeException ignored) {
            // the breaker's state is already right; a broken listener only loses its own event
        }
    }

    public BreakerState state() {
        return snapshot.get().state();
    }

    public int consecutiveFailures() {
        return snapshot.get().consecutiveFailures();
    }

    /** How many times this breaker has opened since the proxy started. */
    public long openings() {
        return snapshot.get().openings();
    }

    /** Nanoseconds until an open breaker admits its probe; 0 when it is not open or already may. */
    public long nanosUntilProbe() {
        Snapshot current = snapshot.get();
        if (current.state() != BreakerState.OPEN) {
            return 0;
        }
        return Math.max(0, current.openedAtNanos() + cooldownNanos - nanoClock.getAsLong());
    }

    /** When the breaker last opened, on the breaker's nano clock; 0 when it is closed. */
    public long openedAtNanos() {
        return snapshot.get().openedAtNanos();
    }
}
