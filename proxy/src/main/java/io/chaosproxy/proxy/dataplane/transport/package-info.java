/**
 * What the data plane runs on, both sides of the proxy, with no knowledge of exchanges or faults.
 *
 * <ul>
 *   <li>Client side (Jetty): {@link io.chaosproxy.proxy.dataplane.transport.ListenerProtocols} (the
 *       connection factories of every listener: HTTP/1.1, h2c by prior knowledge, TLS with ALPN),
 *       {@link io.chaosproxy.proxy.dataplane.transport.TargetFormConnectionFactory} (HTTP/1.1 that
 *       remembers the request-target form), {@link io.chaosproxy.proxy.dataplane.transport.ClientConnections}
 *       (how a client's connection or stream is closed or reset, per protocol, and when it counts as
 *       idle), {@link io.chaosproxy.proxy.dataplane.transport.QuietStreams} (only a stream's first idle
 *       timeout goes to Jetty, which would reset a quiet stream at every later one),
 *       {@link io.chaosproxy.proxy.dataplane.transport.RefusableConnector} (every listener: its
 *       listening socket closes while a refuse rule lasts and reopens on the same port).</li>
 *   <li>Backend side (OkHttp): {@link io.chaosproxy.proxy.dataplane.transport.UpstreamClients} (one
 *       dispatcher and pool for every proxy), {@link io.chaosproxy.proxy.dataplane.transport.UpstreamClient}
 *       (one proxy's clients, TLS made lazily), {@link io.chaosproxy.proxy.dataplane.transport.UpstreamTrust}
 *       (how https backends are checked), {@link io.chaosproxy.proxy.dataplane.transport.Lazy} (what
 *       most proxies never use, made when first needed).</li>
 * </ul>
 */
package io.chaosproxy.proxy.dataplane.transport;
