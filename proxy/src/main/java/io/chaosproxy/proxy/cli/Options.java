package io.chaosproxy.proxy.cli;

import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.tracing.AccessLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Every command-line option, as picocli fills it in (a mixin of {@link Main}). A new option is one
 * more field here; how it combines with a config file is decided in {@link Precedence}.
 */
final class Options {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            converter = Converters.HostPorts.class,
            description = "Where the proxy takes client traffic; port 0 picks a free port (default: ${DEFAULT-VALUE}).")
    HostPort listen;

    @Option(names = "--upstream", paramLabel = "URL", converter = Converters.UpstreamUrls.class,
            description = "A backend base URL; repeat for several (round-robin over the healthy ones).")
    List<URI> upstreams = new ArrayList<>();

    @Option(names = "--tcp", paramLabel = "NAME=HOST:PORT[@LISTEN_HOST:LISTEN_PORT]", converter = Converters.TcpProxies.class,
            description = "A TCP proxy named NAME in front of HOST:PORT, on a free port of 127.0.0.1 or on LISTEN_HOST:LISTEN_PORT. Repeatable.")
    List<ProxySpec> tcpProxies = new ArrayList<>();

    @Option(names = "--control", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8474",
            converter = Converters.HostPorts.class,
            description = "Where the control API listens (default: ${DEFAULT-VALUE}).")
    HostPort control;

    @Option(names = "--control-token", paramLabel = "TOKEN",
            description = "Every control call but GET /health then needs 'Authorization: Bearer TOKEN'.")
    String controlToken;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML or JSON: proxies, resilience settings and fault rules installed at start.")
    Path config;

    @Option(names = "--scenario", paramLabel = "NAME|FILE",
            description = "Start a built-in or file scenario once ready.")
    String scenario;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "3",
            description = "Attempts per request, the first included, for idempotent methods; 1 = no retries (default: ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--breaker-failures", paramLabel = "N", defaultValue = "5",
            description = "Consecutive failures that open a backend's breaker; 0 = no breaker (default: ${DEFAULT-VALUE}).")
    int breakerFailures;

    @Option(names = "--breaker-cooldown", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationValues.class,
            description = "How long an open breaker waits before admitting one probe (default: ${DEFAULT-VALUE}).")
    Duration breakerCooldown;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "2s",
            converter = Converters.DurationValues.class,
            description = "Connecting to a backend (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--try-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = Converters.DurationValues.class,
            description = "One attempt, until the backend's response headers arrive (default: ${DEFAULT-VALUE}).")
    Duration tryTimeout;

    @Option(names = "--min-upload-rate", paramLabel = "BYTES_PER_SECOND", defaultValue = "512",
            description = "An upload the proxy waits for must bring at least this many bytes per second (over 10 s), "
                    + "or it is answered 408; 0 = no minimum (default: ${DEFAULT-VALUE}).")
    long minUploadRate;

    @Option(names = "--upload-threads", paramLabel = "N", defaultValue = "200",
            description = "Java 17: uploads that may wait on a thread for their client at once, per proxy; "
                    + "more are answered 503; 0 = no cap; virtual threads (Java 21+) need none (default: ${DEFAULT-VALUE}).")
    int uploadThreads;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of every probabilistic fault decision; printed at start when not given.")
    Long seed;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            description = "One access-log line per exchange on stdout: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    AccessLog.Format logFormat;

    @Option(names = "--upstream-ca", paramLabel = "FILE",
            description = "PEM file of CA certificates trusted for https:// backends, in addition to the JVM's trust store.")
    Path upstreamCa;

    @Option(names = "--upstream-insecure",
            description = "Do not verify certificates or host names of https:// backends (self-signed test backends only); a warning is printed.")
    boolean upstreamInsecure;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain (leaf first): proxy listeners speak HTTPS (h2 and http/1.1 via ALPN). Needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of --tls-cert: unencrypted PKCS#8 (BEGIN PRIVATE KEY), RSA or EC.")
    Path tlsKey;

    @Option(names = "--port-file", paramLabel = "FILE",
            description = "Once ready, write {\"control\": C, \"proxies\": {\"default\": P, ...}} here.")
    Path portFile;
}
