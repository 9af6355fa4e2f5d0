package io.chaosproxy.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.proxy.resilience.CircuitBreaker.Permit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker's state machine, with time moved by the test instead of slept. */
class CircuitBreakerTest {
    private static final Duration COOLDOWN = Duration.ofSeconds(10);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final CircuitBreaker breaker = new CircuitBreaker(3, COOLDOWN, nanos::get);

    @Test
    void staysClosedBelowTheThreshold() {
        fail(2);

        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.consecutiveFailures()).isEqualTo(2);
        assertThat(breaker.tryAcquire()).isEqualTo(Permit.PASS);
    }

    @Test
    void opensAfterThreeConsecutiveFailures() {
        fail(3);

        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
        assertThat(breaker.openings()).isEqualTo(1);
        assertThat(breaker.openedAtNanos()).isEqualTo(nanos.get());
    }

    @Test
    void aSuccessInBetweenStartsTheCountAgain() {
        fail(2);
        breaker.onSuccess(breaker.tryAcquire());
        fail(2);

        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void anOpenBreakerDeniesEveryRequestUntilTheCooldownEnds() {
        fail(3);
        nanos.addAndGet(COOLDOWN.toNanos() - 1);

        assertThat(breaker.isAvailable()).isFalse();
        assertThat(breaker.tryAcquire()).isEqualTo(Permit.DENIED);
        assertThat(breaker.nanosUntilProbe()).isEqualTo(1);
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void afterTheCooldownTheNextRequestIsTheSingleProbe() {
        fail(3);
        nanos.addAndGet(COOLDOWN.toNanos());

        assertThat(breaker.isAvailable()).isTrue();
        assertThat(breaker.nanosUntilProbe()).isZero();
        assertThat(breaker.tryAcquire()).isEqualTo(Permit.PROBE);
        assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThat(breaker.isAvailable()).isFalse();
        assertThat(breaker.tryAcquire()).isEqualTo(Permit.DENIED);
    }

    @Test
    void exactlyOneOfManyConcurrentCallersBecomesTheProbe() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(100);
        try {
            for (int round = 0; round < 20; round++) {
                CircuitBreaker contested = new CircuitBreaker(1, COOLDOWN, nanos::get);
                contested.onFailure(contested.tryAcquire());
                nanos.addAndGet(COOLDOWN.toNanos());

                List<Permit> permits = acquireConcurrently(contested, callers, 100);

                assertThat(permits).filteredOn(p -> p == Permit.PROBE).hasSize(1);
                assertThat(permits).filteredOn(p -> p == Permit.DENIED).hasSize(99);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aSuccessfulProbeClosesTheBreaker() {
        fail(3);
        nanos.addAndGet(COOLDOWN.toNanos());
        Permit probe = breaker.tryAcquire();

        breaker.onSuccess(probe);

        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.consecutiveFailures()).isZero();
        assertThat(breaker.tryAcquire()).isEqualTo(Permit.PASS);
    }

    @Test
    void aFailedProbeOpensTheBreakerForAFreshCooldown() {
        fail(3);
        nanos.addAndGet(COOLDOWN.toNanos());
        Permit probe = breaker.tryAcquire();
        nanos.addAndGet(5_000_000L);

        breaker.onFailure(probe);

        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
        assertThat(breaker.openings()).isEqualTo(2);
        assertThat(breaker.nanosUntilProbe()).isEqualTo(COOLDOWN.toNanos());
        assertThat(breaker.tryAcquire()).isEqualTo(Permit.DENIED);
    }

    @Test
    void lateAnswersFromBeforeTheBreakerOpenedChangeNothing() {
        Permit early = breaker.tryAcquire();
        fail(3);
        nanos.addAndGet(1_000_000L);

        breaker.onSuccess(early);
        breaker.onFailure(early);

        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
        assertThat(breaker.nanosUntilProbe()).isEqualTo(COOLDOWN.toNanos() - 1_000_000L);
    }

    @Test
    void lateAnswersDoNotSettleAHalfOpenBreakerOnlyTheProbeDoes() {
        Permit early = breaker.tryAcquire();
        fail(3);
        nanos.addAndGet(COOLDOWN.toNanos());
        Permit probe = breaker.tryAcquire();

        breaker.onSuccess(early);
        assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);

        breaker.onSuccess(probe);
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void anAbandonedProbeLetsTheNextRequestProbeAtOnce() {
        fail(3);
        nanos.addAndGet(COOLDOWN.toNanos());
        Permit probe = breaker.tryAcquire();

        breaker.release(probe);

        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
        assertThat(breaker.openings()).isEqualTo(1);
        assertThat(breaker.tryAcquire()).isEqualTo(Permit.PROBE);
    }

    @Test
    void releasingAnOrdinaryPassChangesNothing() {
        fail(2);

        breaker.release(breaker.tryAcquire());

        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void resetClosesAnOpenBreakerAndKeepsTheOpeningsCount() {
        fail(3);

        breaker.reset();

        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.consecutiveFailures()).isZero();
        assertThat(breaker.openings()).isEqualTo(1);
        assertThat(breaker.tryAcquire()).isEqualTo(Permit.PASS);
    }

    @Test
    void aThresholdOfZeroNeverOpens() {
        CircuitBreaker never = new CircuitBreaker(0, COOLDOWN, nanos::get);
        for (int i = 0; i < 1000; i++) {
            never.onFailure(never.tryAcquire());
        }

        assertThat(never.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(never.tryAcquire()).isEqualTo(Permit.PASS);
    }

    @Test
    void aNegativeThresholdIsRefusedWithTheValue() {
        assertThatThrownBy(() -> new CircuitBreaker(-1, COOLDOWN, nanos::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failureThreshold must be >= 0, got -1");
    }

    @Test
    void worksWhereTheNanoClockIsNegative() {
        nanos.set(-5_000_000_000L);
        fail(3);
        nanos.addAndGet(COOLDOWN.toNanos());

        assertThat(breaker.tryAcquire()).isEqualTo(Permit.PROBE);
    }

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.onFailure(breaker.tryAcquire());
        }
    }

    private static List<Permit> acquireConcurrently(CircuitBreaker contested, ExecutorService pool, int callers)
            throws Exception {
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Permit>> futures = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Callable<Permit> caller = () -> {
                ready.countDown();
                go.await();
                return contested.tryAcquire();
            };
            futures.add(pool.submit(caller));
        }
        ready.await();
        go.countDown();
        List<Permit> permits = new ArrayList<>();
        for (Future<Permit> future : futures) {
            permits.add(future.get());
        }
        return permits;
    }
}
