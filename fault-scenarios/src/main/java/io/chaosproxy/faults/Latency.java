package io.chaosproxy.faults;

/**
 * Latency: wait before forwarding ({@code when} before-response, the default) or hold the backend's
 * answer before it goes to the client ({@code when} after-backend). Times are whole milliseconds in
 * 0..3,600,000 (1 hour).
 *
 * <p>With the {@link LatencyDistribution#UNIFORM uniform} distribution (the default) the wait is
 * {@code delayMs} plus or minus a uniform {@code jitterMs}; the jitter may exceed the delay and the
 * wait is then clamped at 0. With {@link LatencyDistribution#LOGNORMAL lognormal} the wait is drawn
 * from a log-normal distribution whose median is {@code delayMs} (above 0) and whose 99th percentile
 * is {@code p99Ms} (above {@code delayMs}); {@code jitterMs} must be 0 and {@code p99Ms} is 0 with
 * uniform. Several latency rules that fire on one request add up. On a TCP proxy each chunk in
 * {@code direction} waits.
 */
public record Latency(long delayMs, long jitterMs, LatencyDistribution distribution, long p99Ms,
                      LatencyPoint when, Direction direction) implements Fault {

    /** Used when a latency rule gives no {@code delayMs}: a fault that does nothing would surprise. */
    public static final long DEFAULT_DELAY_MS = 1000;

    /** The standard normal's 99th percentile: how many sigmas above the median p99 lies. */
    private static final double Z_99 = 2.3263478740408408;

    public Latency {
        Check.atLeast("delayMs", delayMs, 0);
        Check.atMost("delayMs", delayMs, Limits.MAX_DELAY_MS, "1 hour");
        Check.atLeast("jitterMs", jitterMs, 0);
        Check.atMost("jitterMs", jitterMs, Limits.MAX_DELAY_MS, "1 hour");
        distribution = distribution == null ? LatencyDistribution.UNIFORM : distribution;
        when = when == null ? LatencyPoint.BEFORE_RESPONSE : when;
        direction = direction == null ? Direction.DOWNSTREAM : direction;
        if (distribution == LatencyDistribution.LOGNORMAL) {
            checkLognormal(delayMs, jitterMs, p99Ms);
        } else if (p99Ms != 0) {
            throw p99NeedsLognormal();
        }
    }

    /** A uniform spread before forwarding. */
    public Latency(long delayMs, long jitterMs) {
        this(delayMs, jitterMs, LatencyDistribution.UNIFORM, 0, LatencyPoint.BEFORE_RESPONSE, Direction.DOWNSTREAM);
    }

    /** A fixed delay with no jitter. */
    public Latency(long delayMs) {
        this(delayMs, 0);
    }

    /** A long-tailed delay before forwarding: median {@code medianMs}, 99th percentile {@code p99Ms}. */
    public static Latency lognormal(long medianMs, long p99Ms) {
        return new Latency(medianMs, 0, LatencyDistribution.LOGNORMAL, p99Ms, LatencyPoint.BEFORE_RESPONSE,
                Direction.DOWNSTREAM);
    }

    /** The same latency at another point. */
    public Latency at(LatencyPoint point) {
        return new Latency(delayMs, jitterMs, distribution, p99Ms, point, direction);
    }

    /**
     * One log-normal wait around {@code medianMs} (the rule's {@code delayMs}, or where a ramp has
     * moved it) for one standard normal draw {@code gaussian}. The spread stays the rule's own
     * ({@code p99Ms / delayMs}), so a ramp moves the whole curve. Clamped to 0..1 hour.
     */
    public long lognormalDelayMs(long medianMs, double gaussian) {
        double sigma = Math.log((double) p99Ms / delayMs) / Z_99;
        double wait = medianMs * Math.exp(sigma * gaussian);
        return Math.max(0, Math.min(Limits.MAX_DELAY_MS, Math.round(wait)));
    }

    private static void checkLognormal(long delayMs, long jitterMs, long p99Ms) {
        if (jitterMs != 0) {
            throw new FaultSpecException("jitterMs",
                    "jitterMs does not apply with distribution lognormal (its spread is set by p99Ms)");
        }
        if (delayMs <= 0) {
            throw new FaultSpecException("delayMs",
                    "delayMs (the median) must be > 0 with distribution lognormal");
        }
        Check.atMost("p99Ms", p99Ms, Limits.MAX_DELAY_MS, "1 hour");
        if (p99Ms <= delayMs) {
            throw new FaultSpecException("p99Ms",
                    "p99Ms must be greater than delayMs (the median) with distribution lognormal");
        }
    }

    static FaultSpecException p99Required() {
        return new FaultSpecException("p99Ms",
                "p99Ms (the 99th percentile) is required with \"distribution\": \"lognormal\"");
    }

    static FaultSpecException p99NeedsLognormal() {
        return new FaultSpecException("p99Ms", "p99Ms only applies with \"distribution\": \"lognormal\"");
    }

    @Override
    public FaultType type() {
        return FaultType.LATENCY;
    }
}
