package io.chaosproxy.proxy.resilience;

import static io.chaosproxy.proxy.resilience.Answers.resetBeforeTheResponse;
import static io.chaosproxy.proxy.resilience.Answers.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.resilience.ProxyWithBackends.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Under total failure, retries add at most the budget's share of load; a denied retry returns the failure it had. */
class RetryBudgetEndToEndTest {
    private ProxyWithBackends proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void underTotalFailureRetriesStayWithinTwentyPercentOfRequests() throws Exception {
        proxy = ProxyWithBackends.start(2, settings(0.2, 0).maxAttempts(3).build());
        SharedScript.always(proxy.backends, status(503, "down"));
        int requests = 1000;

        List<Integer> statuses = sendConcurrently(requests, 8);

        assertThat(statuses).hasSize(requests).containsOnly(503);
        int attempts = proxy.upstreamRequests();
        assertThat(attempts).as("1000 first attempts plus at most 20% retries").isLessThanOrEqualTo(1200);
        assertThat(attempts).as("the budget is spent, not left idle").isGreaterThanOrEqualTo(1180);
    }

    @Test
    void aRetryDeniedByTheBudgetReturnsTheStatusItHad() throws Exception {
        proxy = ProxyWithBackends.start(2, settings(0, 0).build());
        SharedScript.always(proxy.backends, status(503, "from the backend"));

        Reply reply = proxy.get("/orders");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.text()).isEqualTo("from the backend");
        assertThat(reply.header("Retry-After")).isNull();
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
        assertThat(proxy.journalEntry("/orders").attempts()).extracting(Attempt::status).containsExactly(503);
    }

    @Test
    void aRetryDeniedByTheBudgetReturnsTheErrorItHad() throws Exception {
        proxy = ProxyWithBackends.start(2, settings(0, 0).build());
        SharedScript.always(proxy.backends, resetBeforeTheResponse());

        assertThat(proxy.get("/orders").status()).isEqualTo(502);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @Test
    void theFloorLetsAQuietServiceRetry() throws Exception {
        proxy = ProxyWithBackends.start(2, settings(0, 1).maxAttempts(2).build()); // 1/s over 10 s: 10 retries
        SharedScript.always(proxy.backends, status(503, ""));

        for (int i = 0; i < 20; i++) {
            proxy.get("/" + i);
        }

        assertThat(proxy.upstreamRequests()).isEqualTo(20 + 10);
    }

    private static ResilienceSettings.Builder settings(double ratio, int minPerSecond) {
        return ProxyWithBackends.quickSettings()
                .breakerFailures(0) // breakers would stop the load this test is about
                .retryBudget(ratio, minPerSecond, Duration.ofSeconds(10));
    }

    private List<Integer> sendConcurrently(int requests, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String path = "/load/" + i;
                futures.add(pool.submit(() -> proxy.get(path).status()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> future : futures) {
                statuses.add(future.get());
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }
}
