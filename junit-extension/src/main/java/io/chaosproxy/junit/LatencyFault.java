package io.chaosproxy.junit;

import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.Latency;
import java.time.Duration;
import java.util.Objects;

/** Latency: the request waits {@code delay}, plus or minus a uniform {@code jitter}, before it is forwarded. */
public final class LatencyFault extends FaultSpec<LatencyFault> {
    private final Duration delay;
    private final Duration jitter;

    LatencyFault(Common common, Duration delay, Duration jitter) {
        super(common);
        this.delay = Objects.requireNonNull(delay, "delay");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
    }

    /** Spreads the delay uniformly over {@code delay ± jitter} (never below zero). */
    public LatencyFault jitter(Duration jitter) {
        return new LatencyFault(common(), delay, jitter);
    }

    @Override
    LatencyFault with(Common common) {
        return new LatencyFault(common, delay, jitter);
    }

    @Override
    Fault fault() {
        return new Latency(delay.toMillis(), jitter.toMillis());
    }
}
