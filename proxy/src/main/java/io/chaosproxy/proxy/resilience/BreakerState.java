package io.chaosproxy.proxy.resilience;

/** The three states of a backend's circuit breaker, named as the control API shows them. */
public enum BreakerState {
    /** Requests flow; consecutive failures are counted. */
    CLOSED,
    /** Requests are short-circuited until the cooldown ends. */
    OPEN,
    /** One probe request is in flight; its outcome closes or reopens the breaker. */
    HALF_OPEN
}
