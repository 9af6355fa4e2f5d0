package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FaultRuleJsonTest {

    static List<FaultRule> rules() {
        return List.of(
                FaultRule.builder(new Latency(200, 50)).name("slow-orders").proxy("default")
                        .methods("GET").path("/orders/**").header("X-Tenant", "a")
                        .probability(0.5).times(3).after(5).durationMs(30_000).target(Target.UPSTREAM).build(),
                FaultRule.builder(new ErrorResponse(429, "slow down", Map.of("Retry-After", "1")))
                        .ratePerSecond(10).build(),
                FaultRule.builder(new Drop(DropPoint.MID_BODY, 1024, DropMode.CLOSE)).build(),
                FaultRule.builder(new Drop(DropPoint.AFTER_HEADERS, 0, DropMode.RESET)).build(),
                FaultRule.builder(new Bandwidth(2048)).build(),
                FaultRule.builder(new Hang()).build());
    }

    @ParameterizedTest
    @MethodSource("rules")
    void whatIsWrittenReadsBackEqual(FaultRule rule) {
        assertThat(FaultRuleParser.parse(FaultRuleJson.toJson(rule))).isEqualTo(rule);
    }

    @Test
    void writesEveryContractFieldWithWireNames() {
        ObjectNode json = FaultRuleJson.toJson(rules().get(0).withId("f7"));

        assertThat(json.toString()).isEqualTo("{\"id\":\"f7\",\"name\":\"slow-orders\",\"type\":\"latency\","
                + "\"proxy\":\"default\",\"match\":{\"methods\":[\"GET\"],\"path\":\"/orders/**\","
                + "\"headers\":{\"X-Tenant\":\"a\"}},\"probability\":0.5,\"times\":3,\"after\":5,"
                + "\"durationMs\":30000,\"target\":\"upstream\",\"delayMs\":200,\"jitterMs\":50}");
    }

    @Test
    void omitsWhatIsNotSet() {
        ObjectNode json = FaultRuleJson.toJson(FaultRule.builder(new Hang()).build());

        assertThat(json.toString()).isEqualTo(
                "{\"type\":\"hang\",\"match\":{},\"probability\":1.0,\"after\":0,\"target\":\"client\"}");
    }

    @Test
    void afterBytesIsWrittenOnlyMidBody() {
        assertThat(FaultRuleJson.toJson(FaultRule.builder(new Drop()).build()).has("afterBytes")).isFalse();
        assertThat(FaultRuleJson.toJson(rules().get(2)).get("afterBytes").asLong()).isEqualTo(1024);
        assertThat(FaultRuleJson.toJson(rules().get(2)).get("when").asText()).isEqualTo("mid-body");
    }
}
