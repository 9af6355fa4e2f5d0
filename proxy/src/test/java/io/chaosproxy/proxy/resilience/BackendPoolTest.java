package io.chaosproxy.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Round-robin over the backends whose breaker would admit a request, preferring untried ones. */
class BackendPoolTest {
    private static final Duration COOLDOWN = Duration.ofSeconds(10);

    private final AtomicLong nanos = new AtomicLong();
    private final Backend a = backend("http://127.0.0.1:9001/");
    private final Backend b = backend("http://127.0.0.1:9002/");
    private final Backend c = backend("http://127.0.0.1:9003/");
    private final BackendPool pool = new BackendPool(List.of(a, b, c));

    @Test
    void picksRoundRobin() {
        List<Backend> picked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picked.add(pool.pick(Set.of()));
        }

        assertThat(picked).containsExactly(a, b, c, a, b, c);
    }

    @Test
    void skipsABackendWhoseBreakerIsOpen() {
        open(b);

        for (int i = 0; i < 6; i++) {
            assertThat(pool.pick(Set.of())).isNotSameAs(b);
        }
    }

    @Test
    void offersAnOpenBackendAgainOnceItsCooldownEnds() {
        open(a);
        open(c);
        nanos.addAndGet(COOLDOWN.toNanos());

        List<Backend> picked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            picked.add(pool.pick(Set.of()));
        }

        assertThat(picked).containsExactlyInAnyOrder(a, b, c);
    }

    @Test
    void aRetryPrefersABackendNotYetTried() {
        for (int i = 0; i < 6; i++) {
            assertThat(pool.pick(List.of(a, b))).isSameAs(c);
        }
    }

    @Test
    void aRetryGoesBackToATriedBackendWhenNoOtherIsAvailable() {
        open(b);
        open(c);

        assertThat(pool.pick(List.of(a))).isSameAs(a);
    }

    @Test
    void nothingIsPickedWhenEveryBreakerIsOpen() {
        open(a);
        open(b);
        open(c);

        assertThat(pool.pick(Set.of())).isNull();
    }

    @Test
    void nothingIsPickedFromAnEmptyPool() {
        assertThat(new BackendPool(List.of()).pick(Set.of())).isNull();
    }

    @Test
    void excludedBackendsAreNeverPicked() {
        assertThat(pool.pick(Set.of(), Set.of(a, b))).isSameAs(c);
        assertThat(pool.pick(Set.of(), Set.of(a, b, c))).isNull();
    }

    @Test
    void retryAfterIsTheWholeSecondsUntilTheEarliestProbeRoundedUp() {
        open(a);
        nanos.addAndGet(4_500_000_000L);
        open(b);
        open(c);

        assertThat(pool.secondsUntilEarliestProbe()).isEqualTo(6); // a probes in 5.5 s
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        open(a);
        open(b);
        open(c);
        nanos.addAndGet(COOLDOWN.toNanos() - 1);

        assertThat(pool.secondsUntilEarliestProbe()).isEqualTo(1);
    }

    @Test
    void resetBreakersClosesThemAll() {
        open(a);
        open(b);

        pool.resetBreakers();

        assertThat(pool.backends()).allSatisfy(backend ->
                assertThat(backend.breaker().state()).isEqualTo(BreakerState.CLOSED));
    }

    @Test
    void replacingTheBackendsTakesEffectOnTheNextPick() {
        Backend d = backend("http://127.0.0.1:9004/");

        pool.replace(List.of(d));

        assertThat(pool.pick(Set.of())).isSameAs(d);
        assertThat(pool.backends()).containsExactly(d);
    }

    @Test
    void aBackendResolvesPathsUnderItsBasePath() {
        Backend api = new Backend(URI.create("http://127.0.0.1:9005/api/"), new CircuitBreaker(1, COOLDOWN, nanos::get));

        assertThat(api.resolve("/orders/1", "x=%2F").toString()).isEqualTo("http://127.0.0.1:9005/api/orders/1?x=%2F");
        assertThat(api.resolve("", null).toString()).isEqualTo("http://127.0.0.1:9005/api/");
    }

    private Backend backend(String url) {
        return new Backend(URI.create(url), new CircuitBreaker(1, COOLDOWN, nanos::get));
    }

    private static void open(Backend backend) {
        backend.breaker().onFailure(backend.breaker().tryAcquire());
    }
}
