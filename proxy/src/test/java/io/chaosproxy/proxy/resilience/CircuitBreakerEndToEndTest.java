package io.chaosproxy.proxy.resilience;

import static io.chaosproxy.proxy.resilience.Answers.neverAnswers;
import static io.chaosproxy.proxy.resilience.Answers.ok;
import static io.chaosproxy.proxy.resilience.Answers.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.resilience.ProxyWithBackends.Reply;
import io.chaosproxy.testing.DeadPort;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One breaker per backend, seen from outside: it opens after N consecutive failures, short-circuits
 * without calling the backend, lets exactly one probe through after the cooldown, and the probe's
 * outcome closes or reopens it.
 */
class CircuitBreakerEndToEndTest {
    private static final Duration SHORT_COOLDOWN = Duration.ofMillis(300);

    private ProxyWithBackends proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void opensAfterThreeConsecutiveFailuresThenShortCircuitsWithoutCallingTheBackend() throws Exception {
        proxy = ProxyWithBackends.start(1, settings(3, Duration.ofSeconds(10)).build());
        SharedScript.always(proxy.backends, status(503, "down"));

        for (int i = 0; i < 3; i++) {
            assertThat(proxy.get("/fail/" + i).text()).isEqualTo("down");
        }
        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.OPEN);

        Reply shortCircuited = proxy.get("/short");

        assertThat(shortCircuited.status()).isEqualTo(503);
        assertThat(shortCircuited.header("Content-Type")).isEqualTo("application/json");
        assertThat(shortCircuited.text()).contains("circuit breaker");
        assertThat(Integer.parseInt(shortCircuited.header("Retry-After"))).isBetween(9, 10);
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(3);
        JournalEntry entry = proxy.journalEntry("/short");
        assertThat(entry.status()).isEqualTo(503);
        assertThat(entry.attempts()).singleElement().satisfies(attempt -> {
            assertThat(attempt.error()).isEqualTo("breaker open");
            assertThat(attempt.status()).isNull();
            assertThat(attempt.durationMs()).isZero();
        });
    }

    @Test
    void aSuccessBeforeTheThresholdStartsTheCountAgain() throws Exception {
        proxy = ProxyWithBackends.start(1, settings(3, Duration.ofSeconds(10)).build());
        SharedScript.install(proxy.backends,
                List.of(status(503, ""), status(503, ""), ok(""), status(503, ""), status(503, "")), ok(""));

        for (int i = 0; i < 5; i++) {
            proxy.get("/" + i);
        }

        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.CLOSED);
        assertThat(proxy.get("/after").status()).isEqualTo(200);
    }

    @Test
    void connectFailuresOpenTheBreakerToo() throws Exception {
        proxy = ProxyWithBackends.start(List.of(DeadPort.url()), List.of(),
                settings(2, Duration.ofSeconds(10)).build());

        assertThat(proxy.get("/a").status()).isEqualTo(502);
        assertThat(proxy.get("/b").status()).isEqualTo(502);
        Reply shortCircuited = proxy.get("/c");

        assertThat(shortCircuited.status()).isEqualTo(503);
        assertThat(shortCircuited.header("Retry-After")).isNotNull();
        assertThat(proxy.journalEntry("/c").attempts()).extracting(Attempt::error).containsExactly("breaker open");
    }

    @Test
    void timeoutsOpenTheBreakerToo() throws Exception {
        proxy = ProxyWithBackends.start(1, settings(2, Duration.ofSeconds(10)).tryTimeout(Duration.ofMillis(200)).build());
        SharedScript.always(proxy.backends, neverAnswers());

        assertThat(proxy.get("/a").status()).isEqualTo(504);
        assertThat(proxy.get("/b").status()).isEqualTo(504);

        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.OPEN);
        assertThat(proxy.get("/c").status()).isEqualTo(503);
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(2);
    }

    @Test
    void clientErrorsDoNotOpenTheBreakerButConfiguredStatusesDo() throws Exception {
        proxy = ProxyWithBackends.start(1, settings(2, Duration.ofSeconds(10)).breakerOnStatus(Set.of(429)).build());
        SharedScript.install(proxy.backends,
                List.of(status(404, ""), status(500, ""), status(404, ""), status(429, ""), status(429, "")), ok(""));

        for (int i = 0; i < 3; i++) {
            proxy.get("/" + i);
        }
        assertThat(proxy.breaker(0).state()).as("404 and, here, 500 are not breaker failures").isEqualTo(BreakerState.CLOSED);

        proxy.get("/3");
        proxy.get("/4");
        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void aBackendWithAnOpenBreakerIsSkippedByTheBalancer() throws Exception {
        proxy = ProxyWithBackends.start(2, settings(1, Duration.ofSeconds(10)).build());
        proxy.backend(0).setDispatcher(always(status(503, "")));
        proxy.backend(1).setDispatcher(always(ok("healthy")));

        for (int i = 0; i < 10; i++) {
            proxy.get("/" + i);
        }

        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(1);
        assertThat(proxy.backend(1).getRequestCount()).isEqualTo(9);
    }

    @Test
    void whenEveryBreakerIsOpenTheClientGets503WithRetryAfterAtOnce() throws Exception {
        proxy = ProxyWithBackends.start(2, settings(1, Duration.ofSeconds(10)).build());
        SharedScript.always(proxy.backends, status(503, ""));
        proxy.get("/a");
        proxy.get("/b");

        Reply reply = proxy.get("/c");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(Integer.parseInt(reply.header("Retry-After"))).isBetween(9, 10);
        assertThat(reply.header("X-Request-Id")).isNotBlank();
        assertThat(reply.elapsedMillis()).isLessThan(1000);
        assertThat(proxy.upstreamRequests()).isEqualTo(2);
    }

    @Test
    void aRetryNeverGoesToABackendWhoseBreakerIsOpen() throws Exception {
        proxy = ProxyWithBackends.start(3, settings(1, Duration.ofSeconds(10)).maxAttempts(3).build());
        proxy.backend(0).setDispatcher(always(status(503, "")));
        proxy.backend(1).setDispatcher(always(status(503, "")));
        proxy.backend(2).setDispatcher(always(ok("healthy")));

        for (int i = 0; i < 10; i++) {
            assertThat(proxy.get("/" + i).text()).isEqualTo("healthy");
        }

        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(1);
        assertThat(proxy.backend(1).getRequestCount()).isEqualTo(1);
        assertThat(proxy.backend(2).getRequestCount()).isEqualTo(10);
    }

    @Test
    void admitsExactlyOneProbeAmongOneHundredConcurrentRequestsAfterTheCooldown() throws Exception {
        proxy = ProxyWithBackends.start(1, settings(2, SHORT_COOLDOWN).build());
        CountDownLatch probeHeld = new CountDownLatch(1);
        CountDownLatch releaseProbe = new CountDownLatch(1);
        AtomicInteger arrivals = new AtomicInteger();
        proxy.backend(0).setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                int n = arrivals.incrementAndGet();
                if (n <= 2) {
                    return status(503, "");
                }
                if (n == 3) {
                    probeHeld.countDown();
                    releaseProbe.await(20, TimeUnit.SECONDS); // the probe stays in flight while the others arrive
                }
                return ok("recovered");
            }
        });
        proxy.get("/open-1");
        proxy.get("/open-2");
        awaitProbeAllowed(proxy.breaker(0));

        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            replies.add(sendAsync("/concurrent/" + i));
        }
        assertThat(probeHeld.await(10, TimeUnit.SECONDS)).isTrue();
        awaitCount(replies, 99);
        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.HALF_OPEN);
        releaseProbe.countDown();

        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<Reply> reply : replies) {
            statuses.add(reply.get(10, TimeUnit.SECONDS).status());
        }
        assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 503).hasSize(99);
        assertThat(replies).filteredOn(r -> r.join().status() == 503)
                .allSatisfy(r -> assertThat(r.join().header("Retry-After")).isEqualTo("1"));
        assertThat(arrivals.get()).isEqualTo(3);
        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.CLOSED);
        assertThat(proxy.get("/after").text()).isEqualTo("recovered");
    }

    @Test
    void whileOneBackendIsProbedTheOthersServeEveryRequest() throws Exception {
        proxy = ProxyWithBackends.start(2, settings(1, SHORT_COOLDOWN).build());
        CountDownLatch probeHeld = new CountDownLatch(1);
        CountDownLatch releaseProbe = new CountDownLatch(1);
        AtomicInteger arrivalsAtSick = new AtomicInteger();
        proxy.backend(0).setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (arrivalsAtSick.incrementAndGet() == 1) {
                    return status(503, "");
                }
                probeHeld.countDown();
                releaseProbe.await(20, TimeUnit.SECONDS);
                return ok("sick one recovered");
            }
        });
        proxy.backend(1).setDispatcher(always(ok("healthy")));
        while (proxy.breaker(0).state() != BreakerState.OPEN) {
            proxy.get("/until-open");
        }
        awaitProbeAllowed(proxy.breaker(0));

        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            replies.add(sendAsync("/concurrent/" + i));
        }
        assertThat(probeHeld.await(10, TimeUnit.SECONDS)).isTrue();
        awaitCount(replies, 49);
        releaseProbe.countDown();

        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<Reply> reply : replies) {
            bodies.add(reply.get(10, TimeUnit.SECONDS).text());
        }
        assertThat(bodies).filteredOn("healthy"::equals).hasSize(49);
        assertThat(bodies).filteredOn("sick one recovered"::equals).hasSize(1);
        assertThat(arrivalsAtSick.get()).isEqualTo(2);
    }

    @Test
    void aSuccessfulProbeClosesTheBreaker() throws Exception {
        proxy = ProxyWithBackends.start(1, settings(2, SHORT_COOLDOWN).build());
        SharedScript.install(proxy.backends, List.of(status(503, ""), status(503, "")), ok("recovered"));
        proxy.get("/open-1");
        proxy.get("/open-2");
        assertThat(proxy.get("/while-open").status()).isEqualTo(503);
        awaitProbeAllowed(proxy.breaker(0));

        assertThat(proxy.get("/probe").text()).isEqualTo("recovered");

        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.CLOSED);
        assertThat(proxy.get("/after-1").status()).isEqualTo(200);
        assertThat(proxy.get("/after-2").status()).isEqualTo(200);
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(5);
    }

    @Test
    void aFailedProbeOpensTheBreakerAgain() throws Exception {
        proxy = ProxyWithBackends.start(1, settings(2, SHORT_COOLDOWN).build());
        SharedScript.always(proxy.backends, status(503, "still down"));
        proxy.get("/open-1");
        proxy.get("/open-2");
        awaitProbeAllowed(proxy.breaker(0));

        assertThat(proxy.get("/probe").text()).isEqualTo("still down");

        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.OPEN);
        assertThat(proxy.breaker(0).openings()).isEqualTo(2);
        Reply shortCircuited = proxy.get("/after");
        assertThat(shortCircuited.status()).isEqualTo(503);
        assertThat(shortCircuited.header("Retry-After")).isEqualTo("1");
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(3);
    }

    @Test
    void aProbeWhoseClientVanishesMidBodyNeitherWedgesNorBlamesTheBreaker() throws Exception {
        proxy = ProxyWithBackends.start(1, settings(2, SHORT_COOLDOWN).build());
        SharedScript.install(proxy.backends, List.of(status(503, ""), status(503, "")), ok("recovered"));
        proxy.get("/open-1");
        proxy.get("/open-2");
        awaitProbeAllowed(proxy.breaker(0));

        try (RawHttp client = new RawHttp(proxy.server.url())) {
            client.send("PUT /probe HTTP/1.1\nHost: x\nTransfer-Encoding: chunked", null)
                    .sendRaw("5\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(proxy.backend(0).takeRequest(5, TimeUnit.SECONDS)).isNotNull();
            assertThat(proxy.backend(0).takeRequest(5, TimeUnit.SECONDS)).isNotNull();
            await("the PUT is the probe").atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.breaker(0).state() == BreakerState.HALF_OPEN);
        } // the client goes away in the middle of its body

        JournalEntry probe = proxy.server.journal()
                .await(JournalQuery.ALL.withPath("/probe"), 1, Duration.ofSeconds(5)).get(0);
        assertThat(probe.attempts()).extracting(Attempt::error).containsExactly("client request body broken");
        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.OPEN);
        assertThat(proxy.breaker(0).openings()).as("a vanished client is not the backend's failure").isEqualTo(1);
        assertThat(proxy.breaker(0).isAvailable()).as("the next request probes at once").isTrue();
        assertThat(proxy.get("/next").text()).isEqualTo("recovered");
        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.CLOSED);
    }

    private static ResilienceSettings.Builder settings(int failures, Duration cooldown) {
        return ProxyWithBackends.quickSettings().maxAttempts(1).breakerFailures(failures).breakerCooldown(cooldown);
    }

    private static Dispatcher always(MockResponse answer) {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer;
            }
        };
    }

    /** Polls the breaker itself: the cooldown's end is an event to wait for, not a sleep to hope on. */
    private static void awaitProbeAllowed(CircuitBreaker breaker) {
        await("the breaker allows a probe").atMost(10, TimeUnit.SECONDS).pollInterval(5, TimeUnit.MILLISECONDS)
                .until(breaker::isAvailable);
    }

    private static void awaitCount(List<CompletableFuture<Reply>> replies, int done) {
        await("the short-circuited replies came back").atMost(15, TimeUnit.SECONDS).pollInterval(5, TimeUnit.MILLISECONDS)
                .until(() -> replies.stream().filter(CompletableFuture::isDone).count() >= done);
    }

    private CompletableFuture<Reply> sendAsync(String path) {
        CompletableFuture<Reply> future = new CompletableFuture<>();
        long start = System.nanoTime();
        proxy.client.newCall(proxy.request(path).build()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                future.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call call, Response response) throws IOException {
                try (response) {
                    future.complete(new Reply(response.code(), response.headers(), response.body().bytes(),
                            (System.nanoTime() - start) / 1_000_000));
                }
            }
        });
        return future;
    }
}
