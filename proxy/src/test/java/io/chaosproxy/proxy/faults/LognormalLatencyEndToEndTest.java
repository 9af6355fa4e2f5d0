package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.RequestFacts;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A lognormal latency on the wire: each request a real client makes waits the delay the seeded
 * draw gives it, the same one an engine with the same seed and rule computes on its own.
 */
class LognormalLatencyEndToEndTest {
    private static final long SEED = 20_26;
    private static final int REQUESTS = 40;
    /** The proxy's own work on top of the drawn wait, on a loaded 2-core machine. */
    private static final long SLACK_MS = 1_000;

    private MockWebServer backend;
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = FaultTestSupport.backendAnswering("ok");
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(SEED).build().start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    /** The waits the rule draws for its first {@code count} requests, from the seed alone. */
    private static List<Long> drawnWaits(FaultRule rule, int count) {
        FaultEngine twin = new FaultEngine(SEED, Clock.systemUTC());
        twin.install(rule, "test");
        RequestFacts get = new RequestFacts() {
            @Override public String proxy() { return "default"; }
            @Override public String method() { return "GET"; }
            @Override public String path() { return "/prices"; }
            @Override public String header(String name) { return null; }
        };
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            FaultDecision decision = twin.decide(get, Target.CLIENT);
            waits.add(decision.delayMs());
        }
        return waits;
    }

    @Test
    void eachRequestWaitsItsSeededLognormalDraw() throws Exception {
        FaultRule rule = FaultRule.builder(Latency.lognormal(30, 300)).name("tail").path("/prices").build();
        List<Long> expected = drawnWaits(rule, REQUESTS);
        proxy.inject(rule);
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

        for (int i = 0; i < REQUESTS; i++) {
            long start = System.nanoTime();
            try (Response response = client.newCall(new Request.Builder().url(proxy.url().resolve("/prices").toString())
                    .build()).execute()) {
                assertThat(response.code()).isEqualTo(200);
            }
            assertThat(FaultTestSupport.millisSince(start)).as("request %d, drawn %d ms", i, expected.get(i))
                    .isBetween(expected.get(i), expected.get(i) + SLACK_MS);
        }

        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, REQUESTS, Duration.ofSeconds(5));
        for (int i = 0; i < REQUESTS; i++) {
            assertThat(entries.get(i).durationMs()).isGreaterThanOrEqualTo(expected.get(i));
        }
        // a long tail, not a constant: the draws spread around the 30 ms median
        assertThat(expected).anySatisfy(wait -> assertThat(wait).isLessThan(30));
        assertThat(expected).anySatisfy(wait -> assertThat(wait).isGreaterThan(60));
    }
}
