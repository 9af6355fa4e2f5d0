package io.chaosproxy.proxy.control;

import static io.chaosproxy.proxy.control.ControlFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.time.Duration;
import java.time.Instant;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalRoutesTest {
    @RegisterExtension
    static final ControlFixture fixture = ControlFixture.perClass();

    @Test
    void entriesCarryTheContractFieldsOldestFirst() {
        fixture.proxyGet("/first");
        fixture.proxyGet("/second");

        Reply reply = fixture.get("/requests");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json()).hasSize(2);
        JsonNode entry = reply.json().get(0);
        assertThat(entry.get("path").asText()).isEqualTo("/first");
        assertThat(entry.get("requestId").asText()).isNotBlank();
        assertThat(entry.get("proxy").asText()).isEqualTo("default");
        assertThat(entry.get("method").asText()).isEqualTo("GET");
        assertThat(entry.get("status").asInt()).isEqualTo(200);
        assertThat(entry.get("faults").isArray()).isTrue();
        JsonNode attempt = entry.get("attempts").get(0);
        assertThat(attempt.get("backend").asText()).isEqualTo(fixture.backend.url("/").toString());
        assertThat(attempt.get("status").asInt()).isEqualTo(200);
        assertThat(attempt.has("error")).isTrue();
        assertThat(attempt.has("durationMs")).isTrue();
        assertThat(entry.get("durationMs").isIntegralNumber()).isTrue();
        assertThat(Instant.parse(entry.get("startedAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(entry.has("scenario")).isTrue();
        assertThat(entry.has("error")).isTrue();
        assertThat(reply.json().get(1).get("path").asText()).isEqualTo("/second");
    }

    @Test
    void droppedExchangeHasNullStatus() throws Exception {
        fixture.post("/faults", json("{'type':'drop','match':{'path':'/drop'}}"));
        try {
            fixture.proxyGet("/drop");
        } catch (RuntimeException expected) {
            // the connection was reset: that is the fault
        }
        // the client may see the reset before the proxy has written the entry
        fixture.server.journal().await(JournalQuery.ALL.withPath("/drop"), 1, Duration.ofSeconds(5));

        JsonNode entries = fixture.get("/requests?path=/drop").json();

        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("status").isNull()).isTrue();
        assertThat(entries.get(0).get("faults").get(0).asText()).startsWith("f");
    }

    @Test
    void filtersNarrowTheEntries() {
        String id = fixture.post("/faults", json("{'type':'error','status':503,'match':{'path':'/orders/**'}}")).json().get("id").asText();
        fixture.proxyGet("/orders/1");
        fixture.proxyGet("/orders/2");
        fixture.proxyGet("/users/1");
        fixture.send(new Request.Builder().url(fixture.server.url().resolve("/users/2").toString())
                .post(RequestBody.create(new byte[0], null)).build());

        assertThat(fixture.get("/requests?status=503").json()).hasSize(2);
        assertThat(fixture.get("/requests?status=200").json()).hasSize(2);
        assertThat(fixture.get("/requests?method=POST").json()).hasSize(1);
        assertThat(fixture.get("/requests?method=post").json()).hasSize(1);
        assertThat(fixture.get("/requests?path=/orders/**").json()).hasSize(2);
        assertThat(fixture.get("/requests?path=/users/1").json()).hasSize(1);
        assertThat(fixture.get("/requests?fault=" + id).json()).hasSize(2);
        assertThat(fixture.get("/requests?proxy=default").json()).hasSize(4);
        assertThat(fixture.get("/requests?proxy=other").json()).isEmpty();
        JsonNode newest = fixture.get("/requests?limit=1").json();
        assertThat(newest).hasSize(1);
        assertThat(newest.get(0).get("path").asText()).isEqualTo("/users/2");
        assertThat(fixture.get("/requests?limit=0").json()).isEmpty();
        assertThat(fixture.get("/requests?status=200&method=GET&limit=5").json()).hasSize(1);
    }

    @Test
    void badFilterValuesAre400NamingTheFilter() {
        assertBadFilter("/requests?status=abc", "status");
        assertBadFilter("/requests?status=42", "status");
        assertBadFilter("/requests?limit=-1", "limit");
        assertBadFilter("/requests?limit=99999999999999", "limit");
        assertBadFilter("/requests?path=no-slash", "path");
        assertBadFilter("/requests?stauts=200", "stauts");
        assertBadFilter("/requests?limit=1&limit=2", "limit");
        assertBadFilter("/requests?path=%ZZ", "path");
        assertBadFilter("/requests?limit=%", "limit");
    }

    @Test
    void deleteClearsTheJournal() {
        fixture.proxyGet("/x");

        assertThat(fixture.delete("/requests").status()).isEqualTo(204);
        assertThat(fixture.get("/requests").json()).isEmpty();
    }

    private void assertBadFilter(String path, String field) {
        // built from a string that OkHttp sends as is, so broken escapes reach the server
        Reply reply = fixture.send(new Request.Builder()
                .url(okhttp3.HttpUrl.get(fixture.controlUrl().toString()).newBuilder()
                        .encodedPath(path.substring(0, path.indexOf('?')))
                        .encodedQuery(path.substring(path.indexOf('?') + 1)).build())
                .build());
        assertThat(reply.status()).as(path).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).as(path).isEqualTo(field);
    }
}
