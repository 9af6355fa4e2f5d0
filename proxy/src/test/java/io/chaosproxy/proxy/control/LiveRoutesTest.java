package io.chaosproxy.proxy.control;

import static io.chaosproxy.proxy.control.ControlFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LiveRoutesTest {
    private ControlFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = ControlFixture.start(builder -> builder.resilience(ResilienceSettings.builder()
                .maxAttempts(1)
                .breakerFailures(2)
                .breakerCooldown(Duration.ofSeconds(30))
                .build()));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void seriesCountsRequestsPerSecondByStatusClassWithLatencyPercentiles() throws Exception {
        fixture.post("/faults", json("{'type': 'error', 'status': 503, 'match': {'path': '/broken'}}"));
        fixture.proxyGet("/ok");
        fixture.proxyGet("/ok");
        fixture.proxyGet("/broken");
        fixture.server.journal().await(JournalQuery.ALL, 3, Duration.ofSeconds(5));

        JsonNode series = fixture.get("/series?seconds=60").json();

        assertThat(series.get("stepSeconds").asInt()).isEqualTo(1);
        List<JsonNode> points = new ArrayList<>();
        series.get("points").forEach(points::add);
        assertThat(points).hasSize(60);
        assertThat(points.stream().mapToLong(p -> p.get("2xx").asLong()).sum()).isEqualTo(2);
        assertThat(points.stream().mapToLong(p -> p.get("5xx").asLong()).sum()).isEqualTo(1);
        assertThat(points.stream().filter(p -> !p.get("p99Ms").isNull())).isNotEmpty();
        assertThat(points.get(59).get("t").asLong() - points.get(0).get("t").asLong()).isEqualTo(59);
    }

    @Test
    void eventsShowABreakerOpeningAndClosingWithItsProxyAndBackend() throws Exception {
        fixture.post("/faults", json("{'type': 'error', 'status': 503, 'target': 'upstream'}"));
        fixture.proxyGet("/a");
        fixture.proxyGet("/b");

        JsonNode opened = fixture.get("/events").json();

        assertThat(opened.get("last").asLong()).isEqualTo(1);
        JsonNode event = opened.get("events").get(0);
        assertThat(event.get("type").asText()).isEqualTo("breaker");
        assertThat(event.get("proxy").asText()).isEqualTo("default");
        assertThat(event.get("backend").asText()).isEqualTo(fixture.backend.url("/").toString());
        assertThat(event.get("from").asText()).isEqualTo("CLOSED");
        assertThat(event.get("to").asText()).isEqualTo("OPEN");
        assertThat(event.get("at").asText()).isNotEmpty();

        fixture.control("POST", "/reset", null, null);
        JsonNode afterReset = fixture.get("/events?after=1").json().get("events");
        assertThat(afterReset).hasSize(1);
        assertThat(afterReset.get(0).get("from").asText()).isEqualTo("OPEN");
        assertThat(afterReset.get(0).get("to").asText()).isEqualTo("CLOSED");
        assertThat(fixture.get("/events?after=2").json().get("events")).isEmpty();
    }

    @Test
    void eventsShowScenarioPhasesAndTheirEnd() {
        fixture.post("/scenarios", json("{'name': 'two', 'phases': [{'duration': '1m', 'faults': []},"
                + " {'duration': '1m', 'faults': []}]}"));
        fixture.delete("/scenarios/running");

        JsonNode events = fixture.get("/events").json().get("events");

        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("type").asText()).isEqualTo("phase");
        assertThat(events.get(0).get("scenario").asText()).isEqualTo("two");
        assertThat(events.get(0).get("phase").asInt()).isZero();
        assertThat(events.get(1).get("type").asText()).isEqualTo("scenario-end");
        assertThat(events.get(1).get("reason").asText()).isEqualTo("stopped");
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        ControlFixture.Reply tooMany = fixture.get("/series?seconds=100000");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("field").asText()).isEqualTo("seconds");

        ControlFixture.Reply unknown = fixture.get("/events?since=3");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("field").asText()).isEqualTo("since");

        ControlFixture.Reply negative = fixture.get("/events?after=-1");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().get("field").asText()).isEqualTo("after");
    }
}
