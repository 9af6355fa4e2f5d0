package io.chaosproxy.proxy.journal;

import java.util.List;

/**
 * One try at a backend within an exchange. {@code status} is null when no response came back;
 * {@code error} then says why ("connect refused", "timeout", "breaker open", ...). {@code faults}
 * are the ids of the upstream rules that fired on this try (the exchange lists each rule once).
 */
public record Attempt(String backend, Integer status, String error, long durationMs, List<String> faults) {

    public Attempt {
        faults = faults == null ? List.of() : List.copyOf(faults);
    }

    /** A try no upstream rule fired on. */
    public Attempt(String backend, Integer status, String error, long durationMs) {
        this(backend, status, error, durationMs, List.of());
    }

    /** The error of a short-circuit: the breaker refused, no backend was called. */
    public static final String BREAKER_OPEN = "breaker open";

    /** True when this attempt never reached a backend because its breaker was open. */
    public boolean shortCircuited() {
        return BREAKER_OPEN.equals(error);
    }
}
