package io.chaosproxy.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.config.ResilienceSettings;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which methods and outcomes may be retried, and how long the next attempt waits. */
class RetryPolicyTest {
    private final RetryPolicy defaults = new RetryPolicy(ResilienceSettings.defaults());
    private final RetryPolicy withKeyOptIn =
            new RetryPolicy(ResilienceSettings.builder().retryWithIdempotencyKey(true).build());

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
    void idempotentMethodsMayBeRetried(String method) {
        assertThat(defaults.methodAllowsRetry(method, false)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH", "CONNECT", "PROPFIND", "get"})
    void otherMethodsAreNeverRetriedByDefault(String method) {
        assertThat(defaults.methodAllowsRetry(method, false)).isFalse();
        assertThat(defaults.methodAllowsRetry(method, true)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH"})
    void anIdempotencyKeyMakesPostAndPatchRetryableOnlyWhenSwitchedOn(String method) {
        assertThat(withKeyOptIn.methodAllowsRetry(method, true)).isTrue();
        assertThat(withKeyOptIn.methodAllowsRetry(method, false)).isFalse();
        assertThat(defaults.methodAllowsRetry(method, true)).isFalse();
    }

    @Test
    void connectIsNeverRetriedEvenWithAKeyAndTheOptIn() {
        assertThat(withKeyOptIn.methodAllowsRetry("CONNECT", true)).isFalse();
    }

    @Test
    void onlyTheGatewayStatusesAreRetriedByDefault() {
        assertThat(defaults.isRetryableStatus(502)).isTrue();
        assertThat(defaults.isRetryableStatus(503)).isTrue();
        assertThat(defaults.isRetryableStatus(504)).isTrue();
        assertThat(defaults.isRetryableStatus(500)).isFalse();
        assertThat(defaults.isRetryableStatus(429)).isFalse();
        assertThat(defaults.isRetryableStatus(200)).isFalse();
    }

    @Test
    void theRetryableStatusesAreConfigurable() {
        RetryPolicy policy = new RetryPolicy(ResilienceSettings.builder().retryOnStatus(Set.of(500, 429)).build());

        assertThat(policy.isRetryableStatus(500)).isTrue();
        assertThat(policy.isRetryableStatus(429)).isTrue();
        assertThat(policy.isRetryableStatus(503)).isFalse();
    }

    @Test
    void backoffIsFullJitterUnderADoublingCeilingThatStopsAtTheCap() {
        RetryPolicy policy = new RetryPolicy(ResilienceSettings.defaults()); // 25 ms base, 250 ms cap
        long[] ceilings = {25, 50, 100, 200, 250, 250, 250};
        for (int retry = 0; retry < ceilings.length; retry++) {
            long max = 0;
            long sum = 0;
            int samples = 4000;
            for (int i = 0; i < samples; i++) {
                long ms = policy.backoff(retry).toMillis();
                assertThat(ms).isBetween(0L, ceilings[retry]);
                max = Math.max(max, ms);
                sum += ms;
            }
            double mean = (double) sum / samples;
            assertThat(mean).as("mean of retry %d", retry).isBetween(ceilings[retry] * 0.4, ceilings[retry] * 0.6);
            assertThat(max).as("max of retry %d", retry).isGreaterThanOrEqualTo(ceilings[retry] * 9 / 10);
        }
    }

    @Test
    void backoffNeverOverflowsForLateRetries() {
        RetryPolicy policy = new RetryPolicy(ResilienceSettings.builder()
                .backoff(Duration.ofDays(1), Duration.ofDays(2)).build());

        assertThat(policy.backoff(Integer.MAX_VALUE)).isBetween(Duration.ZERO, Duration.ofDays(2));
    }

    @Test
    void aSubMillisecondBackoffIsNotRoundedAwayToNothing() {
        RetryPolicy policy = new RetryPolicy(ResilienceSettings.builder()
                .backoff(Duration.ofNanos(300_000), Duration.ofNanos(900_000)).build());

        long sum = 0;
        for (int i = 0; i < 1000; i++) {
            Duration wait = policy.backoff(5);
            assertThat(wait).isBetween(Duration.ZERO, Duration.ofNanos(900_000));
            sum += wait.toNanos();
        }
        assertThat(sum / 1000).isBetween(350_000L, 550_000L);
    }

    @Test
    void theFirstRetryWaitsAtMostTheBase() {
        RetryPolicy policy = new RetryPolicy(ResilienceSettings.builder()
                .backoff(Duration.ofMillis(10), Duration.ofSeconds(1)).build());

        for (int i = 0; i < 1000; i++) {
            assertThat(policy.backoff(0)).isLessThanOrEqualTo(Duration.ofMillis(10));
            assertThat(policy.backoff(-1)).isLessThanOrEqualTo(Duration.ofMillis(10));
        }
    }
}
