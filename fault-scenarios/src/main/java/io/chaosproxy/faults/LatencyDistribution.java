package io.chaosproxy.faults;

import java.util.Locale;

/** How a latency rule spreads its delays around {@code delayMs}. */
public enum LatencyDistribution {
    /** {@code delayMs} plus or minus a uniform {@code jitterMs} (the default). */
    UNIFORM,
    /**
     * A long tail: {@code delayMs} is the median and {@code p99Ms} the 99th percentile, as real
     * services' latencies are often described.
     */
    LOGNORMAL;

    /** The JSON spelling: {@code "uniform"} or {@code "lognormal"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "distribution". */
    public static LatencyDistribution fromWireName(String text) {
        return WireNames.lookup(LatencyDistribution.class, LatencyDistribution::wireName, "distribution", text);
    }
}
