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
import io.chaosproxy.faults.Phase;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioCatalog;
import io.chaosproxy.faults.ScenarioParser;
import io.chaosproxy.faults.Spelling;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
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
            "breakerCooldown", "connectTimeout", "tryTimeout", "deadline");
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
        JsonNode root = tree(text, json);
        if (root == null) {
            return new ConfigFile(List.of(), null, List.of(), null, null, null, null, null);
        }
        if (!root.isObject()) {
            throw fail(null, "the file must be a mapping with any of " + String.join(", ", TOP_FIELDS)
                    + " (got " + kind(root) + ")");
        }
        rejectUnknown(root, "", TOP_FIELDS);
        List<ProxySpec> proxies = proxies(get(root, "proxies"));
        ResilienceSettings resilience = get(root, "resilience") == null ? null : resilience(get(root, "resilience"));
        List<FaultRule> faults = faults(get(root, "faults"));
        Set<String> proxyNames = new LinkedHashSet<>();
        proxyNames.add(ProxySpec.DEFAULT_NAME);
        proxies.forEach(proxy -> proxyNames.add(proxy.name()));
        for (int i = 0; i < faults.size(); i++) {
            checkProxy(faults.get(i), "faults[" + i + "].proxy", proxyNames);
        }
        Scenario scenario = get(root, "scenario") == null ? null : scenario(get(root, "scenario"));
        if (scenario != null) {
            for (int p = 0; p < scenario.phases().size(); p++) {
                Phase phase = scenario.phases().get(p);
                for (int f = 0; f < phase.faults().size(); f++) {
                    checkProxy(phase.faults().get(f), "scenario.phases[" + p + "].faults[" + f + "].proxy", proxyNames);
                }
            }
        }
        Long seed = get(root, "seed") == null ? null : wholeNumber(get(root, "seed"), "seed");
        Integer journalCapacity = null;
        if (get(root, "journalCapacity") != null) {
            journalCapacity = (int) range(get(root, "journalCapacity"), "journalCapacity", 1, MAX_JOURNAL_CAPACITY);
        }
        ListenerTls tls = get(root, "tls") == null ? null : tls(get(root, "tls"));
        UpstreamTls upstreamTls = get(root, "upstreamTls") == null ? null : upstreamTls(get(root, "upstreamTls"));
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
            throw fail("proxies", "proxies must be a list of {name, listen, upstreams} (got " + kind(node) + ")");
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
            throw fail(at, at + " must be a mapping with name, listen and upstreams (got " + kind(node) + ")");
        }
        rejectUnknown(node, at + ".", PROXY_FIELDS);
        String name = string(required(node, "name", at), at + ".name");
        String listenText = string(required(node, "listen", at), at + ".listen");
        HostPort listen;
        try {
            listen = HostPort.parse(listenText);
        } catch (IllegalArgumentException e) {
            throw fail(at + ".listen", at + ".listen: " + e.getMessage());
        }
        ProxyProtocol protocol = ProxyProtocol.HTTP;
        JsonNode protocolNode = get(node, "protocol");
        if (protocolNode != null) {
            try {
                protocol = ProxyProtocol.fromWireName(string(protocolNode, at + ".protocol"));
            } catch (IllegalArgumentException e) {
                throw fail(at + ".protocol", at + ".protocol: " + e.getMessage());
            }
        }
        List<URI> upstreams = new ArrayList<>();
        JsonNode upstreamsNode = get(node, "upstreams");
        if (upstreamsNode != null) {
            List<String> texts = upstreamsNode.isTextual() ? List.of(upstreamsNode.textValue())
                    : strings(upstreamsNode, at + ".upstreams");
            for (int i = 0; i < texts.size(); i++) {
                String field = at + ".upstreams[" + i + "]";
                try {
                    URI upstream = Upstreams.parse(texts.get(i), protocol);
                    if (protocol == ProxyProtocol.HTTP && okhttp3.HttpUrl.parse(upstream.toString()) == null) {
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
            throw fail("resilience", "resilience must be a mapping of settings (got " + kind(node) + ")");
        }
        rejectUnknown(node, "resilience.", RESILIENCE_FIELDS);
        ResilienceSettings defaults = ResilienceSettings.defaults();
        ResilienceSettings.Builder builder = ResilienceSettings.builder();
        setting(node, "maxAttempts", value -> builder.maxAttempts(intValue(value, "resilience.maxAttempts")));
        setting(node, "retryOnStatus", value -> builder.retryOnStatus(statuses(value, "resilience.retryOnStatus")));
        if (get(node, "backoffBase") != null || get(node, "backoffCap") != null) {
            Duration base = optionalDuration(node, "backoffBase", defaults.backoffBase());
            Duration cap = optionalDuration(node, "backoffCap", defaults.backoffCap());
            setting(node, get(node, "backoffBase") != null ? "backoffBase" : "backoffCap", value -> builder.backoff(base, cap));
        }
        setting(node, "replayBufferBytes", value -> builder.replayBufferBytes(wholeNumber(value, "resilience.replayBufferBytes")));
        setting(node, "retryWithIdempotencyKey", value -> builder.retryWithIdempotencyKey(bool(value, "resilience.retryWithIdempotencyKey")));
        if (get(node, "retryBudgetRatio") != null || get(node, "retryBudgetMinPerSecond") != null
                || get(node, "retryBudgetWindow") != null) {
            double ratio = get(node, "retryBudgetRatio") == null ? defaults.retryBudgetRatio()
                    : number(get(node, "retryBudgetRatio"), "resilience.retryBudgetRatio");
            int minPerSecond = get(node, "retryBudgetMinPerSecond") == null ? defaults.retryBudgetMinPerSecond()
                    : intValue(get(node, "retryBudgetMinPerSecond"), "resilience.retryBudgetMinPerSecond");
            Duration window = optionalDuration(node, "retryBudgetWindow", defaults.retryBudgetWindow());
            String first = get(node, "retryBudgetRatio") != null ? "retryBudgetRatio"
                    : get(node, "retryBudgetMinPerSecond") != null ? "retryBudgetMinPerSecond" : "retryBudgetWindow";
            setting(node, first, value -> builder.retryBudget(ratio, minPerSecond, window));
        }
        setting(node, "breakerFailures", value -> builder.breakerFailures(intValue(value, "resilience.breakerFailures")));
        setting(node, "breakerOnStatus", value -> builder.breakerOnStatus(statuses(value, "resilience.breakerOnStatus")));
        setting(node, "breakerCooldown", value -> builder.breakerCooldown(duration(value, "resilience.breakerCooldown")));
        setting(node, "connectTimeout", value -> builder.connectTimeout(duration(value, "resilience.connectTimeout")));
        setting(node, "tryTimeout", value -> builder.tryTimeout(duration(value, "resilience.tryTimeout")));
        setting(node, "deadline", value -> builder.deadline(duration(value, "resilience.deadline")));
        return builder.build();
    }

    /**
     * Applies one setting when present. The builder's messages start with the setting's name
     * ("maxAttempts must be 1-10, got 0"); that name, prefixed, is the field.
     */
    private void setting(JsonNode node, String name, Consumer<JsonNode> apply) {
        JsonNode value = get(node, name);
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
            throw fail("tls", "tls must be a mapping with cert and key, both PEM files (got " + kind(node) + ")");
        }
        rejectUnknown(node, "tls.", TLS_FIELDS);
        Path cert = file(string(required(node, "cert", "tls"), "tls.cert"));
        Path key = file(string(required(node, "key", "tls"), "tls.key"));
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
            throw fail("upstreamTls", "upstreamTls must be a mapping with ca (a PEM file) or insecure (got " + kind(node) + ")");
        }
        rejectUnknown(node, "upstreamTls.", UPSTREAM_TLS_FIELDS);
        boolean insecure = get(node, "insecure") != null && bool(get(node, "insecure"), "upstreamTls.insecure");
        if (get(node, "ca") == null) {
            return insecure ? UpstreamTls.trustingEverything() : UpstreamTls.DEFAULT;
        }
        if (insecure) {
            throw fail("upstreamTls.insecure", "upstreamTls.insecure: true and upstreamTls.ca contradict each other:"
                    + " insecure trusts every certificate; give one of them");
        }
        Path ca = file(string(get(node, "ca"), "upstreamTls.ca"));
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
                    + kind(node) + ")");
        }
        try {
            return ScenarioParser.parse(node);
        } catch (FaultSpecException e) {
            FaultSpecException moved = e.under("scenario");
            throw fail(moved.field(), moved.getMessage());
        }
    }

    private void checkProxy(FaultRule rule, String field, Set<String> proxyNames) {
        if (rule.proxy() != null && !proxyNames.contains(rule.proxy())) {
            throw fail(field, field + " '" + rule.proxy() + "' names no proxy in this file; proxies: "
                    + String.join(", ", proxyNames));
        }
    }

    // ---- typed values ----

    private static JsonNode get(JsonNode object, String name) {
        JsonNode value = object.get(name);
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    private JsonNode required(JsonNode object, String name, String at) {
        JsonNode value = get(object, name);
        if (value == null) {
            throw fail(at + "." + name, at + "." + name + " is required");
        }
        return value;
    }

    private String string(JsonNode value, String field) {
        if (!value.isTextual()) {
            throw fail(field, field + " must be a string (got " + kind(value) + ")");
        }
        return value.textValue();
    }

    private List<String> strings(JsonNode value, String field) {
        if (!value.isArray()) {
            throw fail(field, field + " must be a list of strings (got " + kind(value) + ")");
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            strings.add(string(value.get(i), field + "[" + i + "]"));
        }
        return strings;
    }

    private boolean bool(JsonNode value, String field) {
        if (!value.isBoolean()) {
            throw fail(field, field + " must be true or false (got " + kind(value) + ")");
        }
        return value.booleanValue();
    }

    private double number(JsonNode value, String field) {
        if (!value.isNumber()) {
            throw fail(field, field + " must be a number (got " + kind(value) + ")");
        }
        return value.doubleValue();
    }

    /** A whole number within a long; {@code 3.0} counts, {@code 2.5} and {@code 1e30} do not. */
    private long wholeNumber(JsonNode value, String field) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isFloatingPointNumber() && !value.isBigDecimal()) {
            double d = value.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
                return (long) d;
            }
        } else if (value.isBigDecimal()) {
            BigDecimal decimal = value.decimalValue();
            if (decimal.stripTrailingZeros().scale() <= 0 && decimal.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
                return decimal.longValue();
            }
        }
        throw fail(field, field + " must be a whole number" + (value.isNumber() ? " within a 64-bit integer" : " (got " + kind(value) + ")"));
    }

    private int intValue(JsonNode value, String field) {
        return (int) range(value, field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private long range(JsonNode value, String field, long min, long max) {
        long number = wholeNumber(value, field);
        if (number < min || number > max) {
            throw fail(field, field + " must be " + (min == Integer.MIN_VALUE ? "at most " + max : min + "-" + max) + ", got " + number);
        }
        return number;
    }

    private Set<Integer> statuses(JsonNode value, String field) {
        if (!value.isArray()) {
            throw fail(field, field + " must be a list of HTTP statuses such as [502, 503] (got " + kind(value) + ")");
        }
        Set<Integer> statuses = new TreeSet<>();
        for (int i = 0; i < value.size(); i++) {
            statuses.add((int) range(value.get(i), field + "[" + i + "]", 100, 599));
        }
        return statuses;
    }

    /** "250ms", "2s", "1m", or a bare number of milliseconds. */
    private Duration duration(JsonNode value, String field) {
        if (value.isNumber()) {
            return Duration.ofMillis(wholeNumber(value, field));
        }
        if (!value.isTextual()) {
            throw fail(field, field + " must be a duration such as 250ms or 2s (got " + kind(value) + ")");
        }
        try {
            return Durations.parse(value.textValue());
        } catch (IllegalArgumentException e) {
            throw fail(field, field + ": " + e.getMessage());
        }
    }

    private Duration optionalDuration(JsonNode node, String name, Duration fallback) {
        JsonNode value = get(node, name);
        return value == null ? fallback : duration(value, "resilience." + name);
    }

    private void rejectUnknown(JsonNode object, String prefix, Set<String> known) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                String hint = suggest(name, known);
                throw fail(prefix + name, "unknown field " + prefix + name
                        + (hint != null ? " (did you mean " + prefix + hint + "?)" : "; known: " + String.join(", ", known)));
            }
        }
    }

    private ConfigException fail(String field, String reason) {
        return new ConfigException(source, field, reason);
    }

    private ConfigException fail(String field, String reason, Throwable cause) {
        return new ConfigException(source, field, reason, cause);
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "a mapping";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /**
     * The closest known name within a small edit distance (case slips, typos), or else one sharing
     * all but the last letter of the unknown name as its start (singular for plural: proxy, proxies).
     */
    static String suggest(String unknown, Collection<String> known) {
        String lower = unknown.toLowerCase(Locale.ROOT);
        String best = Spelling.closest(unknown, known);
        if (best == null && lower.length() >= 5) {
            String stem = lower.substring(0, lower.length() - 1);
            for (String candidate : known) {
                if (candidate.toLowerCase(Locale.ROOT).startsWith(stem)) {
                    return candidate;
                }
            }
        }
        return best;
    }

    private static Set<String> ordered(String... names) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
    }
}
