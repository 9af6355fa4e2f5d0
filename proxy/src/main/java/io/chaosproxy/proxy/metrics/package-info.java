/** Prometheus metrics of the process ({@link io.chaosproxy.proxy.metrics.ProxyMetrics}), fed by every finished exchange. */
package io.chaosproxy.proxy.metrics;
