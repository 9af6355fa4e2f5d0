/**
 * What the proxy is told, as immutable values: listen addresses ({@link io.chaosproxy.proxy.config.HostPort}),
 * named proxies ({@link io.chaosproxy.proxy.config.ProxySpec}), backend URLs
 * ({@link io.chaosproxy.proxy.config.Upstreams}), resilience settings, TLS on both sides, and the
 * {@code --config} file ({@link io.chaosproxy.proxy.config.ConfigFile}, read with errors naming
 * file, place and reason). {@link io.chaosproxy.proxy.config.PortInUseException} is the one failure
 * every listener (proxies and control API) shares. No sockets or threads here.
 */
package io.chaosproxy.proxy.config;
