package io.chaosproxy.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one reader of typed values out of JSON/YAML trees, for fault rules, scenarios, config files
 * and the control API alike: the same bad value gets the same message everywhere. Every failure is
 * a {@link FaultSpecException} naming the field and the expected type. An explicit JSON
 * {@code null} counts as "not given" everywhere.
 */
public final class Fields {

    private Fields() {
    }

    /** The value of a field, or {@code null} when it is absent or JSON null. */
    public static JsonNode get(JsonNode object, String name) {
        JsonNode value = object.get(name);
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    /** The value of a field that must be given; {@code field} is its full name (e.g. {@code proxies[0].listen}). */
    public static JsonNode required(JsonNode object, String name, String field) {
        JsonNode value = get(object, name);
        if (value == null) {
            throw new FaultSpecException(field, field + " is required");
        }
        return value;
    }

    /** Refuses anything but an object: {@code message} says what was expected, the shape found is added. */
    public static void requireObject(JsonNode value, String field, String message) {
        if (!value.isObject()) {
            throw new FaultSpecException(field, message + got(value));
        }
    }

    public static String string(JsonNode value, String field) {
        if (!value.isTextual()) {
            throw new FaultSpecException(field, field + " must be a string");
        }
        return value.textValue();
    }

    /** Any JSON number; NaN and infinities pass here and are refused by the range checks. */
    public static double number(JsonNode value, String field) {
        if (!value.isNumber()) {
            throw new FaultSpecException(field, field + " must be a number");
        }
        return value.doubleValue();
    }

    public static boolean bool(JsonNode value, String field) {
        if (!value.isBoolean()) {
            throw new FaultSpecException(field, field + " must be true or false");
        }
        return value.booleanValue();
    }

    /**
     * A whole number, also when written {@code 1e3} or {@code 200.0}. Numbers beyond a long are
     * clamped to {@code Long.MIN_VALUE}/{@code MAX_VALUE}, so the field's range check (every field
     * has a cap well inside a long) rejects them with its usual message.
     */
    public static long wholeNumber(JsonNode value, String field) {
        String error = field + " must be a whole number";
        if (!value.isNumber()) {
            throw new FaultSpecException(field, error);
        }
        if (value.isIntegralNumber()) {
            return value.canConvertToLong() ? value.longValue() : clamp(value.bigIntegerValue());
        }
        if (value.isDouble() || value.isFloat()) {
            double d = value.doubleValue();
            if (Double.isInfinite(d)) {
                return d > 0 ? Long.MAX_VALUE : Long.MIN_VALUE; // 1e400 is huge, not fractional
            }
            if (Double.isNaN(d) || d != Math.rint(d)) {
                throw new FaultSpecException(field, error);
            }
            return clamp(BigDecimal.valueOf(d).toBigInteger());
        }
        BigDecimal decimal = value.decimalValue();
        if (decimal.signum() != 0 && decimal.precision() - decimal.scale() > 19) {
            // Far beyond a long: clamp without expanding 1e999999999 into a billion digits.
            return decimal.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (decimal.stripTrailingZeros().scale() > 0) {
            throw new FaultSpecException(field, error);
        }
        return clamp(decimal.toBigInteger());
    }

    private static long clamp(BigInteger value) {
        if (value.bitLength() < 64) {
            return value.longValue();
        }
        return value.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    /** An array of strings; a wrong element is named by its index ({@code upstreams[1]}). */
    public static List<String> stringList(JsonNode value, String field) {
        if (!value.isArray()) {
            throw new FaultSpecException(field, field + " must be an array of strings");
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            strings.add(string(value.get(i), field + "[" + i + "]"));
        }
        return strings;
    }

    /**
     * A whole number from {@code min} to {@code max}, refused as {@code "field must be 1-10, got 0"}
     * (the value as written, so {@code 1e30} is not shown as a clamped long).
     */
    public static long range(JsonNode value, String field, long min, long max) {
        long number = wholeNumber(value, field);
        boolean exact = value.isIntegralNumber() && value.canConvertToLong();
        if (number < min || number > max || (!exact && (number == Long.MAX_VALUE || number == Long.MIN_VALUE))) {
            String bounds = min == Long.MIN_VALUE && max == Long.MAX_VALUE ? " within a 64-bit integer"
                    : " " + (min == Integer.MIN_VALUE ? "at most " + max : min + "-" + max);
            throw new FaultSpecException(field, field + " must be" + bounds + ", got " + value.asText());
        }
        return number;
    }

    /** {@link #range} over the whole {@code int} range. */
    public static int intValue(JsonNode value, String field) {
        return (int) range(value, field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * An object whose values are header values. Numbers and booleans are taken as their text,
     * because YAML reads {@code Retry-After: 1} as a number and nobody should have to quote it.
     */
    public static Map<String, String> stringMap(JsonNode value, String field) {
        if (!value.isObject()) {
            throw new FaultSpecException(field, field + " must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            JsonNode element = entry.getValue();
            if (!(element.isTextual() || element.isNumber() || element.isBoolean())) {
                String where = field + "." + entry.getKey();
                throw new FaultSpecException(where, where + " must be a string");
            }
            map.put(entry.getKey(), element.asText());
        }
        return map;
    }

    /** Refuses any field not in {@code known}, suggesting a close spelling when there is one. */
    public static void rejectUnknown(JsonNode object, String prefix, Set<String> known) {
        for (Map.Entry<String, JsonNode> property : object.properties()) {
            String name = property.getKey();
            if (!known.contains(name)) {
                String field = prefix + name;
                String hint = suggest(name, known);
                throw new FaultSpecException(field, "unknown field \"" + field + "\""
                        + (hint == null ? "" : " (did you mean \"" + prefix + hint + "\"?)"));
            }
        }
    }

    /**
     * The closest known name within a small edit distance (case slips, typos), or else one sharing
     * all but the last letter of the unknown name as its start (singular for plural: proxy, proxies).
     */
    public static String suggest(String unknown, Collection<String> known) {
        String best = Spelling.closest(unknown, known);
        String lower = unknown.toLowerCase(Locale.ROOT);
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

    /** " (got an array)": tells the user what we found when the shape is wrong. */
    public static String got(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "";
        }
        return " (got " + JsonKind.of(node) + ")";
    }
}
