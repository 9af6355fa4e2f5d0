package io.chaosproxy.junit;

import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.LatencyDistribution;
import io.chaosproxy.faults.LatencyPoint;
import java.time.Duration;
import java.util.Objects;

/**
 * Latency: the request waits {@code delay}, plus or minus a uniform {@code jitter}, before it is
 * forwarded; or, with {@link #lognormal(Duration)}, a long-tailed wait whose median is {@code delay};
 * or, with {@link #afterBackend()}, the backend's answer waits at the proxy instead.
 */
public final class LatencyFault extends DirectedFaultSpec<LatencyFault> {
    private final Duration delay;
    private final Duration jitter;
    private final Duration p99;   // null: uniform
    private final LatencyPoint when;

    LatencyFault(Common common, Duration delay, Duration jitter) {
        this(common, delay, jitter, null, LatencyPoint.BEFORE_RESPONSE);
    }

    private LatencyFault(Common common, Duration delay, Duration jitter, Duration p99, LatencyPoint when) {
        super(common);
        this.delay = Objects.requireNonNull(delay, "delay");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        this.p99 = p99;
        this.when = when;
    }

    /** Spreads the delay uniformly over {@code delay ± jitter} (never below zero). */
    public LatencyFault jitter(Duration jitter) {
        return new LatencyFault(common(), delay, jitter, p99, when);
    }

    /**
     * A long tail, as real services have: the waits follow a log-normal distribution whose median is
     * the delay and whose 99th percentile is {@code p99} (longer than the delay). Takes no jitter.
     */
    public LatencyFault lognormal(Duration p99) {
        return new LatencyFault(common(), delay, jitter, Objects.requireNonNull(p99, "p99"), when);
    }

    /**
     * The request reaches the backend at once and the backend answers; then its answer waits at the
     * proxy: a client whose timeout fires meanwhile has had the work done without hearing of it.
     */
    public LatencyFault afterBackend() {
        return new LatencyFault(common(), delay, jitter, p99, LatencyPoint.AFTER_BACKEND);
    }

    @Override
    LatencyFault with(Common common) {
        return new LatencyFault(common, delay, jitter, p99, when);
    }

    @Override
    Fault fault() {
        return p99 == null
                ? new Latency(delay.toMillis(), jitter.toMillis(), LatencyDistribution.UNIFORM, 0, when, direction())
                : new Latency(delay.toMillis(), jitter.toMillis(), LatencyDistribution.LOGNORMAL, p99.toMillis(), when,
                        direction());
    }
}
