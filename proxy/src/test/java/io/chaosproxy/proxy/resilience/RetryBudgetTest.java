package io.chaosproxy.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Retries are capped at a share of recent requests plus a floor, over a sliding window. */
class RetryBudgetTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration WINDOW = Duration.ofSeconds(10);

    private final AtomicLong nanos = new AtomicLong(123 * SECOND + 456);

    @Test
    void withoutTrafficTheFloorAllowsMinPerSecondOverTheWindow() {
        RetryBudget budget = new RetryBudget(0.2, 10, WINDOW, nanos::get);

        assertThat(takeAll(budget)).isEqualTo(100);
    }

    @Test
    void theRatioCapsRetriesAtAShareOfRecentRequests() {
        RetryBudget budget = new RetryBudget(0.2, 0, WINDOW, nanos::get);
        requests(budget, 100);

        assertThat(takeAll(budget)).isEqualTo(20);
    }

    @Test
    void ratioAndFloorAddUp() {
        RetryBudget budget = new RetryBudget(0.2, 1, WINDOW, nanos::get);
        requests(budget, 100);

        assertThat(takeAll(budget)).isEqualTo(20 + 10);
    }

    @Test
    void aFractionOfARetryIsNoRetry() {
        RetryBudget budget = new RetryBudget(0.2, 0, WINDOW, nanos::get);
        requests(budget, 4);
        assertThat(budget.tryRetry()).isFalse();

        budget.onRequest();
        assertThat(budget.tryRetry()).isTrue();
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void aZeroBudgetNeverRetries() {
        RetryBudget budget = new RetryBudget(0, 0, WINDOW, nanos::get);
        requests(budget, 1000);

        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void requestsOlderThanTheWindowNoLongerEarnRetries() {
        RetryBudget budget = new RetryBudget(0.2, 0, WINDOW, nanos::get);
        requests(budget, 100);

        nanos.addAndGet(9 * SECOND);
        assertThat(budget.tryRetry()).isTrue();

        nanos.addAndGet(SECOND);
        assertThat(budget.tryRetry()).isFalse();
    }

    @Test
    void retriesOlderThanTheWindowNoLongerCount() {
        RetryBudget budget = new RetryBudget(0.2, 0, WINDOW, nanos::get);
        requests(budget, 100);
        assertThat(takeAll(budget)).isEqualTo(20);

        nanos.addAndGet(5 * SECOND);
        requests(budget, 100);
        assertThat(takeAll(budget)).as("200 requests in the window, 20 retries already spent").isEqualTo(20);

        nanos.addAndGet(5 * SECOND);
        assertThat(takeAll(budget)).as("the first 100 requests and their 20 retries have left the window")
                .isEqualTo(0);
    }

    @Test
    void theWindowSlidesSecondBySecond() {
        RetryBudget budget = new RetryBudget(1.0, 0, WINDOW, nanos::get);
        for (int second = 0; second < 10; second++) {
            requests(budget, 10);
            nanos.addAndGet(SECOND);
        }
        // now in second 10: second 0's requests have gone, seconds 1-9 remain
        assertThat(takeAll(budget)).isEqualTo(90);
    }

    @Test
    void aBudgetIdleForLongerThanTheWindowStartsAfresh() {
        RetryBudget budget = new RetryBudget(0.5, 0, WINDOW, nanos::get);
        requests(budget, 100);
        takeAll(budget);

        nanos.addAndGet(3600 * SECOND);
        requests(budget, 10);
        assertThat(takeAll(budget)).isEqualTo(5);
    }

    private static void requests(RetryBudget budget, int count) {
        for (int i = 0; i < count; i++) {
            budget.onRequest();
        }
    }

    /** Takes retries until the budget says no; how many it granted. */
    private static int takeAll(RetryBudget budget) {
        int granted = 0;
        while (budget.tryRetry()) {
            granted++;
            if (granted > 100_000) {
                throw new AssertionError("the budget never ran out");
            }
        }
        return granted;
    }
}
