package io.chaosproxy.proxy.config;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Scenario;
import java.nio.file.Path;
import java.util.List;

/**
 * What a {@code --config} file (YAML or JSON) asks for at start: named proxies, resilience
 * settings, fault rules, a scenario, the seed and the journal's size.
 *
 * <pre>
 * proxies:
 *   - name: default                 # the CLI's own proxy: listing it overrides --listen/--upstream
 *     listen: 127.0.0.1:8080
 *     upstreams: [http://127.0.0.1:9000]
 * resilience:                       # any field of ResilienceSettings; durations as 250ms, 2s, or milliseconds
 *   maxAttempts: 3
 *   backoffBase: 25ms
 * faults:
 *   - {type: latency, delayMs: 200, match: {path: /orders/**}}
 * scenario: outage-then-recovery    # a built-in, a file (relative to this one), or an inline document
 * seed: 42
 * journalCapacity: 10000
 * tls: {cert: proxy.crt.pem, key: proxy.key.pem}   # HTTPS (h2 and http/1.1) on every proxy listener
 * upstreamTls: {ca: backends-ca.pem}              # or {insecure: true} for self-signed test backends
 * </pre>
 *
 * <p>File paths in the document are relative to the document's own directory.
 *
 * <p>Every field is optional; absent ones are empty lists or null. {@link #read} returns a complete,
 * checked configuration or throws a {@link ConfigException}: nothing is ever half-read.
 *
 * @param proxies         the proxies to start, in file order; names unique
 * @param resilience      the settings, defaults filled in; null when the file has no {@code resilience}
 * @param faults          rules to install at start
 * @param seed            the seed of every probabilistic decision; null when not given
 * @param journalCapacity the journal's size; null when not given
 * @param scenario        the scenario to start once ready; null when none
 * @param tls             the listeners' certificate and key, read and checked; null for cleartext
 * @param upstreamTls     how https backends are checked; null when the file does not say
 */
public record ConfigFile(List<ProxySpec> proxies, ResilienceSettings resilience, List<FaultRule> faults,
                         Long seed, Integer journalCapacity, Scenario scenario, ListenerTls tls, UpstreamTls upstreamTls) {

    public ConfigFile {
        proxies = List.copyOf(proxies);
        faults = List.copyOf(faults);
    }

    /** Reads and checks a file; YAML or JSON, told apart by the extension or else by the content. */
    public static ConfigFile read(Path file) throws ConfigException {
        return ConfigReader.read(file);
    }

    /** Reads a document given as text; {@code source} starts every error message, {@code baseDir} resolves scenario files. */
    public static ConfigFile parse(String text, String source, Path baseDir) throws ConfigException {
        return new ConfigReader(source, baseDir).parse(text, ConfigReader.looksLikeJson(source, text));
    }
}
