package io.chaosproxy.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.proxy.ChaosProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class AccessLogLinesTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void everyJsonLineCarriesTheDocumentedFieldsWithRequestIdAndTraceId() throws Exception {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        try (MockWebServer backend = new MockWebServer()) {
            backend.enqueue(new MockResponse.Builder().code(201).body("made").build());
            backend.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            backend.start();
            OkHttpClient client = new OkHttpClient();
            try (ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString())
                    .accessLog(AccessLog.Format.JSON, new PrintStream(lines, true, StandardCharsets.UTF_8)).build().start()) {
                try (Response traced = client.newCall(new Request.Builder().url(proxy.url().resolve("/orders?x=1").toString())
                        .header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01")
                        .header("X-Request-Id", "order-1").build()).execute();
                     Response untraced = client.newCall(new Request.Builder().url(proxy.url().resolve("/b").toString()).build()).execute()) {
                    assertThat(traced.code()).isEqualTo(201);
                    assertThat(untraced.code()).isEqualTo(200);
                }
                proxy.journal().await(io.chaosproxy.proxy.journal.JournalQuery.ALL, 2, java.time.Duration.ofSeconds(5));
            } // closing writes what is queued
        }

        List<JsonNode> parsed = lines.toString(StandardCharsets.UTF_8).lines().map(AccessLogLinesTest::parse).toList();

        assertThat(parsed).hasSize(2);
        for (JsonNode line : parsed) {
            assertThat(line.fieldNames()).toIterable().containsExactly("requestId", "traceId", "proxy", "method", "path",
                    "status", "faults", "attempts", "durationMs", "startedAt", "scenario", "error", "query");
            assertThat(line.get("traceId").asText()).matches("[0-9a-f]{32}");
            assertThat(line.get("requestId").asText()).isNotEmpty();
        }
        JsonNode traced = parsed.stream().filter(l -> l.get("path").asText().equals("/orders")).findFirst().orElseThrow();
        assertThat(traced.get("traceId").asText()).isEqualTo(TRACE_ID);
        assertThat(traced.get("requestId").asText()).isEqualTo("order-1");
        assertThat(traced.get("query").asText()).isEqualTo("x=1");
        assertThat(traced.get("status").asInt()).isEqualTo(201);
        assertThat(traced.get("attempts").get(0).get("status").asInt()).isEqualTo(201);
    }

    private static JsonNode parse(String line) {
        try {
            return new ObjectMapper().readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }
}
