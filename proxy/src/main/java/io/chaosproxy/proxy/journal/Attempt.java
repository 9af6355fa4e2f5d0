package io.chaosproxy.proxy.journal;

/**
 * One try at a backend within an exchange. {@code status} is null when no response came back;
 * {@code error} then says why ("connect refused", "timeout", "breaker open", ...).
 */
public record Attempt(String backend, Integer status, String error, long durationMs) {

    /** The error of a short-circuit: the breaker refused, no backend was called. */
    public static final String BREAKER_OPEN = "breaker open";

    /** True when this attempt never reached a backend because its breaker was open. */
    public boolean shortCircuited() {
        return BREAKER_OPEN.equals(error);
    }
}
