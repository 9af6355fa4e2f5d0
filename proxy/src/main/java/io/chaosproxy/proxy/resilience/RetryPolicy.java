package io.chaosproxy.proxy.resilience;

import io.chaosproxy.proxy.config.ResilienceSettings;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Which exchanges may be retried, on what outcomes, and how long to wait before the next attempt. */
public final class RetryPolicy {

    /** RFC 9110 section 9.2.2: sending these twice has the same effect as once. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final ResilienceSettings settings;

    public RetryPolicy(ResilienceSettings settings) {
        this.settings = settings;
    }

    /** Whether {@code method} is idempotent by RFC 9110 section 9.2.2. */
    public static boolean isIdempotent(String method) {
        return IDEMPOTENT.contains(method);
    }

    /**
     * A POST or PATCH may change state each time it arrives: retrying one after a dropped connection
     * can charge a customer twice. Only the user's explicit opt-in plus an Idempotency-Key changes that.
     */
    public boolean methodAllowsRetry(String method, boolean hasIdempotencyKey) {
        if (IDEMPOTENT.contains(method)) {
            return true;
        }
        boolean keyed = method.equals("POST") || method.equals("PATCH");
        return keyed && hasIdempotencyKey && settings.retryWithIdempotencyKey();
    }

    /** Gateway statuses mean the backend did not do the work; anything else is the backend's answer. */
    public boolean isRetryableStatus(int status) {
        return settings.retryOnStatus().contains(status);
    }

    public int maxAttempts() {
        return settings.maxAttempts();
    }

    /**
     * Full jitter: uniform in [0, min(cap, base * 2^retry)], which spreads a herd of retries best.
     * {@code retryNumber} counts from 0 for the first retry. Nanosecond resolution, so a
     * sub-millisecond base is not rounded away to no backoff at all.
     */
    public Duration backoff(int retryNumber) {
        long base = settings.backoffBase().toNanos();
        long cap = settings.backoffCap().toNanos();
        int doublings = Math.min(Math.max(retryNumber, 0), 62);
        // base * 2^doublings > cap, asked without overflowing
        long ceiling = base > (cap >> doublings) ? cap : base << doublings;
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}
