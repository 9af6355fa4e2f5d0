/**
 * How a proxy protects itself and its backends: {@link io.chaosproxy.proxy.resilience.BackendPool}
 * (round-robin over {@link io.chaosproxy.proxy.resilience.Backend}s whose breaker admits),
 * {@link io.chaosproxy.proxy.resilience.CircuitBreaker}, {@link io.chaosproxy.proxy.resilience.RetryPolicy}
 * and {@link io.chaosproxy.proxy.resilience.RetryBudget}. State machines only; the data plane drives them.
 */
package io.chaosproxy.proxy.resilience;
