package io.chaosproxy.proxy.control;

import static io.chaosproxy.proxy.control.ControlFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultRuleParser;
import io.chaosproxy.proxy.config.ConfigFile;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connection, TCP and gRPC fields of a fault rule: the same JSON is taken by {@code POST /faults},
 * a config file and a scenario document, and reported back as it was sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NewFaultFieldsRoutesTest {
    @RegisterExtension
    static final ControlFixture fixture = ControlFixture.perClass();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
        "{'type':'hang','when':'mid-body','afterBytes':1024,'match':{'path':'/never/**'}}",
        "{'type':'drop','when':'after-backend','mode':'close','match':{'path':'/never/**'}}",
        "{'type':'latency','when':'after-backend','delayMs':300,'match':{'path':'/never/**'}}",
        "{'type':'latency','distribution':'lognormal','delayMs':200,'p99Ms':800,'match':{'path':'/never/**'}}",
        "{'type':'error','grpcStatus':14,'grpcMessage':'unavailable','match':{'path':'/never/**'}}",
        "{'type':'slice','sliceBytes':4,'sliceDelayMs':2,'direction':'both'}",
        "{'type':'drop','when':'after-bytes','afterBytes':64,'direction':'upstream'}",
        "{'type':'refuse','name':'down','durationMs':60000}"
    })
    void theSameRuleJsonIsTakenByTheApiAConfigFileAndAScenario(String singleQuoted) throws Exception {
        String rule = json(singleQuoted);
        FaultRule expected = FaultRuleParser.parse(rule);

        Reply posted = fixture.post("/faults", rule);
        assertThat(posted.status()).as(posted.body()).isEqualTo(201);
        JsonNode reported = fixture.get("/faults/" + posted.json().get("id").asText()).json();
        assertThat(FaultRuleParser.parseReported(reported).withId(null).withName(expected.name()))
                .isEqualTo(expected);

        fixture.delete("/faults"); // frees the name for the scenario's copy

        ConfigFile config = ConfigFile.parse("{\"faults\": [" + rule + "]}", "chaos.json", dir);
        assertThat(config.faults()).containsExactly(expected);

        Reply scenario = fixture.post("/scenarios",
                "{\"name\": \"s\", \"phases\": [{\"duration\": \"5s\", \"faults\": [" + rule + "]}]}");
        assertThat(scenario.status()).as(scenario.body()).isEqualTo(201);
    }

    @Test
    void aRefuseRuleWithAProbabilityIsA400NamingThatKey() {
        Reply reply = fixture.post("/faults", json("{'type':'refuse','probability':0.5}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo("probability");
        assertThat(reply.json().get("error").asText()).startsWith("probability does not apply to type refuse");
        assertThat(fixture.get("/faults").json()).isEmpty();
    }

    @Test
    void aLognormalLatencyWithoutP99IsA400NamingP99Ms() {
        Reply reply = fixture.post("/faults", json("{'type':'latency','distribution':'lognormal','delayMs':200}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo("p99Ms");
    }

    @Test
    void aMisspeltNewFieldIsA400WithASuggestion() {
        Reply reply = fixture.post("/faults", json("{'type':'hang','when':'mid-body','afterbytes':10}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo("afterbytes");
        assertThat(reply.json().get("error").asText()).contains("did you mean \"afterBytes\"");
    }
}
