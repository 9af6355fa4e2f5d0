package io.chaosproxy.junit.readme;

import io.chaosproxy.junit.ChaosProxyConfig;
import io.chaosproxy.junit.NamedProxy;

/** junit-extension/README.md, "Configuration": compiled, not run (its placeholders need PAYMENTS_URL). */
@ChaosProxyConfig(
    upstream = "${PAYMENTS_URL}",               // or none, and proxy.upstream(...) at run time
    listen = "127.0.0.1:0",                     // port 0: a free port
    maxAttempts = 1, breakerFailures = 5, breakerCooldown = "10s",
    connectTimeout = "2s", tryTimeout = "500ms",
    seed = 42,                                  // or seedText = "${CHAOS_SEED:}"; none: random
    proxies = {@NamedProxy(name = "payments", upstream = "${PAYMENTS_URL}"),
               @NamedProxy(name = "stock")})
class ConfigurationExample {
}
