package io.chaosproxy.proxy.control;

import static io.chaosproxy.proxy.control.ControlFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import okhttp3.MediaType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScenarioRoutesTest {
    @RegisterExtension
    static final ControlFixture fixture = ControlFixture.perClass();

    @Test
    void catalogListsTheBuiltInsAndNothingRunning() {
        Reply reply = fixture.get("/scenarios");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode catalog = reply.json().get("catalog");
        assertThat(catalog.findValuesAsText("name")).contains("flaky", "slow", "outage", "outage-then-recovery",
                "brownout", "slow-body", "black-hole");
        assertThat(catalog.get(0).get("phases").isArray()).isTrue();
        assertThat(reply.json().get("running").isNull()).isTrue();
    }

    @Test
    void startingABuiltInByNameRunsItsFaults() {
        Reply reply = fixture.post("/scenarios", json("{'name':'black-hole'}"));

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.header("Location")).isEqualTo("/scenarios/running");
        JsonNode running = reply.json();
        assertThat(running.get("name").asText()).isEqualTo("black-hole");
        assertThat(running.get("phase").asInt()).isZero();
        assertThat(running.get("phaseTimeLeftMs").asLong()).isPositive();
        assertThat(fixture.get("/faults").json().get(0).get("type").asText()).isEqualTo("hang");
        assertThat(fixture.get("/scenarios").json().get("running").get("name").asText()).isEqualTo("black-hole");
        assertThat(fixture.get("/scenarios/running").json().get("name").asText()).isEqualTo("black-hole");
        assertThat(fixture.get("/status").json().get("scenario").get("name").asText()).isEqualTo("black-hole");
    }

    @Test
    void stoppingRemovesTheScenarioAndItsFaults() {
        fixture.post("/scenarios", json("{'name':'flaky'}"));

        assertThat(fixture.delete("/scenarios/running").status()).isEqualTo(204);

        assertThat(fixture.get("/faults").json()).isEmpty();
        assertThat(fixture.get("/scenarios").json().get("running").isNull()).isTrue();
        assertThat(fixture.delete("/scenarios/running").status()).isEqualTo(404);
        assertThat(fixture.get("/scenarios/running").status()).isEqualTo(404);
    }

    @Test
    void aWholeDocumentRunsAndItsFaultsFire() {
        Reply reply = fixture.post("/scenarios", json("{'name':'mine','phases':[{'duration':'5s',"
                + "'faults':[{'type':'error','status':418}]},{'duration':'5s','faults':[]}]}"));

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().get("phases").asInt()).isEqualTo(2);
        assertThat(fixture.proxyGet("/tea").status()).isEqualTo(418);
    }

    @Test
    void aYamlDocumentIsReadWithAYamlContentType() {
        String yaml = "name: yaml-one\nphases:\n  - duration: 5s\n    faults: [{type: error, status: 503}]\n";

        Reply reply = fixture.control("POST", "/scenarios", yaml, MediaType.get("application/yaml"));

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().get("name").asText()).isEqualTo("yaml-one");
        assertThat(fixture.proxyGet("/x").status()).isEqualTo(503);
    }

    @Test
    void startingAnotherReplacesTheRunningOne() {
        fixture.post("/scenarios", json("{'name':'flaky'}"));
        fixture.post("/scenarios", json("{'name':'black-hole'}"));

        assertThat(fixture.get("/scenarios/running").json().get("name").asText()).isEqualTo("black-hole");
        assertThat(fixture.get("/faults").json()).hasSize(1);
    }

    @Test
    void unknownBuiltInIs400ListingTheKnownNames() {
        Reply reply = fixture.post("/scenarios", json("{'name':'meteor'}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo("name");
        assertThat(reply.json().get("error").asText()).contains("meteor").contains("outage-then-recovery");
    }

    @Test
    void badDocumentsAre400NamingTheField() {
        assertBadField("{'name':'x','phases':[]}", "phases");
        assertBadField("{'name':'x','phases':[{'duration':'soon','faults':[]}]}", "phases[0].duration");
        assertBadField("{'name':'x','phases':[{'duration':'1s','faults':[{'type':'error','status':99}]}]}",
                "phases[0].faults[0].status");
        assertBadField("{'name':'x','phases':[{'duration':'1s','faults':[{'type':'error','proxy':'ghost'}]}]}",
                "phases[0].faults[0].proxy");
        assertBadField("{'name':'x','phases':[{'duration':'1s'}],'colour':'red'}", "colour");
        assertBadField("{'name':7}", "name");
        assertThat(fixture.post("/scenarios", "[]").status()).isEqualTo(400);
        assertThat(fixture.control("POST", "/scenarios", "name: [", MediaType.get("text/yaml")).status()).isEqualTo(400);
        assertThat(fixture.control("POST", "/scenarios", "name: x", MediaType.get("text/plain")).status()).isEqualTo(415);
        assertThat(fixture.get("/scenarios").json().get("running").isNull()).isTrue();
    }

    private void assertBadField(String body, String field) {
        Reply reply = fixture.post("/scenarios", json(body));
        assertThat(reply.status()).as(body).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).as(body).isEqualTo(field);
        assertThat(reply.json().get("error").asText()).as(body).isNotBlank();
    }
}
