package io.chaosproxy.proxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.chaosproxy.faults.Durations;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultRuleParser;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.Fields;
import io.chaosproxy.faults.JsonKind;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioCatalog;
import io.chaosproxy.faults.ScenarioParser;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Turns a config document into a {@link ConfigFile}, naming file, place and reason on every error. */
final class ConfigReader {
    /** A config file is a page or two; anything this big is the wrong file. */
    private static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Set<String> TOP_FIELDS = ordered("proxies", "resilience", "faults", "scenario", "seed", "journalCapacity",
            "tls", "upstreamTls");
    private static final Set<String> TLS_FIELDS = ordered("cert", "key");
    private static final Set<String> UPSTREAM_TLS_FIELDS = ordered("ca", "insecure");
    private static final Set<String> PROXY_FIELDS = ordered("name", "listen", "upstreams", "protocol");
    private static final Set<String> RESILIENCE_FIELDS = ordered("maxAttempts", "retryOnStatus", "backoffBase",
            "backoffCap", "replayBufferBytes", "retryWithIdempotencyKey", "retryBudgetRatio",
            "retryBudgetMinPerSecond", "retryBudgetWindow", "breakerFailures", "breakerOnStatus",
            "breakerCooldown", "connectTimeout", "tryTimeout", "deadline", "minUploadRate", "uploadThreads");
    private static final int MAX_JOURNAL_CAPACITY = 1_000_000;

    private final String source;
    private final Path baseDir;

    ConfigReader(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    static ConfigFile read(Path file) {
        String source = file.toString();
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(source, null, "the file is larger than 4 MiB; is it really a config file?");
            }
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(source, null, "cannot read the file (" + e + ")", e);
        }
        Path parent = file.toAbsolutePath().getParent();
        return new ConfigReader(source, parent).parse(text, looksLikeJson(source, text));
    }

    static boolean looksLikeJson(String name, String text) {
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".json")) {
            return true;
        }
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            return false;
        }
        return text != null && text.strip().startsWith("{");
    }

    ConfigFile parse(String text, boolean json) {
        try {
            return document(text, json);
        } catch (FaultSpecException e) {
            throw fail(e.field(), e.getMessage(), e); // the field reader's message, as POST /faults gives it
        }
    }

    private ConfigFile document(String text, boolean json) {
        JsonNode root = tree(text, json);
        if (root == null) {
            return new ConfigFile(List.of(), null, List.of(), null, null, null, null, null);
        }
        if (!root.isObject()) {
            throw fail(null, "the file must be a mapping with any of " + String.join(", ", TOP_FIELDS)
                    + " (got " + JsonKind.of(root) + ")");
        }
        Fields.rejectUnknown(root, "", TOP_FIELDS);
        List<ProxySpec> proxies = proxies(Fields.get(root, "proxies"));
        ResilienceSettings resilience = Fields.get(root, "resilience") == null ? null : resilience(Fields.get(root, "resilience"));
        List<FaultRule> faults = faults(Fields.get(root, "faults"));
        Map<String, ProxyProtocol> proxyProtocols = new LinkedHashMap<>();
        proxyProtocols.put(ProxySpec.DEFAULT_NAME, ProxyProtocol.HTTP);
        proxies.forEach(proxy -> proxyProtocols.put(proxy.name(), proxy.protocol()));
        Scenario scenario = Fields.get(root, "scenario") == null ? null : scenario(Fields.get(root, "scenario"));
        try {
            for (int i = 0; i < faults.size(); i++) {
                RuleTargets.check(faults.get(i), "faults[" + i + "].", proxyProtocols);
            }
            if (scenario != null) {
                RuleTargets.check(scenario, "scenario.", proxyProtocols);
            }
        } catch (FaultSpecException e) {
            throw fail(e.field(), e.getMessage());
        }
        Long seed = Fields.get(root, "seed") == null ? null : wholeNumber(Fields.get(root, "seed"), "seed");
        Integer journalCapacity = null;
        if (Fields.get(root, "journalCapacity") != null) {
            journalCapacity = (int) Fields.range(Fields.get(root, "journalCapacity"), "journalCapacity", 1, MAX_JOURNAL_CAPACITY);
        }
        ListenerTls tls = Fields.get(root, "tls") == null ? null : tls(Fields.get(root, "tls"));
        UpstreamTls upstreamTls = Fields.get(root, "upstreamTls") == null ? null : upstreamTls(Fields.get(root, "upstreamTls"));
        return new ConfigFile(proxies, resilience, faults, seed, journalCapacity, scenario, tls, upstreamTls);
    }

    // ---- the document ----

    private JsonNode tree(String text, boolean json) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode tree = (json ? JSON : YAML).readTree(text);
            return tree == null || tree.isMissingNode() || tree.isNull() ? null : tree;
        } catch (JsonProcessingException e) {
            throw fail(null, ParseErrors.describe(e), e);
        } catch (RuntimeException e) {
            // SnakeYAML's own limits may surface unwrapped
            throw fail(null, "malformed " + (json ? "JSON" : "YAML") + ": " + ParseErrors.firstLine(String.valueOf(e.getMessage())), e);
        }
    }

    // ---- sections ----

    private List<ProxySpec> proxies(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw fail("proxies", "proxies must be a list of {name, listen, upstreams} (got " + JsonKind.of(node) + ")");
        }
        List<ProxySpec> proxies = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<HostPort, Integer> addresses = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "proxies[" + i + "]";
            ProxySpec proxy = proxy(node.get(i), at);
            Integer earlier = names.putIfAbsent(proxy.name(), i);
            if (earlier != null) {
                throw fail(at + ".name", at + ".name '" + proxy.name() + "' is already used by proxies[" + earlier + "]");
            }
            if (proxy.listen().port() != 0) {
                Integer sharing = addresses.putIfAbsent(proxy.listen(), i);
                if (sharing != null) {
                    throw fail(at + ".listen", at + ".listen " + proxy.listen() + " is already used by proxies[" + sharing + "]");
                }
            }
            proxies.add(proxy);
        }
        return proxies;
    }

    private ProxySpec proxy(JsonNode node, String at) {
        if (!node.isObject()) {
            throw fail(at, at + " must be a mapping with name, listen and upstreams (got " + JsonKind.of(node) + ")");
        }
        Fields.rejectUnknown(node, at + ".", PROXY_FIELDS);
        String name = Fields.string(Fields.required(node, "name", at + ".name"), at + ".name");
        String listenText = Fields.string(Fields.required(node, "listen", at + ".listen"), at + ".listen");
        HostPort listen;
        try {
            listen = HostPort.parse(listenText);
        } catch (IllegalArgumentException e) {
            throw fail(at + ".listen", at + ".listen: " + e.getMessage());
        }
        ProxyProtocol protocol = ProxyProtocol.HTTP;
        JsonNode protocolNode = Fields.get(node, "protocol");
        if (protocolNode != null) {
            try {
                protocol = ProxyProtocol.fromWireName(Fields.string(protocolNode, at + ".protocol"));
            } catch (IllegalArgumentException e) {
                throw fail(at + ".protocol", at + ".protocol: " + e.getMessage());
            }
        }
        List<URI> upstreams = new ArrayList<>();
        JsonNode upstreamsNode = Fields.get(node, "upstreams");
        if (upstreamsNode != null) {
            List<String> texts = upstreamsNode.isTextual() ? List.of(upstreamsNode.textValue())
                    : Fields.stringList(upstreamsNode, at + ".upstreams");
            for (int i = 0; i < texts.size(); i++) {
                String field = at + ".upstreams[" + i + "]";
                try {
                    URI upstream = Upstreams.parse(texts.get(i), protocol);
                    if (protocol == ProxyProtocol.HTTP && Upstreams.httpUrl(upstream) == null) {
                        throw new IllegalArgumentException("upstream '" + texts.get(i) + "' is not a usable http(s) URL");
                    }
                    upstreams.add(upstream);
                } catch (IllegalArgumentException e) {
                    throw fail(field, field + ": " + e.getMessage());
                }
            }
        }
        try {
            return new ProxySpec(name, listen, upstreams, protocol);
        } catch (IllegalArgumentException e) {
            throw fail(at + ".name", at + ".name: " + e.getMessage());
        }
    }

    private ResilienceSettings resilience(JsonNode node) {
        if (!node.isObject()) {
            throw fail("resilience", "resilience must be a mapping of settings (got " + JsonKind.of(node) + ")");
        }
        Fields.rejectUnknown(node, "resilience.", RESILIENCE_FIELDS);
        ResilienceSettings defaults = ResilienceSettings.defaults();
        ResilienceSettings.Builder builder = ResilienceSettings.builder();
        setting(node, "maxAttempts", value -> builder.maxAttempts(Fields.intValue(value, "resilience.maxAttempts")));
        setting(node, "retryOnStatus", value -> builder.retryOnStatus(statuses(value, "resilience.retryOnStatus")));
        if (Fields.get(node, "backoffBase") != null || Fields.get(node, "backoffCap") != null) {
            Duration base = optionalDuration(node, "backoffBase", defaults.backoffBase());
            Duration cap = optionalDuration(node, "backoffCap", defaults.backoffCap());
            setting(node, Fields.get(node, "backoffBase") != null ? "backoffBase" : "backoffCap", value -> builder.backoff(base, cap));
        }
        setting(node, "replayBufferBytes", value -> builder.replayBufferBytes(wholeNumber(value, "resilience.replayBufferBytes")));
        setting(node, "retryWithIdempotencyKey", value -> builder.retryWithIdempotencyKey(Fields.bool(value, "resilience.retryWithIdempotencyKey")));
        if (Fields.get(node, "retryBudgetRatio") != null || Fields.get(node, "retryBudgetMinPerSecond") != null
                || Fields.get(node, "retryBudgetWindow") != null) {
            double ratio = Fields.get(node, "retryBudgetRatio") == null ? defaults.retryBudgetRatio()
                    : Fields.number(Fields.get(node, "retryBudgetRatio"), "resilience.retryBudgetRatio");
            int minPerSecond = Fields.get(node, "retryBudgetMinPerSecond") == null ? defaults.retryBudgetMinPerSecond()
                    : Fields.intValue(Fields.get(node, "retryBudgetMinPerSecond"), "resilience.retryBudgetMinPerSecond");
            Duration window = optionalDuration(node, "retryBudgetWindow", defaults.retryBudgetWindow());
            String first = Fields.get(node, "retryBudgetRatio") != null ? "retryBudgetRatio"
                    : Fields.get(node, "retryBudgetMinPerSecond") != null ? "retryBudgetMinPerSecond" : "retryBudgetWindow";
            setting(node, first, value -> builder.retryBudget(ratio, minPerSecond, window));
        }
        setting(node, "breakerFailures", value -> builder.breakerFailures(Fields.intValue(value, "resilience.breakerFailures")));
        setting(node, "breakerOnStatus", value -> builder.breakerOnStatus(statuses(value, "resilience.breakerOnStatus")));
        setting(node, "breakerCooldown", value -> builder.breakerCooldown(duration(value, "resilience.breakerCooldown")));
        setting(node, "connectTimeout", value -> builder.connectTimeout(duration(value, "resilience.connectTimeout")));
        setting(node, "tryTimeout", value -> builder.tryTimeout(duration(value, "resilience.tryTimeout")));
        setting(node, "deadline", value -> builder.deadline(duration(value, "resilience.deadline")));
        setting(node, "minUploadRate", value -> builder.minUploadRate(wholeNumber(value, "resilience.minUploadRate")));
        setting(node, "uploadThreads", value -> builder.uploadThreads(Fields.intValue(value, "resilience.uploadThreads")));
        return builder.build();
    }

    /**
     * Applies one setting when present. The builder's messages start with the setting's name
     * ("maxAttempts must be 1-10, got 0"); that name, prefixed, is the field.
     */
    private void setting(JsonNode node, String name, Consumer<JsonNode> apply) {
        JsonNode value = Fields.get(node, name);
        if (value == null) {
            return;
        }
        try {
            apply.accept(value);
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            String named = name;
            for (String field : RESILIENCE_FIELDS) {
                if (message.startsWith(field + " ")) {
                    named = field;
                    break;
                }
            }
            String reason = message.startsWith(named) ? message : named + ": " + message;
            throw fail("resilience." + named, "resilience." + reason);
        }
    }

    /** {@code tls: {cert: FILE, key: FILE}}: both, PEM, relative to this file. */
    private ListenerTls tls(JsonNode node) {
        if (!node.isObject()) {
            throw fail("tls", "tls must be a mapping with cert and key, both PEM files (got " + JsonKind.of(node) + ")");
        }
        Fields.rejectUnknown(node, "tls.", TLS_FIELDS);
        Path cert = file(Fields.string(Fields.required(node, "cert", "tls.cert"), "tls.cert"));
        Path key = file(Fields.string(Fields.required(node, "key", "tls.key"), "tls.key"));
        try {
            return ListenerTls.load(cert, key, "tls.cert", "tls.key");
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            throw fail(message.startsWith("tls.key") ? "tls.key" : "tls.cert", message);
        }
    }

    /** {@code upstreamTls: {ca: FILE}} or {@code upstreamTls: {insecure: true}}. */
    private UpstreamTls upstreamTls(JsonNode node) {
        if (!node.isObject()) {
            throw fail("upstreamTls", "upstreamTls must be a mapping with ca (a PEM file) or insecure (got " + JsonKind.of(node) + ")");
        }
        Fields.rejectUnknown(node, "upstreamTls.", UPSTREAM_TLS_FIELDS);
        boolean insecure = Fields.get(node, "insecure") != null && Fields.bool(Fields.get(node, "insecure"), "upstreamTls.insecure");
        if (Fields.get(node, "ca") == null) {
            return insecure ? UpstreamTls.trustingEverything() : UpstreamTls.DEFAULT;
        }
        if (insecure) {
            throw fail("upstreamTls.insecure", "upstreamTls.insecure: true and upstreamTls.ca contradict each other:"
                    + " insecure trusts every certificate; give one of them");
        }
        Path ca = file(Fields.string(Fields.get(node, "ca"), "upstreamTls.ca"));
        try {
            return UpstreamTls.trusting(ca);
        } catch (IllegalArgumentException e) {
            throw fail("upstreamTls.ca", "upstreamTls.ca: " + e.getMessage());
        }
    }

    /** A path as written in the file; a relative one is relative to the file's directory. */
    private Path file(String text) {
        Path path = Path.of(text);
        return baseDir == null || path.isAbsolute() ? path : baseDir.resolve(path);
    }

    private List<FaultRule> faults(JsonNode node) {
        try {
            return FaultRuleParser.parseList(node, "faults");
        } catch (FaultSpecException e) {
            throw fail(e.field(), e.getMessage());
        }
    }

    private Scenario scenario(JsonNode node) {
        if (node.isTextual()) {
            String reference = node.textValue();
            if (ScenarioCatalog.find(reference).isPresent()) {
                return ScenarioCatalog.find(reference).get();
            }
            Path file = baseDir == null ? Path.of(reference) : baseDir.resolve(reference);
            if (Files.isRegularFile(file)) {
                try {
                    return ScenarioParser.parse(file);
                } catch (FaultSpecException e) {
                    throw fail(e.field() == null ? "scenario" : "scenario." + e.field(), "scenario " + e.getMessage());
                }
            }
            throw fail("scenario", "scenario '" + reference + "' is neither a built-in ("
                    + String.join(", ", ScenarioCatalog.names()) + ") nor a file next to this one");
        }
        if (!node.isObject()) {
            throw fail("scenario", "scenario must be a built-in name, a file, or a document with name and phases (got "
                    + JsonKind.of(node) + ")");
        }
        try {
            return ScenarioParser.parse(node);
        } catch (FaultSpecException e) {
            FaultSpecException moved = e.under("scenario");
            throw fail(moved.field(), moved.getMessage());
        }
    }

    // ---- typed values: read by the one field reader (faults' Fields), as in POST /faults ----

    /** A whole number that must fit a 64-bit integer exactly (a seed, a byte count, milliseconds). */
    private static long wholeNumber(JsonNode value, String field) {
        return Fields.range(value, field, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    private static Set<Integer> statuses(JsonNode value, String field) {
        if (!value.isArray()) {
            throw new FaultSpecException(field, field + " must be a list of HTTP statuses such as [502, 503]" + Fields.got(value));
        }
        Set<Integer> statuses = new TreeSet<>();
        for (int i = 0; i < value.size(); i++) {
            statuses.add((int) Fields.range(value.get(i), field + "[" + i + "]", 100, 599));
        }
        return statuses;
    }

    /** "250ms", "2s", "1m", or a bare number of milliseconds. */
    private static Duration duration(JsonNode value, String field) {
        if (value.isNumber()) {
            return Duration.ofMillis(wholeNumber(value, field));
        }
        if (!value.isTextual()) {
            throw new FaultSpecException(field, field + " must be a duration such as 250ms or 2s" + Fields.got(value));
        }
        try {
            return Durations.parse(value.textValue());
        } catch (IllegalArgumentException e) {
            throw new FaultSpecException(field, field + ": " + e.getMessage());
        }
    }

    private static Duration optionalDuration(JsonNode node, String name, Duration fallback) {
        JsonNode value = Fields.get(node, name);
        return value == null ? fallback : duration(value, "resilience." + name);
    }

    private ConfigException fail(String field, String reason) {
        return new ConfigException(source, field, reason);
    }

    private ConfigException fail(String field, String reason, Throwable cause) {
        return new ConfigException(source, field, reason, cause);
    }

    private static Set<String> ordered(String... names) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
    }
}
