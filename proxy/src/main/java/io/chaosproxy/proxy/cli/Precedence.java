package io.chaosproxy.proxy.cli;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ConfigFile;
import io.chaosproxy.proxy.config.ListenerTls;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.UpstreamTls;
import java.net.URI;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * How the command line and a {@code --config} file combine into one server: a flag typed on the
 * command line wins over the file, a flag's default never does; a TLS flag replaces the file's
 * whole section. Every complaint names the option it is about.
 */
final class Precedence {
    private final Options options;
    private final ConfigFile file; // null without --config
    private final Predicate<String> typed;

    /** {@code typed} tells whether an option was on the command line (not just its default). */
    Precedence(Options options, ConfigFile fileOrNull, Predicate<String> typed) {
        this.options = options;
        this.file = fileOrNull;
        this.typed = typed;
    }

    /** A resilience flag: its name and what it sets. */
    private record ResilienceFlag(String name, Consumer<ResilienceSettings.Builder> apply) {}

    private List<ResilienceFlag> resilienceFlags() {
        return List.of(
                new ResilienceFlag("--max-attempts", builder -> builder.maxAttempts(options.maxAttempts())),
                new ResilienceFlag("--breaker-failures", builder -> builder.breakerFailures(options.breakerFailures())),
                new ResilienceFlag("--breaker-cooldown", builder -> builder.breakerCooldown(options.breakerCooldown())),
                new ResilienceFlag("--connect-timeout", builder -> builder.connectTimeout(options.connectTimeout())),
                new ResilienceFlag("--try-timeout", builder -> builder.tryTimeout(options.tryTimeout())),
                new ResilienceFlag("--min-upload-rate", builder -> builder.minUploadRate(options.minUploadRate())),
                new ResilienceFlag("--upload-threads", builder -> builder.uploadThreads(options.uploadThreads())));
    }

    ChaosProxyServer.Builder serverBuilder() {
        ChaosProxyServer.Builder builder = ChaosProxyServer.builder()
                .demoUpstreamWhenNone(true)
                .accessLog(options.logFormat(), System.out)
                .control(options.control().toString())
                .controlInBackground() // the ready line need not wait for it; Main waits after
                .listen(options.listen().toString());
        if (!options.upstreams().isEmpty()) {
            builder.upstream(options.upstreams().stream().map(URI::toString).toArray(String[]::new));
        }
        builder.resilience(resilience());
        if (options.controlToken() != null) {
            option("--control-token", () -> builder.controlToken(options.controlToken()));
        }
        for (ProxySpec tcp : options.tcpProxies()) {
            option("--tcp", () -> builder.proxy(tcp));
        }
        if (file != null) {
            for (ProxySpec proxy : file.proxies()) {
                builder.proxy(proxy);
            }
            builder.faults(file.faults());
            if (file.journalCapacity() != null) {
                builder.journalCapacity(file.journalCapacity());
            }
            if (file.seed() != null) {
                builder.seed(file.seed());
            }
        }
        if (options.seed() != null) {
            builder.seed(options.seed());
        }
        tls(builder);
        return builder;
    }

    /** The file's settings with the typed flags on top; without a file, every flag with its default. */
    ResilienceSettings resilience() {
        boolean fromFile = file != null && file.resilience() != null;
        ResilienceSettings.Builder resilience = fromFile ? file.resilience().toBuilder() : ResilienceSettings.builder();
        for (ResilienceFlag flag : resilienceFlags()) {
            if (!fromFile || typed.test(flag.name())) {
                option(flag.name(), () -> flag.apply().accept(resilience));
            }
        }
        return resilience.build();
    }

    /** Listener and backend TLS: a flag typed on the command line replaces the file's whole section. */
    private void tls(ChaosProxyServer.Builder builder) {
        if (file != null && file.tls() != null) {
            builder.tls(file.tls());
        }
        if ((options.tlsCert() == null) != (options.tlsKey() == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: "
                    + (options.tlsCert() == null ? "--tls-cert" : "--tls-key") + " is missing");
        }
        if (options.tlsCert() != null) {
            builder.tls(ListenerTls.load(options.tlsCert(), options.tlsKey(), "--tls-cert", "--tls-key"));
        }
        if (file != null && file.upstreamTls() != null) {
            builder.upstreamTls(file.upstreamTls());
        }
        if (options.upstreamCa() != null || options.upstreamInsecure()) {
            builder.upstreamTls(UpstreamTls.DEFAULT);
            if (options.upstreamCa() != null) {
                option("--upstream-ca", () -> builder.upstreamCa(options.upstreamCa()));
            }
            builder.upstreamInsecure(options.upstreamInsecure());
        }
    }

    /** Runs a setter, naming the option in its complaint. */
    private static void option(String name, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
