package io.chaosproxy.proxy.control;

import static io.chaosproxy.proxy.control.ControlFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerRoutesTest {
    @RegisterExtension
    static final ControlFixture fixture = ControlFixture.perClass();

    @Test
    void healthIsUp() {
        Reply reply = fixture.get("/health");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("status").asText()).isEqualTo("UP");
    }

    @Test
    void controlUrlHasTheRealPort() {
        assertThat(fixture.controlUrl().getPort()).isPositive();
        assertThat(fixture.controlUrl().toString()).startsWith("http://127.0.0.1:").endsWith("/");
    }

    @Test
    void statusShowsSeedProxiesFaultsJournalAndCounters() {
        fixture.proxyGet("/a");
        fixture.post("/faults", json("{'name':'slow','type':'latency','delayMs':1}"));

        JsonNode status = fixture.get("/status").json();

        assertThat(status.get("seed").asLong()).isEqualTo(42);
        assertThat(status.get("uptimeMs").asLong()).isNotNegative();
        JsonNode proxy = status.get("proxies").get(0);
        assertThat(proxy.get("name").asText()).isEqualTo("default");
        assertThat(proxy.get("upstreams")).hasSize(1);
        JsonNode backend = proxy.get("backends").get(0);
        assertThat(backend.get("url").asText()).isEqualTo(fixture.backend.url("/").toString());
        assertThat(backend.get("breaker").asText()).isEqualTo("CLOSED");
        assertThat(backend.get("consecutiveFailures").asInt()).isZero();
        assertThat(backend.has("openings")).isTrue();
        assertThat(status.get("faults").get(0).get("name").asText()).isEqualTo("slow");
        assertThat(status.get("scenario").isNull()).isTrue();
        assertThat(status.get("journal").get("size").asLong()).isEqualTo(1);
        assertThat(status.get("journal").get("capacity").asInt()).isPositive();
        assertThat(status.get("counters").get("requests").asLong()).isPositive();
        assertThat(status.get("counters").get("byStatusClass").get("2xx").asLong()).isPositive();
        assertThat(status.get("resilience").get("maxAttempts").asInt()).isEqualTo(3);
    }

    @Test
    void resetRemovesFaultsAndClearsTheJournal() {
        fixture.post("/faults", json("{'type':'error','status':500}"));
        fixture.proxyGet("/a");

        assertThat(fixture.control("POST", "/reset", null, null).status()).isEqualTo(204);

        assertThat(fixture.get("/faults").json()).isEmpty();
        assertThat(fixture.get("/requests").json()).isEmpty();
        assertThat(fixture.proxyGet("/a").status()).isEqualTo(200);
    }

    @Test
    void resetWithASeedStartsAfreshUnderThatSeed() {
        fixture.post("/faults", json("{'type':'error','status':500}"));

        assertThat(fixture.control("POST", "/reset?seed=7", null, null).status()).isEqualTo(204);

        assertThat(fixture.get("/status").json().get("seed").asLong()).isEqualTo(7);
        assertThat(fixture.post("/faults", json("{'type':'error','status':500}")).json().get("id").asText()).isEqualTo("f1");
        Reply bad = fixture.control("POST", "/reset?seed=seven", null, null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("seed");
        assertThat(bad.json().get("error").asText()).contains("seed must be a whole number, got 'seven'");
    }

    @Test
    void metricsAreThePrometheusTextFormatWithTheCounters() {
        fixture.post("/faults", json("{'name':'boom','type':'error','status':503,'match':{'path':'/boom'}}"));
        fixture.proxyGet("/ok");
        fixture.proxyGet("/boom");

        Reply reply = fixture.get("/metrics");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        assertThat(reply.body())
                .contains("chaosproxy_requests_total{proxy=\"default\",status=\"200\"}")
                .contains("chaosproxy_requests_total{proxy=\"default\",status=\"503\"}")
                .contains("chaosproxy_faults_fired_total{rule=\"boom\",type=\"error\"} 1")
                .contains("chaosproxy_exchange_seconds_bucket{proxy=\"default\"")
                .contains("chaosproxy_breaker_state{backend=\"" + fixture.backend.url("/") + "\",proxy=\"default\"} 0")
                .contains("chaosproxy_faults_active 1");
    }

    @Test
    void unknownPathIsA404InTheErrorShape() {
        Reply reply = fixture.get("/nothing/here");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(reply.json().get("error").asText()).contains("/nothing/here");
        assertThat(reply.json().has("field")).isTrue();
    }

    @Test
    void wrongMethodOnAKnownPathIsA405InTheErrorShape() {
        Reply reply = fixture.control("PATCH", "/faults", "{}", ControlFixture.JSON);

        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.json().get("error").asText()).contains("PATCH");
        assertThat(reply.header("Allow")).contains("GET").contains("POST");
    }

    @Test
    void oversizedBodyWithContentLengthIs413() {
        byte[] big = new byte[Json.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');

        Reply reply = fixture.control("POST", "/faults", okhttp3.RequestBody.create(big, ControlFixture.JSON));

        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.json().get("error").asText()).contains("1 MiB");
        assertThat(fixture.get("/faults").json()).isEmpty();
    }

    @Test
    void oversizedChunkedBodyIs413() {
        okhttp3.RequestBody chunked = new okhttp3.RequestBody() {
            @Override
            public okhttp3.MediaType contentType() {
                return ControlFixture.JSON;
            }

            @Override
            public long contentLength() {
                return -1; // unknown: sent chunked, so only counting the bytes can catch it
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
                sink.writeUtf8("[");
                for (int i = 0; i < 60_000; i++) { // 19 bytes each: about 1.1 MB
                    sink.writeUtf8("{\"type\":\"latency\"},");
                }
                sink.writeUtf8("{\"type\":\"latency\"}]");
            }
        };

        Reply reply = fixture.control("POST", "/faults", chunked);

        assertThat(reply.status()).isEqualTo(413);
        assertThat(fixture.get("/faults").json()).isEmpty();
    }

    @Test
    void bodyJustUnderTheLimitIsRead() {
        StringBuilder body = new StringBuilder("{\"type\":\"latency\",\"name\":\"padded\"");
        body.append(" ".repeat(Json.MAX_BODY_BYTES - body.length() - 1)).append('}');

        assertThat(fixture.post("/faults", body.toString()).status()).isEqualTo(201);
    }
}
