package io.chaosproxy.proxy.config;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a proxy protects itself and its backends: retries, retry budget, circuit breakers, timeouts,
 * and the bounds on slow uploads.
 * Immutable; built once with {@link #builder()}, whose setters check each value at once.
 */
public record ResilienceSettings(
        int maxAttempts,
        Set<Integer> retryOnStatus,
        Duration backoffBase,
        Duration backoffCap,
        long replayBufferBytes,
        boolean retryWithIdempotencyKey,
        double retryBudgetRatio,
        int retryBudgetMinPerSecond,
        Duration retryBudgetWindow,
        int breakerFailures,
        Set<Integer> breakerOnStatus,
        Duration breakerCooldown,
        Duration connectTimeout,
        Duration tryTimeout,
        Duration deadline,
        long minUploadRate,
        int uploadThreads) {

    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** The gateway errors: the backend (or one behind it) said it could not serve this time. */
    public static final Set<Integer> DEFAULT_RETRY_ON_STATUS = Set.of(502, 503, 504);
    /** Full-jitter backoff as in the AWS architecture blog: short enough to be invisible to a test. */
    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
    public static final Duration DEFAULT_BACKOFF_CAP = Duration.ofMillis(250);
    /** Bodies up to this size are kept so an idempotent request can be sent again. */
    public static final long DEFAULT_REPLAY_BUFFER_BYTES = 1024 * 1024;
    /** Linkerd's defaults: retries add at most 20% load, with a floor so a quiet service can still retry. */
    public static final double DEFAULT_RETRY_BUDGET_RATIO = 0.2;
    public static final int DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 10;
    public static final Duration DEFAULT_RETRY_BUDGET_WINDOW = Duration.ofSeconds(10);
    public static final int DEFAULT_BREAKER_FAILURES = 5;
    public static final Duration DEFAULT_BREAKER_COOLDOWN = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TRY_TIMEOUT = Duration.ofSeconds(30);
    /** Every attempt and backoff of one exchange fits in this, so retries never stretch a call without end. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);
    /**
     * Bytes per second an upload must keep up while the proxy waits for it (measured over 10 s):
     * a slow-loris upload is cut with 408; a real client on a bad mobile link still sends more.
     */
    public static final long DEFAULT_MIN_UPLOAD_RATE = 512;
    /**
     * On Java 17 (platform threads) at most this many uploads of one proxy may hold a thread while
     * waiting for their client's bytes; more get 503. Half the data plane's pool of 400, so the rest
     * serves everything else. Virtual threads (Java 21+) need no such cap.
     */
    public static final int DEFAULT_UPLOAD_THREADS = 200;

    public ResilienceSettings {
        retryOnStatus = Set.copyOf(retryOnStatus);
        breakerOnStatus = Set.copyOf(breakerOnStatus);
    }

    public static ResilienceSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxAttempts = maxAttempts;
        b.retryOnStatus = new TreeSet<>(retryOnStatus);
        b.backoffBase = backoffBase;
        b.backoffCap = backoffCap;
        b.replayBufferBytes = replayBufferBytes;
        b.retryWithIdempotencyKey = retryWithIdempotencyKey;
        b.retryBudgetRatio = retryBudgetRatio;
        b.retryBudgetMinPerSecond = retryBudgetMinPerSecond;
        b.retryBudgetWindow = retryBudgetWindow;
        b.breakerFailures = breakerFailures;
        b.breakerOnStatus = new TreeSet<>(breakerOnStatus);
        b.breakerCooldown = breakerCooldown;
        b.connectTimeout = connectTimeout;
        b.tryTimeout = tryTimeout;
        b.deadline = deadline;
        b.minUploadRate = minUploadRate;
        b.uploadThreads = uploadThreads;
        return b;
    }

    /** Builds {@link ResilienceSettings}; every setter rejects a bad value with a message naming it. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Set<Integer> retryOnStatus = new TreeSet<>(DEFAULT_RETRY_ON_STATUS);
        private Duration backoffBase = DEFAULT_BACKOFF_BASE;
        private Duration backoffCap = DEFAULT_BACKOFF_CAP;
        private long replayBufferBytes = DEFAULT_REPLAY_BUFFER_BYTES;
        private boolean retryWithIdempotencyKey;
        private double retryBudgetRatio = DEFAULT_RETRY_BUDGET_RATIO;
        private int retryBudgetMinPerSecond = DEFAULT_RETRY_BUDGET_MIN_PER_SECOND;
        private Duration retryBudgetWindow = DEFAULT_RETRY_BUDGET_WINDOW;
        private int breakerFailures = DEFAULT_BREAKER_FAILURES;
        private Set<Integer> breakerOnStatus = allServerErrors();
        private Duration breakerCooldown = DEFAULT_BREAKER_COOLDOWN;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration tryTimeout = DEFAULT_TRY_TIMEOUT;
        private Duration deadline = DEFAULT_DEADLINE;
        private long minUploadRate = DEFAULT_MIN_UPLOAD_RATE;
        private int uploadThreads = DEFAULT_UPLOAD_THREADS;

        private Builder() {}

        /** Attempts per request, the first included; 1 turns retries off. */
        public Builder maxAttempts(int value) {
            require(value >= 1 && value <= 10, "maxAttempts must be 1-10, got " + value);
            maxAttempts = value;
            return this;
        }

        public Builder retryOnStatus(Set<Integer> statuses) {
            for (int status : statuses) {
                require(status >= 500 && status <= 599 || status == 429 || status == 408,
                        "retryOnStatus may hold 408, 429 and 500-599, got " + status);
            }
            retryOnStatus = new TreeSet<>(statuses);
            return this;
        }

        public Builder backoff(Duration base, Duration cap) {
            requirePositive(base, "backoffBase");
            requirePositive(cap, "backoffCap");
            require(cap.compareTo(base) >= 0, "backoffCap (" + cap.toMillis() + "ms) must be >= backoffBase (" + base.toMillis() + "ms)");
            backoffBase = base;
            backoffCap = cap;
            return this;
        }

        public Builder replayBufferBytes(long value) {
            require(value >= 0 && value <= 64L * 1024 * 1024, "replayBufferBytes must be 0-67108864, got " + value);
            replayBufferBytes = value;
            return this;
        }

        /** Off by default: a POST or PATCH carrying an Idempotency-Key header may then be retried. */
        public Builder retryWithIdempotencyKey(boolean value) {
            retryWithIdempotencyKey = value;
            return this;
        }

        public Builder retryBudget(double ratio, int minPerSecond, Duration window) {
            require(ratio >= 0 && ratio <= 10 && !Double.isNaN(ratio), "retryBudgetRatio must be 0-10, got " + ratio);
            require(minPerSecond >= 0, "retryBudgetMinPerSecond must be >= 0, got " + minPerSecond);
            requirePositive(window, "retryBudgetWindow");
            require(window.toSeconds() >= 1 && window.toSeconds() <= 600, "retryBudgetWindow must be 1s-600s, got " + window.toMillis() + "ms");
            retryBudgetRatio = ratio;
            retryBudgetMinPerSecond = minPerSecond;
            retryBudgetWindow = window;
            return this;
        }

        /** Consecutive failures that open a backend's breaker; 0 turns breakers off. */
        public Builder breakerFailures(int value) {
            require(value >= 0, "breakerFailures must be >= 0, got " + value);
            breakerFailures = value;
            return this;
        }

        public Builder breakerOnStatus(Set<Integer> statuses) {
            for (int status : statuses) {
                require(status >= 400 && status <= 599, "breakerOnStatus may hold 400-599, got " + status);
            }
            breakerOnStatus = new TreeSet<>(statuses);
            return this;
        }

        public Builder breakerCooldown(Duration value) {
            requirePositive(value, "breakerCooldown");
            breakerCooldown = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            requirePositive(value, "connectTimeout");
            connectTimeout = value;
            return this;
        }

        /** One attempt, until the backend's response headers arrive. */
        public Builder tryTimeout(Duration value) {
            requirePositive(value, "tryTimeout");
            tryTimeout = value;
            return this;
        }

        /** All attempts of one exchange, backoff included, until response headers. */
        public Builder deadline(Duration value) {
            requirePositive(value, "deadline");
            deadline = value;
            return this;
        }

        /** Bytes per second an upload must keep up while the proxy waits for it; 0 turns the check off. */
        public Builder minUploadRate(long value) {
            require(value >= 0 && value <= 1024L * 1024 * 1024, "minUploadRate must be 0-1073741824 bytes per second, got " + value);
            minUploadRate = value;
            return this;
        }

        /** Uploads that may wait on a platform thread at once (Java 17); 0 means no cap. */
        public Builder uploadThreads(int value) {
            require(value >= 0 && value <= 100_000, "uploadThreads must be 0-100000, got " + value);
            uploadThreads = value;
            return this;
        }

        public ResilienceSettings build() {
            return new ResilienceSettings(maxAttempts, retryOnStatus, backoffBase, backoffCap, replayBufferBytes,
                    retryWithIdempotencyKey, retryBudgetRatio, retryBudgetMinPerSecond, retryBudgetWindow,
                    breakerFailures, breakerOnStatus, breakerCooldown, connectTimeout, tryTimeout, deadline,
                    minUploadRate, uploadThreads);
        }

        private static Set<Integer> allServerErrors() {
            Set<Integer> all = new TreeSet<>();
            for (int s = 500; s <= 599; s++) {
                all.add(s);
            }
            return all;
        }

        private static void requirePositive(Duration value, String name) {
            require(value != null && !value.isNegative() && !value.isZero(), name + " must be > 0, got " + (value == null ? "nothing" : value.toMillis() + "ms"));
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
