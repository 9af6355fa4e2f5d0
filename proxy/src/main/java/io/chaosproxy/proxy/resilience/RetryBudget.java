package io.chaosproxy.proxy.resilience;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Caps retries at a share of recent requests plus a small floor, as Linkerd and Envoy do, so a
 * failing fleet is not hammered by retries on top of its normal load.
 *
 * <p>Counts live in one-second buckets over a sliding window; the few operations synchronize on the
 * budget, which is cheap next to an upstream call.
 */
public final class RetryBudget {
    private final double ratio;
    private final int minPerSecond;
    private final int windowSeconds;
    private final LongSupplier nanoClock;
    private final long[] requests;
    private final long[] retries;
    private final long[] bucketSecond;

    public RetryBudget(double ratio, int minPerSecond, Duration window, LongSupplier nanoClock) {
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.windowSeconds = (int) Math.max(1, window.toSeconds());
        this.nanoClock = nanoClock;
        this.requests = new long[windowSeconds];
        this.retries = new long[windowSeconds];
        this.bucketSecond = new long[windowSeconds];
        java.util.Arrays.fill(bucketSecond, Long.MIN_VALUE);
    }

    /** Counts a first attempt. */
    public synchronized void onRequest() {
        requests[bucket()]++;
    }

    /** Takes one retry from the budget if there is room; false means the retry must not be sent. */
    public synchronized boolean tryRetry() {
        int current = bucket();
        long recentRequests = 0;
        long recentRetries = 0;
        long now = currentSecond();
        for (int i = 0; i < windowSeconds; i++) {
            if (now - bucketSecond[i] < windowSeconds) {
                recentRequests += requests[i];
                recentRetries += retries[i];
            }
        }
        double allowed = ratio * recentRequests + (double) minPerSecond * windowSeconds;
        if (recentRetries + 1 > allowed) {
            return false;
        }
        retries[current]++;
        return true;
    }

    private int bucket() {
        long second = currentSecond();
        int index = (int) Math.floorMod(second, (long) windowSeconds);
        if (bucketSecond[index] != second) {
            bucketSecond[index] = second;
            requests[index] = 0;
            retries[index] = 0;
        }
        return index;
    }

    private long currentSecond() {
        return Math.floorDiv(nanoClock.getAsLong(), 1_000_000_000L);
    }
}
