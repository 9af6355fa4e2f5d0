/**
 * TCP proxies: each client connection becomes a byte pipe to a backend, on Jetty's I/O layer (no
 * thread per connection). {@link io.chaosproxy.proxy.dataplane.tcp.TcpPipes} makes the listener's
 * connection factory; {@link io.chaosproxy.proxy.dataplane.tcp.TcpTunnel} pairs the client and
 * backend endpoints ({@link io.chaosproxy.proxy.dataplane.tcp.PipeEnd}); each direction is a
 * {@link io.chaosproxy.proxy.dataplane.tcp.Flow}, a chain of small fault stages drawn where it
 * is built; {@link io.chaosproxy.proxy.dataplane.tcp.ConnectionFaults} decides once per connection
 * and rule which rules act on it; {@link io.chaosproxy.proxy.dataplane.tcp.BackendConnect} picks and
 * connects the backend.
 */
package io.chaosproxy.proxy.dataplane.tcp;
