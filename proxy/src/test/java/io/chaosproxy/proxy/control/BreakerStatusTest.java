package io.chaosproxy.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.testing.DeadPort;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BreakerStatusTest {
    private ControlFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = ControlFixture.start(builder -> builder.resilience(ResilienceSettings.builder()
                .maxAttempts(1)
                .breakerFailures(2)
                .breakerCooldown(Duration.ofSeconds(30))
                .connectTimeout(Duration.ofMillis(500))
                .build()));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void statusShowsABreakerOpenedByAnUnreachableBackend() throws Exception {
        fixture.server.upstreams(List.of(java.net.URI.create(DeadPort.url())));
        assertThat(fixture.proxyGet("/a").status()).isEqualTo(502);
        assertThat(fixture.proxyGet("/b").status()).isEqualTo(502);

        JsonNode backend = fixture.get("/status").json().get("proxies").get(0).get("backends").get(0);

        assertThat(backend.get("breaker").asText()).isEqualTo("OPEN");
        assertThat(backend.get("consecutiveFailures").asInt()).isEqualTo(2);
        assertThat(backend.get("openings").asLong()).isEqualTo(1);
        assertThat(backend.get("retryAfterSeconds").asLong()).isBetween(1L, 30L);
        assertThat(fixture.get("/metrics").body()).contains("chaosproxy_breaker_state{backend=\"http://127.0.0.1:");
        assertThat(fixture.get("/metrics").body()).containsPattern("chaosproxy_breaker_state\\{[^}]*\\} 2");

        fixture.control("POST", "/reset", null, null);
        JsonNode reset = fixture.get("/status").json().get("proxies").get(0).get("backends").get(0);
        assertThat(reset.get("breaker").asText()).isEqualTo("CLOSED");
        assertThat(reset.has("retryAfterSeconds")).isFalse();
    }
}
