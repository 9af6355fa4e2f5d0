package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.bandwidth;
import static io.chaosproxy.junit.Faults.drop;
import static io.chaosproxy.junit.Faults.error;
import static io.chaosproxy.junit.Faults.grpcError;
import static io.chaosproxy.junit.Faults.hang;
import static io.chaosproxy.junit.Faults.latency;
import static io.chaosproxy.junit.Faults.refuse;
import static io.chaosproxy.junit.Faults.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.Direction;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultRuleJson;
import io.chaosproxy.faults.FaultRuleParser;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Target;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fluent fault API builds exactly the rules the JSON would, and lets FaultRule do the checking. */
class FaultsTest {

    @Test
    void everyCommonFieldHasAMethod() {
        FaultRule rule = latency(Duration.ofMillis(300)).jitter(Duration.ofMillis(50))
                .named("slow-orders")
                .onProxy("payments")
                .onMethods("get", "HEAD")
                .onPath("/orders/**")
                .withHeader("X-Tenant", "a")
                .probability(0.5)
                .times(3)
                .after(5)
                .lasting(Duration.ofSeconds(30))
                .upstream()
                .ratePerSecond(10)
                .toRule();

        assertThat(rule.name()).isEqualTo("slow-orders");
        assertThat(rule.proxy()).isEqualTo("payments");
        assertThat(rule.match().methods()).containsExactly("GET", "HEAD");
        assertThat(rule.match().path().pattern()).isEqualTo("/orders/**");
        assertThat(rule.match().headers()).isEqualTo(Map.of("X-Tenant", "a"));
        assertThat(rule.probability()).isEqualTo(0.5);
        assertThat(rule.times()).isEqualTo(3);
        assertThat(rule.after()).isEqualTo(5);
        assertThat(rule.durationMs()).isEqualTo(30_000);
        assertThat(rule.target()).isEqualTo(Target.UPSTREAM);
        assertThat(rule.ratePerSecond()).isEqualTo(10);
        assertThat(rule.fault()).isEqualTo(new Latency(300, 50));
    }

    @Test
    void theConnectionFaultsHaveFluentForms() {
        assertThat(hang().midBody(1024).toRule().fault()).isEqualTo(io.chaosproxy.faults.Hang.midBody(1024));
        assertThat(drop().afterBackend().close().toRule().fault()).isEqualTo(new io.chaosproxy.faults.Drop(
                io.chaosproxy.faults.DropPoint.AFTER_BACKEND, 0, io.chaosproxy.faults.DropMode.CLOSE));
        assertThat(latency(Duration.ofMillis(300)).afterBackend().toRule().fault())
                .isEqualTo(new Latency(300).at(io.chaosproxy.faults.LatencyPoint.AFTER_BACKEND));
        assertThat(latency(Duration.ofMillis(200)).lognormal(Duration.ofMillis(800)).toRule())
                .isEqualTo(FaultRuleParser.parse(
                        "{\"type\": \"latency\", \"delayMs\": 200, \"distribution\": \"lognormal\", \"p99Ms\": 800}"));
        assertThatThrownBy(() -> latency(Duration.ofMillis(200)).lognormal(Duration.ofMillis(100)).toRule())
                .isInstanceOf(FaultSpecException.class).hasMessageStartingWith("p99Ms must be greater than delayMs");
    }

    @Test
    void theTcpFormsAreTheSameRulesAsTheirJson() {
        assertThat(latency(Duration.ofMillis(50)).direction(Direction.UPSTREAM).onProxy("db").toRule())
                .isEqualTo(FaultRuleParser.parse("{\"type\": \"latency\", \"delayMs\": 50, \"direction\": \"upstream\", \"proxy\": \"db\"}"));
        assertThat(bandwidth(4096).direction(Direction.BOTH).toRule())
                .isEqualTo(FaultRuleParser.parse("{\"type\": \"bandwidth\", \"bytesPerSecond\": 4096, \"direction\": \"both\"}"));
        assertThat(drop().afterBytes(10).close().direction(Direction.UPSTREAM).toRule()).isEqualTo(FaultRuleParser.parse(
                "{\"type\": \"drop\", \"when\": \"after-bytes\", \"afterBytes\": 10, \"mode\": \"close\", \"direction\": \"upstream\"}"));
        assertThat(drop().atConnect().toRule()).isEqualTo(FaultRuleParser.parse("{\"type\": \"drop\", \"when\": \"connect\"}"));
        assertThat(hang().midBody(3).direction(Direction.UPSTREAM).toRule())
                .isEqualTo(FaultRuleParser.parse("{\"type\": \"hang\", \"afterBytes\": 3, \"direction\": \"upstream\"}"));
        assertThat(slice(2).pause(Duration.ofMillis(5)).direction(Direction.BOTH).toRule()).isEqualTo(FaultRuleParser.parse(
                "{\"type\": \"slice\", \"sliceBytes\": 2, \"sliceDelayMs\": 5, \"direction\": \"both\"}"));
        assertThat(refuse().onProxy("db").lasting(Duration.ofSeconds(2)).toRule())
                .isEqualTo(FaultRuleParser.parse("{\"type\": \"refuse\", \"proxy\": \"db\", \"durationMs\": 2000}"));
        assertThat(latency(Duration.ofMillis(50)).toRule().fault()).as("downstream unless asked")
                .isEqualTo(FaultRuleParser.parse("{\"type\": \"latency\", \"delayMs\": 50, \"direction\": \"downstream\"}").fault());
    }

    @Test
    void grpcErrorIsTheSameRuleAsItsJsonAndRefusesABody() {
        FaultRule rule = grpcError(14, "payments down").onPath("/pkg.Payments/**").toRule();

        assertThat(rule).isEqualTo(FaultRuleParser.parse(
                "{\"type\": \"error\", \"grpcStatus\": 14, \"grpcMessage\": \"payments down\", \"match\": {\"path\": \"/pkg.Payments/**\"}}"));
        assertThat(((ErrorResponse) rule.fault()).isGrpc()).isTrue();
        assertThatThrownBy(() -> grpcError(14, null).body("no place for it").toRule())
                .hasMessageContaining("body does not apply with grpcStatus");
    }

    @Test
    void theDefaultsAreTheContractsDefaults() {
        FaultRule rule = hang().toRule();

        assertThat(rule).isEqualTo(FaultRuleParser.parse("{\"type\": \"hang\"}"));
        assertThat(rule.target()).isEqualTo(Target.CLIENT);
        assertThat(rule.fault()).isEqualTo(new Hang());
    }

    @Test
    void eachKindHasItsOwnParameters() {
        assertThat(error(503).body("busy").header("Retry-After", "1").toRule().fault())
                .isEqualTo(new ErrorResponse(503, "busy", Map.of("Retry-After", "1")));
        assertThat(drop().toRule().fault()).isEqualTo(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET));
        assertThat(drop().afterHeaders().close().toRule().fault()).isEqualTo(new Drop(DropPoint.AFTER_HEADERS, 0, DropMode.CLOSE));
        assertThat(drop().midBody(1024).toRule().fault()).isEqualTo(new Drop(DropPoint.MID_BODY, 1024, DropMode.RESET));
        assertThat(drop().close().reset().beforeResponse().toRule().fault()).isEqualTo(new Drop());
        assertThat(bandwidth(1024).toRule().fault()).isEqualTo(new Bandwidth(1024));
    }

    @Test
    void aSpecReadsBackFromItsJsonToTheSameRule() {
        FaultRule rule = error(429).header("Retry-After", "2").onMethods("POST").onPath("/api/*").times(2).toRule();

        assertThat(FaultRuleParser.parse(FaultRuleJson.toJson(rule))).isEqualTo(rule);
    }

    @Test
    void specsAreValuesSoOneCanBeTheBaseOfSeveral() {
        LatencyFault slow = latency(Duration.ofMillis(300));

        FaultRule orders = slow.onPath("/orders/**").toRule();
        FaultRule payments = slow.onPath("/payments/**").onMethods("POST").toRule();

        assertThat(orders.match().path().pattern()).isEqualTo("/orders/**");
        assertThat(orders.match().methods()).isEmpty();
        assertThat(payments.match().methods()).isEqualTo(Set.of("POST"));
        assertThat(slow.toRule().match().path()).isNull();
    }

    @Test
    void badValuesAreRefusedWithTheRuleModelsOwnMessage() {
        assertThatThrownBy(() -> latency(Duration.ofMillis(10)).probability(1.5).toRule())
                .isInstanceOf(FaultSpecException.class)
                .hasMessage("probability must be between 0 and 1");
        assertThatThrownBy(() -> error(200).toRule())
                .isInstanceOf(FaultSpecException.class)
                .hasMessage("status must be 400-599");
        assertThatThrownBy(() -> error(503).onPath("orders").toRule())
                .isInstanceOf(FaultSpecException.class)
                .hasMessageContaining("match.path must start with '/'");
        assertThatThrownBy(() -> hang().times(0).toRule())
                .isInstanceOf(FaultSpecException.class)
                .extracting(e -> ((FaultSpecException) e).field()).isEqualTo("times");
    }

    @Test
    void toStringShowsTheRuleAsJson() {
        assertThat(error(503).times(3)).hasToString(
                "{\"type\":\"error\",\"match\":{},\"probability\":1.0,\"times\":3,\"after\":0,\"target\":\"client\","
                        + "\"status\":503,\"body\":\"\",\"headers\":{}}");
    }
}
