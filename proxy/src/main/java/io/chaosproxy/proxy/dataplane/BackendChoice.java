package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.BackendPool;
import io.chaosproxy.proxy.resilience.CircuitBreaker.Permit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which backend an attempt goes to: one not tried yet whose circuit breaker admits it. */
public final class BackendChoice {
    private BackendChoice() {}

    /** The chosen backend and the permit its breaker gave; the permit must be answered or given back. */
    public record Admitted(Backend backend, Permit permit) {}

    /**
     * A backend not in {@code tried} whose breaker admits one more try (one already tried when
     * every other is refused), or null when no breaker admits one. The refused backends of this
     * call go to {@code refused} when it is not null.
     */
    public static Admitted pick(BackendPool pool, List<Backend> tried, List<Backend> refused) {
        List<Backend> passedOver = refused == null ? new ArrayList<>(2) : refused;
        while (true) {
            Backend chosen = pool.pick(tried, passedOver);
            if (chosen == null) {
                return null;
            }
            Permit permit = chosen.breaker().tryAcquire();
            if (permit != Permit.DENIED) {
                return new Admitted(chosen, permit);
            }
            // another exchange won this backend's half-open probe a moment ago: look at the others
            passedOver.add(chosen);
        }
    }

    /**
     * A backend not in {@code tried} whose breaker admits the exchange. When none does, the client
     * is answered at once (502 without backends, 503 with {@code Retry-After} when every breaker is
     * open) and the result is null.
     */
    static Admitted admit(Exchange exchange, List<Backend> tried) {
        List<Backend> refused = new ArrayList<>(2);
        Admitted admitted = pick(exchange.proxy.pool(), tried, refused);
        if (admitted == null) {
            shortCircuit(exchange, refused.isEmpty() ? null : refused);
        }
        return admitted;
    }

    /** No breaker admits the exchange: answer at once, telling the client when a probe is next allowed. */
    private static void shortCircuit(Exchange exchange, List<Backend> refused) {
        ProxyRuntime proxy = exchange.proxy;
        List<Backend> backends = proxy.pool().backends();
        if (backends.isEmpty()) {
            ClientResponses.proxyError(exchange, 502, "no upstream configured for proxy '" + proxy.name() + "'", Map.of());
            return;
        }
        Backend named = refused != null ? refused.get(0) : backends.size() == 1 ? backends.get(0) : null;
        exchange.recordAttempt(new Attempt(named == null ? null : named.label(), null, Attempt.BREAKER_OPEN, 0));
        long retryAfter = proxy.pool().secondsUntilEarliestProbe();
        ClientResponses.proxyError(exchange, 503, "every backend's circuit breaker is open",
                Map.of("Retry-After", Long.toString(retryAfter)));
    }
}
