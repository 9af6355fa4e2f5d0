package io.chaosproxy.faults;

/**
 * Latency: wait {@code delayMs} milliseconds, plus or minus a uniform {@code jitterMs}
 * milliseconds, before forwarding. Both are whole milliseconds in 0..3,600,000 (1 hour).
 *
 * <p>The jitter may exceed the delay; the wait is then clamped at 0, never negative.
 * Several latency rules that fire on one request add up.
 */
public record Latency(long delayMs, long jitterMs) implements Fault {

    /** Used when a latency rule gives no {@code delayMs}: a fault that does nothing would surprise. */
    public static final long DEFAULT_DELAY_MS = 1000;

    public Latency {
        Check.atLeast("delayMs", delayMs, 0);
        Check.atMost("delayMs", delayMs, Limits.MAX_DELAY_MS, "1 hour");
        Check.atLeast("jitterMs", jitterMs, 0);
        Check.atMost("jitterMs", jitterMs, Limits.MAX_DELAY_MS, "1 hour");
    }

    /** A fixed delay with no jitter. */
    public Latency(long delayMs) {
        this(delayMs, 0);
    }

    @Override
    public FaultType type() {
        return FaultType.LATENCY;
    }
}
