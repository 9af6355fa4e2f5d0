package io.chaosproxy.proxy.cli;

import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.tracing.AccessLog;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command-line option: declared for picocli by {@link #declare}, read back once parsed by
 * {@link #of}. A new option is a declaration, a component and its line in {@code of} (OptionsTest
 * checks that the three agree); how it combines with a config file is decided in {@link Precedence}.
 *
 * <p>Declared in code rather than with picocli's annotations: reading the annotations cost about a
 * tenth of a second of every start (a dynamic proxy class per annotation type, reflection over each
 * field), which no class-data archive can keep.
 */
record Options(
        HostPort listen,
        List<URI> upstreams,
        List<ProxySpec> tcpProxies,
        HostPort control,
        String controlToken,
        Path config,
        String scenario,
        int maxAttempts,
        int breakerFailures,
        Duration breakerCooldown,
        Duration connectTimeout,
        Duration tryTimeout,
        long minUploadRate,
        int uploadThreads,
        Long seed,
        AccessLog.Format logFormat,
        Path upstreamCa,
        boolean upstreamInsecure,
        Path tlsCert,
        Path tlsKey,
        Path portFile) {

    Options {
        upstreams = List.copyOf(upstreams);
        tcpProxies = List.copyOf(tcpProxies);
    }

    /** Adds every option, in the order {@code --help} lists them. */
    static void declare(CommandSpec command) {
        add(command, option("--listen", "HOST:PORT", HostPort.class, new Converters.HostPorts())
                .defaultValue("127.0.0.1:8080")
                .description("Where the proxy takes client traffic; port 0 picks a free port (default: ${DEFAULT-VALUE})."));
        add(command, repeatable("--upstream", "URL", URI.class, new Converters.UpstreamUrls())
                .description("A backend base URL; repeat for several (round-robin over the healthy ones)."));
        add(command, repeatable("--tcp", "NAME=HOST:PORT[@LISTEN_HOST:LISTEN_PORT]", ProxySpec.class, new Converters.TcpProxies())
                .description("A TCP proxy named NAME in front of HOST:PORT, on a free port of 127.0.0.1 or on LISTEN_HOST:LISTEN_PORT. Repeatable."));
        add(command, option("--control", "HOST:PORT", HostPort.class, new Converters.HostPorts())
                .defaultValue("127.0.0.1:8474")
                .description("Where the control API listens (default: ${DEFAULT-VALUE})."));
        add(command, option("--control-token", "TOKEN", String.class)
                .description("Every control call but GET /health then needs 'Authorization: Bearer TOKEN'."));
        add(command, option("--config", "FILE", Path.class, new Converters.PathValues())
                .description("YAML or JSON: proxies, resilience settings and fault rules installed at start."));
        add(command, option("--scenario", "NAME|FILE", String.class)
                .description("Start a built-in or file scenario once ready."));
        add(command, option("--max-attempts", "N", int.class)
                .defaultValue("3")
                .description("Attempts per request, the first included, for idempotent methods; 1 = no retries (default: ${DEFAULT-VALUE})."));
        add(command, option("--breaker-failures", "N", int.class)
                .defaultValue("5")
                .description("Consecutive failures that open a backend's breaker; 0 = no breaker (default: ${DEFAULT-VALUE})."));
        add(command, option("--breaker-cooldown", "DURATION", Duration.class, new Converters.DurationValues())
                .defaultValue("10s")
                .description("How long an open breaker waits before admitting one probe (default: ${DEFAULT-VALUE})."));
        add(command, option("--connect-timeout", "DURATION", Duration.class, new Converters.DurationValues())
                .defaultValue("2s")
                .description("Connecting to a backend (default: ${DEFAULT-VALUE})."));
        add(command, option("--try-timeout", "DURATION", Duration.class, new Converters.DurationValues())
                .defaultValue("30s")
                .description("One attempt, until the backend's response headers arrive (default: ${DEFAULT-VALUE})."));
        add(command, option("--min-upload-rate", "BYTES_PER_SECOND", long.class)
                .defaultValue("512")
                .description("An upload the proxy waits for must bring at least this many bytes per second (over 10 s), "
                        + "or it is answered 408; 0 = no minimum (default: ${DEFAULT-VALUE})."));
        add(command, option("--upload-threads", "N", int.class)
                .defaultValue("200")
                .description("Java 17: uploads that may wait on a thread for their client at once, per proxy; "
                        + "more are answered 503; 0 = no cap; virtual threads (Java 21+) need none (default: ${DEFAULT-VALUE})."));
        add(command, option("--seed", "N", Long.class)
                .description("Seed of every probabilistic fault decision; printed at start when not given."));
        add(command, option("--log-format", "text|json", AccessLog.Format.class)
                .defaultValue("text")
                .description("One access-log line per exchange on stdout: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})."));
        add(command, option("--upstream-ca", "FILE", Path.class, new Converters.PathValues())
                .description("PEM file of CA certificates trusted for https:// backends, in addition to the JVM's trust store."));
        add(command, OptionSpec.builder("--upstream-insecure").type(boolean.class).initialValue(false)
                .description("Do not verify certificates or host names of https:// backends (self-signed test backends only); a warning is printed."));
        add(command, option("--tls-cert", "FILE", Path.class, new Converters.PathValues())
                .description("PEM certificate chain (leaf first): proxy listeners speak HTTPS (h2 and http/1.1 via ALPN). Needs --tls-key."));
        add(command, option("--tls-key", "FILE", Path.class, new Converters.PathValues())
                .description("PEM private key of --tls-cert: unencrypted PKCS#8 (BEGIN PRIVATE KEY), RSA or EC."));
        add(command, option("--port-file", "FILE", Path.class, new Converters.PathValues())
                .description("Once ready, write {\"control\": C, \"proxies\": {\"default\": P, ...}} here."));
        add(command, OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit."));
        add(command, OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit."));
    }

    /** The values of a parsed command line: what was typed, else each option's default. */
    static Options of(CommandSpec parsed) {
        return new Options(
                value(parsed, "--listen", HostPort.class),
                values(parsed, "--upstream", URI.class),
                values(parsed, "--tcp", ProxySpec.class),
                value(parsed, "--control", HostPort.class),
                value(parsed, "--control-token", String.class),
                value(parsed, "--config", Path.class),
                value(parsed, "--scenario", String.class),
                value(parsed, "--max-attempts", Integer.class),
                value(parsed, "--breaker-failures", Integer.class),
                value(parsed, "--breaker-cooldown", Duration.class),
                value(parsed, "--connect-timeout", Duration.class),
                value(parsed, "--try-timeout", Duration.class),
                value(parsed, "--min-upload-rate", Long.class),
                value(parsed, "--upload-threads", Integer.class),
                value(parsed, "--seed", Long.class),
                value(parsed, "--log-format", AccessLog.Format.class),
                value(parsed, "--upstream-ca", Path.class),
                value(parsed, "--upstream-insecure", Boolean.class),
                value(parsed, "--tls-cert", Path.class),
                value(parsed, "--tls-key", Path.class),
                value(parsed, "--port-file", Path.class));
    }

    /** The record's own form, but never the control token's value: options must be safe to log. */
    @Override
    public String toString() {
        StringJoiner fields = new StringJoiner(", ", "Options[", "]");
        for (RecordComponent component : Options.class.getRecordComponents()) {
            try {
                Object value = component.getAccessor().invoke(this);
                boolean secret = component.getName().equals("controlToken") && value != null;
                fields.add(component.getName() + "=" + (secret ? "(set)" : value));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return fields.toString();
    }

    private static OptionSpec.Builder option(String name, String label, Class<?> type, ITypeConverter<?>... converter) {
        return OptionSpec.builder(name).paramLabel(label).type(type).converters(converter);
    }

    private static OptionSpec.Builder repeatable(String name, String label, Class<?> elementType, ITypeConverter<?> converter) {
        return OptionSpec.builder(name).paramLabel(label).type(List.class).auxiliaryTypes(elementType).converters(converter);
    }

    private static void add(CommandSpec command, OptionSpec.Builder option) {
        command.addOption(option.build());
    }

    private static <T> T value(CommandSpec parsed, String name, Class<T> type) {
        return type.cast(declared(parsed, name).getValue());
    }

    private static <T> List<T> values(CommandSpec parsed, String name, Class<T> elementType) {
        List<?> typed = declared(parsed, name).getValue();
        return typed == null ? List.of() : typed.stream().map(elementType::cast).toList();
    }

    private static OptionSpec declared(CommandSpec parsed, String name) {
        OptionSpec option = parsed.findOption(name);
        if (option == null) {
            throw new IllegalStateException(name + " is read back but was never declared");
        }
        return option;
    }
}
