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
                FaultRule.builder(new Hang()).build(),
                FaultRule.builder(Hang.midBody(512)).build(),
                FaultRule.builder(new Hang(HangPoint.MID_BODY, 0, Direction.UPSTREAM)).build(),
                FaultRule.builder(new Refuse()).name("down").proxy("pg").durationMs(5000).build(),
                FaultRule.builder(new Refuse()).build(),
                FaultRule.builder(new Slice(4, 10, Direction.BOTH)).proxy("pg").build(),
                FaultRule.builder(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.CLOSE)).methods("POST").build(),
                FaultRule.builder(new Drop(DropPoint.CONNECT, 0, DropMode.RESET)).build(),
                FaultRule.builder(new Drop(DropPoint.AFTER_BYTES, 64, DropMode.RESET, Direction.UPSTREAM)).build(),
                FaultRule.builder(new Latency(300).at(LatencyPoint.AFTER_BACKEND)).build(),
                FaultRule.builder(Latency.lognormal(200, 800)).probability(0.2).build(),
                FaultRule.builder(new Latency(5, 2, LatencyDistribution.UNIFORM, 0, LatencyPoint.BEFORE_RESPONSE,
                        Direction.UPSTREAM)).build(),
                FaultRule.builder(new Bandwidth(100, Direction.BOTH)).build(),
                FaultRule.builder(ErrorResponse.grpc(14, "unavailable")).build(),
                FaultRule.builder(new ErrorResponse(200, "", Map.of("x-b", "2"), 0, null)).build());
    }

    @ParameterizedTest
    @MethodSource("rules")
    void whatTheControlApiReportsReadsBackEqual(FaultRule rule) {
        InstalledRule installed = new FaultEngine(1, new TestClock()).install(rule, "api");

        assertThat(FaultRuleParser.parseReported(installed.toJson())).isEqualTo(installed.rule());
    }

    @Test
    void aRefuseRuleIsWrittenWithOnlyTheFieldsItTakes() {
        ObjectNode json = FaultRuleJson.toJson(FaultRule.builder(new Refuse()).name("down").durationMs(5000).build());

        assertThat(json.toString()).isEqualTo("{\"name\":\"down\",\"type\":\"refuse\",\"durationMs\":5000}");
    }

    @Test
    void newFieldsAreWrittenWithTheirWireNames() {
        assertThat(FaultRuleJson.toJson(FaultRule.builder(Latency.lognormal(200, 800)).build()).toString())
                .endsWith("\"delayMs\":200,\"distribution\":\"lognormal\",\"p99Ms\":800}");
        assertThat(FaultRuleJson.toJson(FaultRule.builder(Hang.midBody(7)).build()).toString())
                .endsWith("\"when\":\"mid-body\",\"afterBytes\":7}");
        assertThat(FaultRuleJson.toJson(FaultRule.builder(ErrorResponse.grpc(5, "gone")).build()).toString())
                .endsWith("\"grpcStatus\":5,\"grpcMessage\":\"gone\",\"headers\":{}}");
        assertThat(FaultRuleJson.toJson(FaultRule.builder(new Slice(1)).build()).toString())
                .endsWith("\"sliceBytes\":1,\"sliceDelayMs\":0}");
        assertThat(FaultRuleJson.toJson(FaultRule.builder(new Latency(9).at(LatencyPoint.AFTER_BACKEND)).build())
                .toString()).endsWith("\"delayMs\":9,\"jitterMs\":0,\"when\":\"after-backend\"}");
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
