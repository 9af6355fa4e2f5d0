package io.chaosproxy.proxy.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one codec of a journal entry on the wire: the contract's field names, written for
 * {@code GET /requests} and the JSON access log, read back by the JUnit extension's remote client.
 * {@code grpcStatus} is written for gRPC calls only.
 */
public final class JournalEntryJson {
    private JournalEntryJson() {}

    /** Every field always present (null when it has no value), in the contract's order. */
    public static ObjectNode toJson(JournalEntry entry) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("requestId", entry.requestId());
        json.put("traceId", entry.traceId());
        json.put("proxy", entry.proxy());
        json.put("method", entry.method());
        json.put("path", entry.path());
        json.put("status", entry.status());
        ArrayNode faults = json.putArray("faults");
        entry.faults().forEach(faults::add);
        ArrayNode attempts = json.putArray("attempts");
        for (Attempt attempt : entry.attempts()) {
            ObjectNode a = attempts.addObject();
            a.put("backend", attempt.backend());
            a.put("status", attempt.status());
            a.put("error", attempt.error());
            a.put("durationMs", attempt.durationMs());
            ArrayNode attemptFaults = a.putArray("faults");
            attempt.faults().forEach(attemptFaults::add);
        }
        json.put("durationMs", entry.durationMs());
        json.put("startedAt", entry.startedAt() == null ? null : entry.startedAt().toString());
        json.put("scenario", entry.scenario());
        json.put("error", entry.error());
        if (entry.grpcStatus() != null) {
            json.put("grpcStatus", entry.grpcStatus()); // only gRPC calls have one
        }
        ConnectionRecord connection = entry.connection();
        if (connection != null) {
            // a TCP connection: the contract's connection fields in place of the HTTP ones
            json.remove(List.of("traceId", "method", "path", "status"));
            json.put("protocol", connection.protocol());
            json.put("client", connection.client());
            json.put("backend", connection.backend());
            json.put("bytesUp", connection.bytesUp());
            json.put("bytesDown", connection.bytesDown());
            json.put("end", connection.end());
        }
        return json;
    }

    /** Reads what {@link #toJson} wrote; fields a newer proxy adds are ignored, missing ones are null. */
    public static JournalEntry fromJson(JsonNode json) {
        List<String> faults = new ArrayList<>();
        json.path("faults").forEach(id -> faults.add(id.asText()));
        List<Attempt> attempts = new ArrayList<>();
        for (JsonNode attempt : json.path("attempts")) {
            List<String> attemptFaults = new ArrayList<>();
            attempt.path("faults").forEach(id -> attemptFaults.add(id.asText()));
            attempts.add(new Attempt(text(attempt, "backend"), number(attempt, "status"), text(attempt, "error"),
                    attempt.path("durationMs").asLong(), attemptFaults));
        }
        if ("tcp".equals(text(json, "protocol"))) {
            ConnectionRecord connection = new ConnectionRecord("tcp", text(json, "client"), text(json, "backend"),
                    json.path("bytesUp").asLong(), json.path("bytesDown").asLong(), text(json, "end"));
            return new JournalEntry(text(json, "requestId"), text(json, "proxy"), faults, attempts,
                    json.path("durationMs").asLong(), instant(json, "startedAt"), text(json, "scenario"),
                    text(json, "error"), connection);
        }
        return new JournalEntry(text(json, "requestId"), text(json, "proxy"), text(json, "method"), text(json, "path"),
                number(json, "status"), faults, attempts, json.path("durationMs").asLong(), instant(json, "startedAt"),
                text(json, "scenario"), text(json, "error"), text(json, "traceId"), number(json, "grpcStatus"), null);
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer number(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asInt();
    }

    private static Instant instant(JsonNode json, String field) {
        String text = text(json, field);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null; // a newer proxy's format should not break an assertion on the other fields
        }
    }
}
