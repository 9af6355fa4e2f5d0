package io.chaosproxy.proxy.cli;

import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioCatalog;
import io.chaosproxy.faults.ScenarioParser;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ConfigException;
import io.chaosproxy.proxy.config.ConfigFile;
import io.chaosproxy.proxy.config.PortInUseException;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code java -jar chaos-proxy.jar}: the standalone proxy for CI pipelines and manual use. This
 * class runs the steps in order and maps failures to exit codes; the parts are {@link Options}
 * (what can be typed), {@link Precedence} (flags over the config file), {@link PortFile},
 * {@link Signals} (graceful stop), {@link Warmup} (class loading on a second CPU) and
 * {@link LoggingSetup} (logging set up once, on the warm-up thread when there is one).
 */
public final class Main implements Callable<Integer> {
    /** How long SIGTERM lets in-flight exchanges finish. */
    static final Duration DRAIN = Duration.ofSeconds(10);

    private final CommandSpec spec; // parsed by the time call() runs
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Main() {
        spec = CommandSpec.wrapWithoutInspection(this)
                .name("chaos-proxy")
                .versionProvider(new Version());
        spec.usageMessage()
                .sortOptions(false)
                .autoWidth(true)
                .description(
                        "An HTTP reverse proxy that forwards faithfully, stays resilient, and misbehaves on command.",
                        "With no --upstream, a built-in echo service is the backend, so it works out of the box.");
        Options.declare(spec);
    }

    public static void main(String[] args) {
        Warmup.startInBackground(); // sets logging up first, while this thread parses the options
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 after SIGTERM, 1 start failure, 2 bad option). */
    static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line as the jar parses it: executing it runs the proxy. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main().spec)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(Main::badOption);
    }

    @Override
    public Integer call() throws Exception {
        LoggingSetup.await(); // before the first class that logs is loaded
        Options options = Options.of(spec);
        ChaosProxyServer server;
        Scenario startScenario;
        try {
            ConfigFile file = options.config() == null ? null : ConfigFile.read(options.config());
            startScenario = scenarioToStart(options.scenario(), file);
            server = new Precedence(options, file, this::given).serverBuilder().build();
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
        Signals.onTermination(() -> {
            server.stop(DRAIN);
            stopped.countDown();
        });
        if (startScenario != null) {
            server.scenarios().start(startScenario);
        }
        // The ready line first: whoever waits for the port file then finds it printed too.
        printReady(server, options.seed() != null, startScenario);
        if (options.portFile() != null) {
            PortFile.write(options.portFile(), server);
        }
        try {
            server.awaitControl(); // it finishes starting while the proxies already answer
        } catch (IOException e) {
            server.close();
            return fail(1, e.getMessage());
        }
        stopped.await();
        return 0;
    }

    private static Scenario scenarioToStart(String scenario, ConfigFile file) {
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

    private static void printReady(ChaosProxyServer server, boolean seedGiven, Scenario started) {
        StringBuilder line = new StringBuilder("chaos-proxy ready:");
        for (ProxyRuntime proxy : server.proxies()) {
            line.append(" proxy ").append(proxy.name()).append(" on ").append(proxy.url())
                    .append(" -> ").append(proxy.backends());
            line.append(';');
        }
        line.append(" control API on ").append(server.controlUrl());
        line.append("; seed ").append(server.seed());
        if (!seedGiven) {
            line.append(" (replay with --seed ").append(server.seed()).append(')');
        }
        if (started != null) {
            line.append("; scenario ").append(started.name()).append(" started");
        }
        System.out.println(line);
        System.out.flush();
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

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"chaos-proxy " + (version == null ? "dev" : version)};
        }
    }
}
