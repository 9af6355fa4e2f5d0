package io.chaosproxy.proxy.resilience;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A proxy's backends, chosen round-robin among those whose breaker would admit a request.
 * The list can be swapped at run time ({@code proxy.upstream(...)}); readers never lock.
 */
public final class BackendPool {
    private volatile List<Backend> backends;
    private final AtomicInteger cursor = new AtomicInteger();

    public BackendPool(List<Backend> backends) {
        this.backends = List.copyOf(backends);
    }

    public List<Backend> backends() {
        return backends;
    }

    public void replace(List<Backend> replacement) {
        backends = List.copyOf(replacement);
    }

    /**
     * The next available backend, preferring one not yet {@code tried} by this exchange;
     * null when no breaker would admit a request.
     */
    public Backend pick(Collection<Backend> tried) {
        return pick(tried, Set.of());
    }

    /**
     * As {@link #pick(Collection)}, never choosing one of {@code excluded}: backends whose breaker
     * refused this exchange a moment ago (another request won the half-open probe).
     */
    public Backend pick(Collection<Backend> tried, Collection<Backend> excluded) {
        List<Backend> all = backends;
        int size = all.size();
        if (size == 0) {
            return null;
        }
        int start = Math.floorMod(cursor.getAndIncrement(), size);
        Backend fallback = null;
        for (int i = 0; i < size; i++) {
            Backend candidate = all.get((start + i) % size);
            if (excluded.contains(candidate) || !candidate.breaker().isAvailable()) {
                continue;
            }
            if (!tried.contains(candidate)) {
                return candidate;
            }
            if (fallback == null) {
                fallback = candidate;
            }
        }
        return fallback;
    }

    /** Whole seconds (at least 1) until the earliest open breaker admits a probe: the Retry-After value. */
    public long secondsUntilEarliestProbe() {
        long earliest = Long.MAX_VALUE;
        for (Backend backend : backends) {
            earliest = Math.min(earliest, backend.breaker().nanosUntilProbe());
        }
        if (earliest == Long.MAX_VALUE) {
            return 1;
        }
        return Math.max(1, (earliest + 999_999_999L) / 1_000_000_000L);
    }

    public void resetBreakers() {
        for (Backend backend : backends) {
            backend.breaker().reset();
        }
    }
}
