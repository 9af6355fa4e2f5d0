package io.chaosproxy.proxy.control;

import static io.chaosproxy.proxy.control.ControlFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultRoutesTest {
    @RegisterExtension
    static final ControlFixture fixture = ControlFixture.perClass();

    @Test
    void postedRuleIsAnsweredWithItsIdFiredCountAndLocation() {
        Reply reply = fixture.post("/faults", json("{'name':'outage','type':'error','status':503}"));

        assertThat(reply.status()).isEqualTo(201);
        JsonNode rule = reply.json();
        assertThat(rule.get("id").asText()).isNotBlank();
        assertThat(rule.get("name").asText()).isEqualTo("outage");
        assertThat(rule.get("type").asText()).isEqualTo("error");
        assertThat(rule.get("status").asInt()).isEqualTo(503);
        assertThat(rule.get("fired").asLong()).isZero();
        assertThat(reply.header("Location")).isEqualTo("/faults/" + rule.get("id").asText());
        assertThat(reply.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void ruleInstalledThroughTheApiFiresOnTrafficUntilDeleted() {
        assertThat(fixture.proxyGet("/orders").status()).isEqualTo(200);
        String id = fixture.post("/faults", json("{'type':'error','status':503}")).json().get("id").asText();

        assertThat(fixture.proxyGet("/orders").status()).isEqualTo(503);
        assertThat(fixture.get("/faults/" + id).json().get("fired").asLong()).isEqualTo(1);

        assertThat(fixture.delete("/faults/" + id).status()).isEqualTo(204);
        assertThat(fixture.proxyGet("/orders").status()).isEqualTo(200);
        assertThat(fixture.get("/faults/" + id).status()).isEqualTo(404);
    }

    @Test
    void listShowsActiveRulesInInstallationOrder() {
        fixture.post("/faults", json("{'name':'a','type':'latency','delayMs':1}"));
        fixture.post("/faults", json("{'name':'b','type':'hang','match':{'path':'/never/**'}}"));

        Reply list = fixture.get("/faults");

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json()).hasSize(2);
        assertThat(list.json().get(0).get("name").asText()).isEqualTo("a");
        assertThat(list.json().get(1).get("name").asText()).isEqualTo("b");
    }

    @Test
    void deleteAllRemovesEveryRule() {
        fixture.post("/faults", json("{'type':'latency','delayMs':1}"));
        fixture.post("/faults", json("{'type':'latency','delayMs':2}"));

        assertThat(fixture.delete("/faults").status()).isEqualTo(204);
        assertThat(fixture.get("/faults").json()).isEmpty();
    }

    @Test
    void unknownIdIs404WithAnErrorBody() {
        Reply get = fixture.get("/faults/f999");
        Reply delete = fixture.delete("/faults/f999");

        assertThat(get.status()).isEqualTo(404);
        assertThat(get.json().get("error").asText()).contains("f999");
        assertThat(delete.status()).isEqualTo(404);
        assertThat(delete.json().has("error")).isTrue();
    }

    @Test
    void arrayInstallsEveryRule() {
        Reply reply = fixture.post("/faults", json("[{'type':'latency','delayMs':1},{'type':'error','status':500,'match':{'path':'/x'}}]"));

        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json()).hasSize(2);
        assertThat(reply.json().get(1).get("id").asText()).isNotBlank();
        assertThat(fixture.get("/faults").json()).hasSize(2);
    }

    @Test
    void arrayWithOneBadRuleInstallsNone() {
        Reply reply = fixture.post("/faults", json("[{'type':'latency','delayMs':1},{'type':'error','status':200}]"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo("[1].status");
        assertThat(fixture.get("/faults").json()).isEmpty();
    }

    @Test
    void takenNameIs409AndArraysStayAllOrNothing() {
        fixture.post("/faults", json("{'name':'slow','type':'latency','delayMs':1}"));

        Reply single = fixture.post("/faults", json("{'name':'slow','type':'latency','delayMs':2}"));
        Reply array = fixture.post("/faults", json("[{'name':'fresh','type':'latency'},{'name':'slow','type':'latency'}]"));

        assertThat(single.status()).isEqualTo(409);
        assertThat(single.json().get("field").asText()).isEqualTo("name");
        assertThat(array.status()).isEqualTo(409);
        assertThat(fixture.get("/faults").json()).hasSize(1);
    }

    @Test
    void ruleForAnUnknownProxyIsRefusedOnFieldProxy() {
        Reply reply = fixture.post("/faults", json("{'type':'error','proxy':'nope'}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo("proxy");
        assertThat(reply.json().get("error").asText()).contains("nope").contains("default");
        assertThat(fixture.get("/faults").json()).isEmpty();
    }

    @Test
    void ruleForAnExistingProxyIsAccepted() {
        assertThat(fixture.post("/faults", json("{'type':'error','proxy':'default'}")).status()).isEqualTo(201);
    }

    @Test
    void badFieldsAre400NamingTheField() {
        assertBadField("{'type':'error','status':700}", "status");
        assertBadField("{'type':'latency','delayMs':'slow'}", "delayMs");
        assertBadField("{'type':'latency','delayMs':-1}", "delayMs");
        assertBadField("{'type':'teleport'}", "type");
        assertBadField("{'status':503}", "type");
        assertBadField("{'type':'error','sttus':503}", "sttus");
        assertBadField("{'type':'error','probability':2}", "probability");
        assertBadField("{'type':'error','match':{'path':'no-slash'}}", "match.path");
        assertBadField("{'type':'error','id':'f1'}", "id");
        assertBadField("{'type':'latency','status':503}", "status");
    }

    @Test
    void malformedAndOddlyShapedBodiesAre400() {
        for (String body : new String[] {"{", "{'type':}", "nope", "42", "'error'", "null", "true", "{} {}",
                "{'type':'error','type':'latency'}", "[1]", "[[]]"}) {
            Reply reply = fixture.post("/faults", json(body));
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(reply.json().get("error").asText()).as(body).isNotBlank();
        }
        assertThat(fixture.get("/faults").json()).isEmpty();
    }

    @Test
    void emptyBodyIs400() {
        Reply reply = fixture.control("POST", "/faults", "", ControlFixture.JSON);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("error").asText()).contains("empty");
    }

    @Test
    void bodyWithoutContentTypeIsReadAsJson() {
        Reply reply = fixture.control("POST", "/faults", json("{'type':'latency','delayMs':1}"), null);

        assertThat(reply.status()).isEqualTo(201);
    }

    @Test
    void jsonWithCharsetParameterIsAccepted() {
        Reply reply = fixture.control("POST", "/faults", json("{'type':'latency'}"),
                okhttp3.MediaType.get("application/json; charset=utf-8"));

        assertThat(reply.status()).isEqualTo(201);
    }

    @Test
    void nonJsonContentTypeIs415() {
        Reply plain = fixture.control("POST", "/faults", json("{'type':'error'}"), okhttp3.MediaType.get("text/plain"));
        Reply form = fixture.control("POST", "/faults", "type=error", okhttp3.MediaType.get("application/x-www-form-urlencoded"));

        assertThat(plain.status()).isEqualTo(415);
        assertThat(plain.json().get("error").asText()).contains("application/json");
        assertThat(form.status()).isEqualTo(415);
        assertThat(fixture.get("/faults").json()).isEmpty();
    }

    private void assertBadField(String body, String field) {
        Reply reply = fixture.post("/faults", json(body));
        assertThat(reply.status()).as(body).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).as(body).isEqualTo(field);
        assertThat(reply.json().get("error").asText()).as(body).isNotBlank();
        assertThat(fixture.get("/faults").json()).as(body).isEmpty();
    }
}
