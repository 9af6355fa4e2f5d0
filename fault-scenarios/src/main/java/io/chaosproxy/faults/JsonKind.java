package io.chaosproxy.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** Names the shape of a JSON value in an error message: "an array", "a string", "null". */
public final class JsonKind {
    private JsonKind() {}

    public static String of(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
