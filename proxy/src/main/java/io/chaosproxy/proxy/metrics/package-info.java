/**
 * Prometheus metrics of the process ({@link io.chaosproxy.proxy.metrics.ProxyMetrics}) and the
 * dashboard's short per-second history ({@link io.chaosproxy.proxy.metrics.TrafficSeries}), both fed
 * by every finished exchange.
 */
package io.chaosproxy.proxy.metrics;
