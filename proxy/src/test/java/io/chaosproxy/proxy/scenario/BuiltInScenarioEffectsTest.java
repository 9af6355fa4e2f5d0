package io.chaosproxy.proxy.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Phase;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioCatalog;
import io.chaosproxy.proxy.ChaosProxyServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each built-in scenario does what the catalog says, as a client sees it. */
class BuiltInScenarioEffectsTest {
    private final MockWebServer backend = new MockWebServer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body("x".repeat(3072)).build();
            }
        });
        backend.start(0);
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(7).build().start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private void play(String name) {
        proxy.scenarios().start(ScenarioCatalog.find(name).orElseThrow());
    }

    private HttpRequest get(String path, Duration timeout) {
        return HttpRequest.newBuilder(proxy.url().resolve(path)).timeout(timeout).build();
    }

    private List<Timed> concurrently(int count, Duration timeout) throws Exception {
        List<CompletableFuture<Timed>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            futures.add(http.sendAsync(get("/r" + i, timeout), HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> new Timed(r.statusCode(), r, (System.nanoTime() - start) / 1_000_000)));
        }
        List<Timed> results = new ArrayList<>();
        for (CompletableFuture<Timed> future : futures) {
            results.add(future.get(30, TimeUnit.SECONDS));
        }
        return results;
    }

    record Timed(int status, HttpResponse<String> response, long millis) {}

    @Test
    void flakyFailsAboutOneRequestInFive() throws Exception {
        play("flaky");
        long failures = concurrently(400, Duration.ofSeconds(10)).stream().filter(t -> t.status() == 503).count();
        // 400 draws at p = 0.2: mean 80, sd 8; 55-105 is over 3 sd either way
        assertThat(failures).isBetween(55L, 105L);
    }

    @Test
    void slowDelaysEveryRequestBy500PlusOrMinus200() throws Exception {
        play("slow");
        for (Timed timed : concurrently(20, Duration.ofSeconds(10))) {
            assertThat(timed.status()).isEqualTo(200);
            assertThat(timed.millis()).isBetween(295L, 2_500L);
        }
    }

    @Test
    void outageResetsEveryConnection() {
        play("outage");
        assertThatThrownBy(() -> http.send(get("/x", Duration.ofSeconds(5)), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void brownoutSlowsHalfAndFailsATenth() throws Exception {
        play("brownout");
        List<Timed> results = concurrently(100, Duration.ofSeconds(15));
        long slow = results.stream().filter(t -> t.millis() >= 1_995).count();
        long failed = results.stream().filter(t -> t.status() == 503).count();
        assertThat(slow).isBetween(30L, 70L);
        assertThat(failed).isBetween(2L, 22L);
    }

    @Test
    void slowBodyTricklesAtOneKibPerSecond() throws Exception {
        play("slow-body");
        long start = System.nanoTime();
        HttpResponse<String> reply = http.send(get("/body", Duration.ofSeconds(15)), HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(reply.body()).hasSize(3072);
        // 3 KiB at 1 KiB/s: the last slice is due at 3 s; never faster than one slice early
        assertThat(millis).isBetween(2_900L, 6_000L);
    }

    @Test
    void blackHoleHangsUntilTheScenarioStops() throws Exception {
        play("black-hole");
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(get("/void", Duration.ofSeconds(15)),
                HttpResponse.BodyHandlers.ofString());
        assertThatThrownBy(() -> pending.get(700, TimeUnit.MILLISECONDS)).isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(backend.getRequestCount()).isZero();
        proxy.scenarios().stop();
        assertThat(pending.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void blackHoleLetsTheClientGiveUp() {
        play("black-hole");
        assertThatThrownBy(() -> http.send(get("/void", Duration.ofMillis(500)), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void latencyRampRisesAcrossThePhase() throws Exception {
        Scenario builtIn = ScenarioCatalog.find("latency-ramp").orElseThrow();
        Phase phase = builtIn.phases().get(0);
        assertThat(phase.duration()).isEqualTo(Duration.ofSeconds(30));
        // the same ramp (0 -> 2000 ms) squeezed into 2 s
        proxy.scenarios().start(new Scenario(builtIn.name(), builtIn.description(), false,
                List.of(new Phase(Duration.ofSeconds(2), phase.faults(), phase.ramp()))));
        long early = timeOne();
        Thread.sleep(1_200); // move along the ramp: the delay is a function of elapsed time
        long late = timeOne();
        assertThat(early).isLessThan(600);
        assertThat(late).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void rateLimitedAnswers429BeyondTenPerSecond() throws Exception {
        play("rate-limited");
        List<Timed> results = concurrently(40, Duration.ofSeconds(10));
        long limited = results.stream().filter(t -> t.status() == 429).count();
        long passed = results.stream().filter(t -> t.status() == 200).count();
        // a burst may straddle two one-second windows: 10-20 pass, the rest are limited
        assertThat(passed).isBetween(10L, 20L);
        assertThat(limited).isEqualTo(40 - passed);
        assertThat(results.stream().filter(t -> t.status() == 429).findFirst().orElseThrow()
                .response().headers().firstValue("Retry-After")).contains("1");
    }

    private long timeOne() throws Exception {
        long start = System.nanoTime();
        http.send(get("/ramp", Duration.ofSeconds(10)), HttpResponse.BodyHandlers.discarding());
        return (System.nanoTime() - start) / 1_000_000;
    }
}
