/**
 * Following an exchange from outside: {@code X-Request-Id} ({@link io.chaosproxy.proxy.tracing.RequestIds}),
 * W3C {@code traceparent} ({@link io.chaosproxy.proxy.tracing.TraceParent}) and the access log
 * ({@link io.chaosproxy.proxy.tracing.AccessLog}, one line per exchange).
 */
package io.chaosproxy.proxy.tracing;
