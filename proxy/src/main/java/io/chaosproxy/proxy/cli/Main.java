package io.chaosproxy.proxy.cli;

import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioCatalog;
import io.chaosproxy.faults.ScenarioParser;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ConfigException;
import io.chaosproxy.proxy.config.ConfigFile;
import io.chaosproxy.proxy.config.ListenerTls;
import io.chaosproxy.proxy.config.UpstreamTls;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.PortInUseException;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.chaosproxy.proxy.tracing.AccessLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code java -jar chaos-proxy.jar}: the standalone proxy for CI pipelines and manual use. */
@Command(name = "chaos-proxy",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
                "An HTTP reverse proxy that forwards faithfully, stays resilient, and misbehaves on command.",
                "With no --upstream, a built-in echo service is the backend, so it works out of the box."})
public final class Main implements Callable<Integer> {
    /** How long SIGTERM lets in-flight exchanges finish. */
    static final Duration DRAIN = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

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

    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        // Logging is set up here, before the warm-up thread may log: SLF4J initialising on two
        // threads at once prints a three-line "replay" warning on stderr.
        org.slf4j.LoggerFactory.getILoggerFactory();
        Warmup.startInBackground();
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 after SIGTERM, 1 start failure, 2 bad option). */
    static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(Main::badOption);
        return commandLine.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        ChaosProxyServer server;
        Scenario startScenario;
        try {
            ConfigFile file = config == null ? null : ConfigFile.read(config);
            startScenario = scenarioToStart(file);
            server = configure(file).build();
        } catch (ConfigException e) {
            return fail(2, e.getMessage());
        } catch (IllegalArgumentException | FaultSpecException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }

        try {
            server.start();
        } catch (PortInUseException e) {
            return fail(1, e.getMessage());
        } catch (FaultSpecException e) {
            return fail(2, "--config: " + e.getMessage());
        } catch (IOException e) {
            return fail(1, "could not start: " + e.getMessage());
        }
        installSignalHandler(server);
        if (startScenario != null) {
            server.scenarios().start(startScenario);
        }
        // The ready line first: whoever waits for the port file then finds it printed too.
        printReady(server, startScenario);
        if (portFile != null) {
            writePortFile(server);
        }
        stopped.await();
        return 0;
    }

    private ChaosProxyServer.Builder configure(ConfigFile file) {
        ChaosProxyServer.Builder builder = ChaosProxyServer.builder()
                .demoUpstreamWhenNone(true)
                .accessLog(logFormat, System.out)
                .control(control.toString())
                .listen(listen.toString());
        if (!upstreams.isEmpty()) {
            builder.upstream(upstreams.stream().map(URI::toString).toArray(String[]::new));
        }
        boolean fromFile = file != null && file.resilience() != null;
        ResilienceSettings.Builder resilience = fromFile ? file.resilience().toBuilder() : ResilienceSettings.builder();
        // Flags typed on the command line win over the file; their defaults do not.
        if (!fromFile || given("--max-attempts")) {
            option("--max-attempts", () -> resilience.maxAttempts(maxAttempts));
        }
        if (!fromFile || given("--breaker-failures")) {
            option("--breaker-failures", () -> resilience.breakerFailures(breakerFailures));
        }
        if (!fromFile || given("--breaker-cooldown")) {
            option("--breaker-cooldown", () -> resilience.breakerCooldown(breakerCooldown));
        }
        if (!fromFile || given("--connect-timeout")) {
            option("--connect-timeout", () -> resilience.connectTimeout(connectTimeout));
        }
        if (!fromFile || given("--try-timeout")) {
            option("--try-timeout", () -> resilience.tryTimeout(tryTimeout));
        }
        builder.resilience(resilience.build());
        if (controlToken != null) {
            option("--control-token", () -> builder.controlToken(controlToken));
        }
        for (ProxySpec tcp : tcpProxies) {
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
        if (seed != null) {
            builder.seed(seed);
        }
        configureTls(builder, file);
        return builder;
    }

    /** Listener and backend TLS: a flag typed on the command line replaces the file's whole section. */
    private void configureTls(ChaosProxyServer.Builder builder, ConfigFile file) {
        if (file != null && file.tls() != null) {
            builder.tls(file.tls());
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: "
                    + (tlsCert == null ? "--tls-cert" : "--tls-key") + " is missing");
        }
        if (tlsCert != null) {
            builder.tls(ListenerTls.load(tlsCert, tlsKey, "--tls-cert", "--tls-key"));
        }
        if (file != null && file.upstreamTls() != null) {
            builder.upstreamTls(file.upstreamTls());
        }
        if (upstreamCa != null || upstreamInsecure) {
            builder.upstreamTls(UpstreamTls.DEFAULT);
            if (upstreamCa != null) {
                option("--upstream-ca", () -> builder.upstreamCa(upstreamCa));
            }
            builder.upstreamInsecure(upstreamInsecure);
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

    private Scenario scenarioToStart(ConfigFile file) {
        if (scenario == null) {
            return file == null ? null : file.scenario();
        }
        var builtIn = ScenarioCatalog.find(scenario);
        if (builtIn.isPresent()) {
            return builtIn.get();
        }
        Path path = Path.of(scenario);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("--scenario '" + scenario + "' is neither a built-in scenario "
                    + ScenarioCatalog.names() + " nor a readable file");
        }
        return ScenarioParser.parse(path);
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private void printReady(ChaosProxyServer server, Scenario started) {
        StringBuilder line = new StringBuilder("chaos-proxy ready:");
        for (ProxyRuntime proxy : server.proxies()) {
            line.append(" proxy ").append(proxy.name()).append(" on ").append(proxy.url())
                    .append(" -> ").append(proxy.backends());
            line.append(';');
        }
        line.append(" control API on ").append(server.controlUrl());
        line.append("; seed ").append(server.seed());
        if (seed == null) {
            line.append(" (replay with --seed ").append(server.seed()).append(')');
        }
        if (started != null) {
            line.append("; scenario ").append(started.name()).append(" started");
        }
        System.out.println(line);
        System.out.flush();
    }

    private void writePortFile(ChaosProxyServer server) throws IOException {
        StringBuilder json = new StringBuilder("{\"control\": ").append(server.controlUrl().getPort()).append(", \"proxies\": {");
        List<ProxyRuntime> proxies = server.proxies();
        for (int i = 0; i < proxies.size(); i++) {
            if (i > 0) {
                json.append(", ");
            }
            json.append('"').append(proxies.get(i).name()).append("\": ").append(proxies.get(i).listen().port());
        }
        json.append("}}\n");
        Path target = portFile.toAbsolutePath();
        Path temp = Files.createTempFile(target.getParent(), ".chaos-proxy-ports", ".tmp");
        Files.writeString(temp, json, StandardCharsets.UTF_8);
        // Readers polling for the file never see it half-written.
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * SIGTERM and SIGINT: stop accepting, let in-flight exchanges finish, exit 0. A plain shutdown
     * hook cannot do this, as the JVM then exits with 143 whatever the hook does.
     */
    @SuppressWarnings("removal")
    private void installSignalHandler(ChaosProxyServer server) {
        Runnable drainAndStop = () -> {
            server.stop(DRAIN);
            stopped.countDown();
        };
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> new Thread(drainAndStop, "chaos-proxy-shutdown").start());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                Runtime.getRuntime().addShutdownHook(new Thread(drainAndStop));
            }
        }
    }

    private static int fail(int code, String message) {
        System.err.println("chaos-proxy: " + message);
        return code;
    }

    /** A bad option: one line naming it, exit 2 (picocli's usage dump would bury the message). */
    private static int badOption(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("chaos-proxy: " + e.getMessage() + " (see --help)");
        err.flush();
        return 2;
    }

    /**
     * Most of a cold start is loading and initialising classes, one after another on the main
     * thread: options, the data plane, then the control API's web stack (the largest part), then
     * OkHttp's request path at the first request. This thread does the later parts while the
     * main thread does the earlier ones, so a machine with a second CPU starts in less time. It
     * only makes objects it throws away (nothing is bound, started or registered), and gives up
     * quietly: whatever it did not get to, the start does itself.
     */
    static final class Warmup implements Runnable {
        static void startInBackground() {
            if (Runtime.getRuntime().availableProcessors() < 2) {
                return; // one CPU: it could only take time from the start itself
            }
            Thread thread = new Thread(new Warmup(), "chaos-proxy-warmup");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            try {
                io.javalin.Javalin.create(config -> {
                    config.startup.showJavalinBanner = false;
                    config.startup.showOldJavalinVersionWarning = false;
                    config.startup.startupWatcherEnabled = false;
                });
                // cleartext, as the proxy's own client is until an https backend needs TLS
                okhttp3.OkHttpClient client = new okhttp3.OkHttpClient.Builder()
                        .connectionSpecs(java.util.List.of(okhttp3.ConnectionSpec.CLEARTEXT)).build();
                client.newCall(new okhttp3.Request.Builder().url("http://127.0.0.1/")
                        .tag(String.class, "warm-up").build()); // a call made, never executed
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                        io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT).scrape();
            } catch (Throwable e) {
                // nothing lost but time
            }
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"chaos-proxy " + (version == null ? "dev" : version)};
        }
    }
}
