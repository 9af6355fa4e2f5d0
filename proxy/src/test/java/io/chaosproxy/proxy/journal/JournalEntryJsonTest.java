package io.chaosproxy.proxy.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalEntryJsonTest {
    static final JournalEntry DROPPED = new JournalEntry("req-1", "default", "GET", "/orders/7", null,
            List.of("f1", "f2"),
            List.of(new Attempt("http://127.0.0.1:9000", 503, null, 12), new Attempt("http://127.0.0.1:9001", null, "timeout", 30)),
            45, Instant.parse("2026-12-02T18:00:00.123Z"), "outage#0", "dropped: reset");

    @Test
    void anEntryIsWrittenWithTheContractsFieldNamesInOrder() {
        JsonNode json = JournalEntryJson.toJson(DROPPED);

        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("requestId", "traceId", "proxy", "method", "path", "status", "faults", "attempts",
                "durationMs", "startedAt", "scenario", "error");
        List<String> attemptNames = new ArrayList<>();
        json.get("attempts").get(0).fieldNames().forEachRemaining(attemptNames::add);
        assertThat(attemptNames).containsExactly("backend", "status", "error", "durationMs", "faults"); // faults: beyond the contract, last
        assertThat(json.get("status").isNull()).isTrue();
        assertThat(json.get("startedAt").asText()).isEqualTo("2026-12-02T18:00:00.123Z");
    }

    @Test
    void whatIsWrittenReadsBackAsTheSameEntryEvenThroughText() throws Exception {
        String text = JournalEntryJson.toJson(DROPPED).toString();

        assertThat(JournalEntryJson.fromJson(new ObjectMapper().readTree(text))).isEqualTo(DROPPED);
    }

    @Test
    void fieldsANewerProxyAddsAreIgnoredAndMissingOnesAreNull() throws Exception {
        JsonNode json = new ObjectMapper().readTree("{\"requestId\": \"r\", \"protocol\": \"tcp\", \"startedAt\": \"soon\"}");

        JournalEntry read = JournalEntryJson.fromJson(json);

        assertThat(read.requestId()).isEqualTo("r");
        assertThat(read.status()).isNull();
        assertThat(read.startedAt()).isNull();
        assertThat(read.attempts()).isEmpty();
    }
}
