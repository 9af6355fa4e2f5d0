package io.chaosproxy.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalEntryJson;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogJsonTest {
    @Test
    void aJsonLineIsTheJournalEntryOfGetRequestsPlusTheQuery() throws Exception {
        JournalEntry entry = new JournalEntry("req-\"1\"", "default", "POST", "/pay", 201, List.of("f1"),
                List.of(new Attempt("http://127.0.0.1:9000", 201, null, 3)), 4, Instant.parse("2026-12-02T18:00:00Z"),
                null, null);

        String line = AccessLog.json(entry, "a=1&b=%22");

        ObjectNode expected = JournalEntryJson.toJson(entry);
        expected.put("query", "a=1&b=%22");
        assertThat(line).isEqualTo(expected.toString());
        JsonNode parsed = new ObjectMapper().readTree(line);
        assertThat(parsed.get("requestId").asText()).isEqualTo("req-\"1\"");
    }
}
