package io.chaosproxy.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads typed values out of JSON/YAML trees, naming the field and the expected type when the
 * document has something else. An explicit JSON {@code null} counts as "not given" everywhere.
 */
final class Fields {

    private Fields() {
    }

    /** The value of a field, or {@code null} when it is absent or JSON null. */
    static JsonNode get(JsonNode object, String name) {
        JsonNode value = object.get(name);
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    static String string(JsonNode value, String field) {
        if (!value.isTextual()) {
            throw new FaultSpecException(field, field + " must be a string");
        }
        return value.textValue();
    }

    /** Any JSON number; NaN and infinities pass here and are refused by the range checks. */
    static double number(JsonNode value, String field) {
        if (!value.isNumber()) {
            throw new FaultSpecException(field, field + " must be a number");
        }
        return value.doubleValue();
    }

    static boolean bool(JsonNode value, String field) {
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
    static long wholeNumber(JsonNode value, String field) {
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

    static List<String> stringList(JsonNode value, String field) {
        String error = field + " must be an array of strings";
        if (!value.isArray()) {
            throw new FaultSpecException(field, error);
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw new FaultSpecException(field, error);
            }
            strings.add(element.textValue());
        }
        return strings;
    }

    /**
     * An object whose values are header values. Numbers and booleans are taken as their text,
     * because YAML reads {@code Retry-After: 1} as a number and nobody should have to quote it.
     */
    static Map<String, String> stringMap(JsonNode value, String field) {
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
    static void rejectUnknown(JsonNode object, String prefix, Set<String> known) {
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

    /** The closest known name within a small edit distance, or null: catches case slips and typos. */
    static String suggest(String unknown, Collection<String> known) {
        return Spelling.closest(unknown, known);
    }

    /** " (got an array)": tells the user what we found when the shape is wrong. */
    static String got(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "";
        }
        return " (got " + JsonKind.of(node) + ")";
    }
}
