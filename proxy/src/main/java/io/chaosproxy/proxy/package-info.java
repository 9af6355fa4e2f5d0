/**
 * Where it goes wrong: the embeddable chaos proxy.
 *
 * <p>A map for a first read, top to bottom (each package depends only on those below it):
 * <ul>
 *   <li>{@link io.chaosproxy.proxy.ChaosProxyServer}: build, start, inject, read the journal,
 *       close. The composition root of everything below; {@code cli} (the standalone jar) and
 *       {@code control} (the JSON API, found through {@link io.chaosproxy.proxy.ControlPlane}) are
 *       thin layers over it.</li>
 *   <li>{@code dataplane}: one exchange from client to backend and back;
 *       {@code dataplane.transport}: the Jetty listeners and the OkHttp clients it runs on.</li>
 *   <li>{@code resilience} (retries, breakers, balancing), {@code scenario} (timed phases),
 *       {@code tracing} (request ids, trace context, access log), {@code metrics} (Prometheus).</li>
 *   <li>{@code journal} (what happened to each exchange), {@code config} (immutable settings and
 *       the config file), {@code demo} (the echo backend used when none is given).</li>
 * </ul>
 */
package io.chaosproxy.proxy;
