package io.chaosproxy.faults;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads fault rules from JSON, or from YAML loaded into a {@link JsonNode}, with errors that name
 * the field.
 *
 * <p>Only {@code type} is required; the defaults are those of {@link FaultRule.Builder} plus, per
 * kind, {@link Latency#DEFAULT_DELAY_MS}, {@link ErrorResponse#DEFAULT_STATUS} and
 * {@link Bandwidth#DEFAULT_BYTES_PER_SECOND}. An explicit {@code null} means "not given".
 * Unknown fields, fields of another kind, wrong JSON types and out-of-range numbers are all
 * refused with a {@link FaultSpecException}.
 *
 * <p>{@link #parse} is strict about what the proxy reports back: {@code id} is refused ("id is
 * assigned by the proxy"), because silently ignoring it would leave a user looking for a rule under
 * an id it never got; {@code fired}, {@code origin} and the other counters are refused too. To read
 * a rule as the control API reports it, with those fields, use {@link #parseReported}.
 */
public final class FaultRuleParser {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> COMMON_FIELDS = Set.of("type", "name", "proxy", "match", "probability",
            "times", "after", "durationMs", "target", "ratePerSecond");

    private static final Map<FaultType, Set<String>> KIND_FIELDS = kindFields();

    /** What {@link InstalledRule#toJson()} adds: the proxy's to report, never the user's to set. */
    private static final Set<String> REPORTED_FIELDS = ordered("id", "fired", "matched", "origin",
            "exhausted", "installedAt", "expiresAt", "ramp");

    private static final Set<String> MATCH_FIELDS = Set.of("methods", "path", "headers");

    private static final Set<String> ALL_FIELDS = allFields(false);
    private static final Set<String> ALL_REPORTED_FIELDS = allFields(true);

    private FaultRuleParser() {
    }

    /** Reads one rule object. */
    public static FaultRule parse(JsonNode node) {
        return read(node, false);
    }

    /** Reads one rule from JSON text; malformed JSON is a FaultSpecException with a null field. */
    public static FaultRule parse(String json) {
        return parse(readJson(json));
    }

    /**
     * Reads a rule as the control API reports it ({@link InstalledRule#toJson()}): keeps its
     * {@code id} and ignores the counters ({@code fired}, {@code origin}, ...).
     */
    public static FaultRule parseReported(JsonNode node) {
        return read(node, true);
    }

    /**
     * Reads an array of rules; an error in one is named with its place, e.g. {@code "faults[2].delayMs"}
     * for prefix {@code "faults"}. A missing or null array is an empty list. Two rules with the same
     * name are refused here, before an engine would.
     */
    public static List<FaultRule> parseList(JsonNode array, String fieldPrefix) {
        String prefix = fieldPrefix == null ? "" : fieldPrefix;
        if (array == null || array.isNull() || array.isMissingNode()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new FaultSpecException(prefix.isEmpty() ? null : prefix,
                    (prefix.isEmpty() ? "fault rules" : prefix) + " must be an array of fault rules"
                            + Fields.got(array));
        }
        List<FaultRule> rules = new ArrayList<>();
        Map<String, Integer> nameIndex = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            String place = prefix + "[" + i + "]";
            FaultRule rule;
            try {
                rule = parse(array.get(i));
            } catch (FaultSpecException e) {
                throw e.under(place);
            }
            if (rule.name() != null) {
                Integer earlier = nameIndex.putIfAbsent(rule.name(), i);
                if (earlier != null) {
                    throw new FaultSpecException(place + ".name", place + ".name \"" + rule.name()
                            + "\" is already used by " + prefix + "[" + earlier + "]");
                }
            }
            rules.add(rule);
        }
        return List.copyOf(rules);
    }

    /** Parses JSON text into a tree, turning Jackson's errors into a FaultSpecException. */
    static JsonNode readJson(String json) {
        if (json == null || json.isBlank()) {
            throw new FaultSpecException(null, "malformed JSON: the document is empty");
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new FaultSpecException(null, "malformed JSON: " + describe(e));
        }
    }

    /** Jackson's own words, first line only, with where it happened. */
    static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message += " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        }
        return message;
    }

    private static FaultRule read(JsonNode node, boolean reported) {
        if (node == null || !node.isObject()) {
            throw new FaultSpecException(null, "a fault rule must be a JSON object" + Fields.got(node));
        }
        if (!reported) {
            refuseReportedFields(node);
        }
        Fields.rejectUnknown(node, "", reported ? ALL_REPORTED_FIELDS : ALL_FIELDS);
        FaultType type = readType(node);
        refuseFieldsOfOtherKinds(node, type);
        Fault fault = readFault(node, type);

        String id = reported ? optionalString(node, "id", null) : null;
        String name = optionalString(node, "name", null);
        String proxy = optionalString(node, "proxy", null);
        Match match = Fields.get(node, "match") == null ? Match.ANY : readMatch(Fields.get(node, "match"));
        double probability = Fields.get(node, "probability") == null
                ? 1.0 : Fields.number(Fields.get(node, "probability"), "probability");
        Long times = optionalWholeNumber(node, "times");
        if (times != null) {
            FaultRule.checkTimes(times); // before narrowing: 2^40 must not wrap into a valid int
        }
        long after = optionalWholeNumber(node, "after", 0);
        Long durationMs = optionalWholeNumber(node, "durationMs");
        String target = optionalString(node, "target", null);
        Long ratePerSecond = optionalWholeNumber(node, "ratePerSecond");
        return new FaultRule(id, name, proxy, match, probability, times == null ? null : times.intValue(),
                after, durationMs, target == null ? Target.CLIENT : Target.fromWireName(target), fault,
                ratePerSecond);
    }

    private static void refuseReportedFields(JsonNode node) {
        if (node.has("id")) {
            throw new FaultSpecException("id", "id is assigned by the proxy; use name to label a rule");
        }
        if (node.has("ramp")) {
            throw new FaultSpecException("ramp", "ramp is set on a scenario phase, not on a rule");
        }
        for (String reported : REPORTED_FIELDS) {
            if (node.has(reported)) {
                throw new FaultSpecException(reported, reported + " is reported by the proxy and cannot be set");
            }
        }
    }

    private static FaultType readType(JsonNode node) {
        JsonNode value = Fields.get(node, "type");
        if (value == null) {
            throw new FaultSpecException("type", "type is required (one of "
                    + WireNames.list(FaultType.class, FaultType::wireName) + ")");
        }
        return FaultType.fromWireName(Fields.string(value, "type"));
    }

    private static void refuseFieldsOfOtherKinds(JsonNode node, FaultType type) {
        Set<String> own = KIND_FIELDS.get(type);
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            String field = property.getKey();
            boolean kindField = KIND_FIELDS.values().stream().anyMatch(fields -> fields.contains(field));
            if (kindField && !own.contains(field)) {
                String takes = own.isEmpty() ? "takes no parameters" : "takes " + String.join(", ", own);
                throw new FaultSpecException(field, field + " does not apply to type " + type.wireName()
                        + " (" + type.wireName() + " " + takes + ")");
            }
        }
    }

    private static Fault readFault(JsonNode node, FaultType type) {
        return switch (type) {
            case LATENCY -> readLatency(node);
            case ERROR -> readError(node);
            case DROP -> readDrop(node);
            case BANDWIDTH -> new Bandwidth(
                    optionalWholeNumber(node, "bytesPerSecond", Bandwidth.DEFAULT_BYTES_PER_SECOND),
                    readDirection(node));
            case HANG -> readHang(node);
            case REFUSE -> readRefuse(node);
            case SLICE -> new Slice(
                    optionalWholeNumber(node, "sliceBytes", Slice.DEFAULT_SLICE_BYTES),
                    optionalWholeNumber(node, "sliceDelayMs", 0),
                    readDirection(node));
        };
    }

    private static Latency readLatency(JsonNode node) {
        String distributionName = optionalString(node, "distribution", null);
        LatencyDistribution distribution = distributionName == null
                ? LatencyDistribution.UNIFORM : LatencyDistribution.fromWireName(distributionName);
        boolean hasP99 = Fields.get(node, "p99Ms") != null;
        // Presence, not value, decides: "jitterMs": 0 beside lognormal means the user expects a jitter.
        if (distribution == LatencyDistribution.LOGNORMAL && Fields.get(node, "jitterMs") != null) {
            throw new FaultSpecException("jitterMs",
                    "jitterMs does not apply with distribution lognormal (its spread is set by p99Ms)");
        }
        if (distribution == LatencyDistribution.LOGNORMAL && !hasP99) {
            throw Latency.p99Required();
        }
        if (distribution == LatencyDistribution.UNIFORM && hasP99) {
            throw Latency.p99NeedsLognormal();
        }
        String when = optionalString(node, "when", null);
        return new Latency(
                optionalWholeNumber(node, "delayMs", Latency.DEFAULT_DELAY_MS),
                optionalWholeNumber(node, "jitterMs", 0),
                distribution,
                optionalWholeNumber(node, "p99Ms", 0),
                when == null ? LatencyPoint.BEFORE_RESPONSE : LatencyPoint.fromWireName(when),
                readDirection(node));
    }

    private static ErrorResponse readError(JsonNode node) {
        Map<String, String> headers = Fields.get(node, "headers") == null
                ? Map.of() : Fields.stringMap(Fields.get(node, "headers"), "headers");
        Long grpcStatus = optionalWholeNumber(node, "grpcStatus");
        if (grpcStatus != null) {
            ErrorResponse.checkGrpcStatus(grpcStatus); // before narrowing to int
            if (Fields.get(node, "status") != null) {
                throw ErrorResponse.statusWithGrpc();
            }
            if (Fields.get(node, "body") != null) {
                throw ErrorResponse.bodyWithGrpc();
            }
            return new ErrorResponse(ErrorResponse.GRPC_HTTP_STATUS, "", headers, grpcStatus.intValue(),
                    optionalString(node, "grpcMessage", null));
        }
        if (Fields.get(node, "grpcMessage") != null) {
            throw ErrorResponse.grpcMessageNeedsStatus();
        }
        long status = optionalWholeNumber(node, "status", ErrorResponse.DEFAULT_STATUS);
        ErrorResponse.checkStatus(status); // before narrowing to int
        return new ErrorResponse((int) status, optionalString(node, "body", ""), headers);
    }

    private static Drop readDrop(JsonNode node) {
        String when = optionalString(node, "when", null);
        DropPoint point = when == null ? DropPoint.BEFORE_RESPONSE : DropPoint.fromWireName(when);
        // Even "afterBytes": 0 is refused where bytes aren't counted: the user meant something we would ignore.
        if (Fields.get(node, "afterBytes") != null && !point.countsBytes()) {
            throw Drop.afterBytesNeedsMidBody();
        }
        String mode = optionalString(node, "mode", null);
        return new Drop(point, optionalWholeNumber(node, "afterBytes", 0),
                mode == null ? DropMode.RESET : DropMode.fromWireName(mode), readDirection(node));
    }

    /** {@code afterBytes} without {@code when} means mid-body: how a TCP hang after some bytes is written. */
    private static Hang readHang(JsonNode node) {
        String when = optionalString(node, "when", null);
        boolean hasAfterBytes = Fields.get(node, "afterBytes") != null;
        HangPoint point = when != null ? HangPoint.fromWireName(when)
                : hasAfterBytes ? HangPoint.MID_BODY : HangPoint.BEFORE_RESPONSE;
        if (hasAfterBytes && point != HangPoint.MID_BODY) {
            throw new FaultSpecException("afterBytes", "afterBytes only applies when \"when\" is mid-body");
        }
        return new Hang(point, optionalWholeNumber(node, "afterBytes", 0), readDirection(node));
    }

    /** Refused by key, not value: {@code "probability": 1} on a refuse rule still says the user misread it. */
    private static Refuse readRefuse(JsonNode node) {
        for (String field : FaultRule.NOT_FOR_REFUSE) {
            if (Fields.get(node, field) != null) {
                throw FaultRule.refuseTakes(field);
            }
        }
        return new Refuse();
    }

    private static Direction readDirection(JsonNode node) {
        String direction = optionalString(node, "direction", null);
        return direction == null ? Direction.DOWNSTREAM : Direction.fromWireName(direction);
    }

    private static Match readMatch(JsonNode node) {
        if (!node.isObject()) {
            throw new FaultSpecException("match", "match must be an object" + Fields.got(node));
        }
        Fields.rejectUnknown(node, "match.", MATCH_FIELDS);
        JsonNode methods = Fields.get(node, "methods");
        JsonNode path = Fields.get(node, "path");
        JsonNode headers = Fields.get(node, "headers");
        return new Match(
                methods == null ? Set.of() : new LinkedHashSet<>(Fields.stringList(methods, "match.methods")),
                path == null ? null : PathGlob.compile(Fields.string(path, "match.path")),
                headers == null ? Map.of() : Fields.stringMap(headers, "match.headers"));
    }

    private static String optionalString(JsonNode node, String field, String fallback) {
        JsonNode value = Fields.get(node, field);
        return value == null ? fallback : Fields.string(value, field);
    }

    private static long optionalWholeNumber(JsonNode node, String field, long fallback) {
        JsonNode value = Fields.get(node, field);
        return value == null ? fallback : Fields.wholeNumber(value, field);
    }

    private static Long optionalWholeNumber(JsonNode node, String field) {
        JsonNode value = Fields.get(node, field);
        return value == null ? null : Fields.wholeNumber(value, field);
    }

    private static Map<FaultType, Set<String>> kindFields() {
        Map<FaultType, Set<String>> fields = new EnumMap<>(FaultType.class);
        // Ordered sets, so messages list a kind's fields the way the contract does.
        fields.put(FaultType.LATENCY, ordered("delayMs", "jitterMs", "distribution", "p99Ms", "when", "direction"));
        fields.put(FaultType.ERROR, ordered("status", "body", "headers", "grpcStatus", "grpcMessage"));
        fields.put(FaultType.DROP, ordered("when", "afterBytes", "mode", "direction"));
        fields.put(FaultType.BANDWIDTH, ordered("bytesPerSecond", "direction"));
        fields.put(FaultType.HANG, ordered("when", "afterBytes", "direction"));
        fields.put(FaultType.REFUSE, ordered());
        fields.put(FaultType.SLICE, ordered("sliceBytes", "sliceDelayMs", "direction"));
        return fields;
    }

    private static Set<String> ordered(String... names) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
    }

    private static Set<String> allFields(boolean withReported) {
        Set<String> all = new LinkedHashSet<>(COMMON_FIELDS);
        KIND_FIELDS.values().forEach(all::addAll);
        if (withReported) {
            all.addAll(REPORTED_FIELDS);
        }
        return Collections.unmodifiableSet(all);
    }
}
