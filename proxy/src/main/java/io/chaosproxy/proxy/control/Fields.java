package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Typed reads of the control API's own small bodies (proxies, upstreams, scenario names), naming the field on error. */
final class Fields {
    private Fields() {}

    static void requireObject(JsonNode body, String what) {
        if (!body.isObject()) {
            throw ApiError.badRequest(null, "the body must be a JSON object: " + what + " (got " + kind(body) + ")");
        }
    }

    static void rejectUnknown(JsonNode body, Set<String> known) {
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiError.badRequest(name, "unknown field \"" + name + "\"; known fields: " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    /** A string field; absent or null gives {@code fallback}. */
    static String string(JsonNode body, String field, String fallback) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw ApiError.badRequest(field, field + " must be a string (got " + kind(value) + ")");
        }
        return value.textValue();
    }

    static String requiredString(JsonNode body, String field) {
        String value = string(body, field, null);
        if (value == null) {
            throw ApiError.badRequest(field, field + " is required");
        }
        return value;
    }

    /** An array of strings; absent or null gives {@code null}. */
    static List<String> strings(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw ApiError.badRequest(field, field + " must be an array of strings (got " + kind(value) + ")");
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (!element.isTextual()) {
                String where = field + "[" + i + "]";
                throw ApiError.badRequest(where, where + " must be a string (got " + kind(element) + ")");
            }
            strings.add(element.textValue());
        }
        return strings;
    }

    static String kind(JsonNode node) {
        return io.chaosproxy.faults.JsonKind.of(node);
    }
}
