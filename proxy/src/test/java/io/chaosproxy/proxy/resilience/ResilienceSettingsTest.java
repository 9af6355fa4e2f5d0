package io.chaosproxy.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.proxy.config.ResilienceSettings;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The defaults the issue names, and setters that refuse a bad value by quoting it. */
class ResilienceSettingsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ResilienceSettings settings = ResilienceSettings.defaults();

        assertThat(settings.maxAttempts()).isEqualTo(3);
        assertThat(settings.retryOnStatus()).containsExactlyInAnyOrder(502, 503, 504);
        assertThat(settings.backoffBase()).isEqualTo(Duration.ofMillis(25));
        assertThat(settings.backoffCap()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.replayBufferBytes()).isEqualTo(1024 * 1024);
        assertThat(settings.retryWithIdempotencyKey()).isFalse();
        assertThat(settings.retryBudgetRatio()).isEqualTo(0.2);
        assertThat(settings.retryBudgetMinPerSecond()).isEqualTo(10);
        assertThat(settings.retryBudgetWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.breakerFailures()).isEqualTo(5);
        assertThat(settings.breakerOnStatus()).hasSize(100).contains(500, 599).doesNotContain(499);
        assertThat(settings.breakerCooldown()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.tryTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void toBuilderRoundTrips() {
        ResilienceSettings settings = ResilienceSettings.builder()
                .maxAttempts(5).retryOnStatus(Set.of(500)).backoff(Duration.ofMillis(1), Duration.ofMillis(2))
                .replayBufferBytes(10).retryWithIdempotencyKey(true).retryBudget(0.5, 3, Duration.ofSeconds(20))
                .breakerFailures(2).breakerOnStatus(Set.of(503)).breakerCooldown(Duration.ofMillis(300))
                .connectTimeout(Duration.ofMillis(100)).tryTimeout(Duration.ofMillis(200)).deadline(Duration.ofMillis(900))
                .build();

        assertThat(settings.toBuilder().build()).isEqualTo(settings);
    }

    @Test
    void badValuesAreRefusedWithTheValueInTheMessage() {
        assertThatThrownBy(() -> ResilienceSettings.builder().maxAttempts(0))
                .hasMessage("maxAttempts must be 1-10, got 0");
        assertThatThrownBy(() -> ResilienceSettings.builder().retryOnStatus(Set.of(404)))
                .hasMessage("retryOnStatus may hold 408, 429 and 500-599, got 404");
        assertThatThrownBy(() -> ResilienceSettings.builder().backoff(Duration.ofMillis(100), Duration.ofMillis(50)))
                .hasMessage("backoffCap (50ms) must be >= backoffBase (100ms)");
        assertThatThrownBy(() -> ResilienceSettings.builder().retryBudget(-0.1, 10, Duration.ofSeconds(10)))
                .hasMessage("retryBudgetRatio must be 0-10, got -0.1");
        assertThatThrownBy(() -> ResilienceSettings.builder().retryBudget(0.2, 10, Duration.ofMillis(500)))
                .hasMessage("retryBudgetWindow must be 1s-600s, got 500ms");
        assertThatThrownBy(() -> ResilienceSettings.builder().breakerFailures(-1))
                .hasMessage("breakerFailures must be >= 0, got -1");
        assertThatThrownBy(() -> ResilienceSettings.builder().tryTimeout(Duration.ZERO))
                .hasMessage("tryTimeout must be > 0, got 0ms");
        assertThatThrownBy(() -> ResilienceSettings.builder().replayBufferBytes(-1))
                .hasMessage("replayBufferBytes must be 0-67108864, got -1");
    }
}
