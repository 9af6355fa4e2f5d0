/**
 * The control API: JSON over HTTP (Javalin) on its own listener, a thin layer over
 * {@link io.chaosproxy.proxy.ChaosProxyServer}, which starts it through
 * {@link io.chaosproxy.proxy.ControlPlane} without depending on it.
 *
 * <p>A map: {@link io.chaosproxy.proxy.control.ControlApi} (listener, routes, the one place errors
 * become {@code {"error", "field"}}); one class per resource ({@code ServerRoutes},
 * {@code ProxyRoutes}, {@code FaultRoutes}, {@code ScenarioRoutes}, {@code JournalRoutes}, {@code LiveRoutes} for the dashboard's
 * {@code /series} and {@code /events}); {@code DashboardRoutes} serves the page and its files from the jar; bodies
 * checked in {@code Json} and read with {@code Fields}; answers shaped in {@code Views};
 * {@code BearerAuth} for {@code --control-token}.
 */
package io.chaosproxy.proxy.control;
