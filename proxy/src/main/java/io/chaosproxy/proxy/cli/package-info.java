/**
 * The standalone {@code java -jar chaos-proxy.jar}: {@link io.chaosproxy.proxy.cli.Main} reads the
 * options (picocli) and a config file, starts a {@link io.chaosproxy.proxy.ChaosProxyServer} with
 * its control API, writes the port file, and stops gracefully on SIGTERM.
 */
package io.chaosproxy.proxy.cli;
