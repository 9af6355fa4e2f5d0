package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultRuleBuilderTest {

    @Test
    void defaultsAreThoseOfTheParser() {
        assertThat(FaultRule.builder(new Hang()).build()).isEqualTo(FaultRuleParser.parse("{\"type\": \"hang\"}"));
    }

    @Test
    void buildsEveryField() {
        FaultRule rule = FaultRule.builder(new Latency(10)).name("n").proxy("p")
                .methods("get").path("/a/*").header("X-A", "1")
                .probability(0.3).times(2).after(4).duration(Duration.ofSeconds(3))
                .target(Target.UPSTREAM).ratePerSecond(7).build();

        assertThat(rule).isEqualTo(new FaultRule(null, "n", "p",
                new Match(Set.of("GET"), PathGlob.compile("/a/*"), Map.of("X-A", "1")),
                0.3, 2, 4, 3000L, Target.UPSTREAM, new Latency(10), 7L));
    }

    @Test
    void conditionsAddToAGivenMatch() {
        FaultRule rule = FaultRule.builder(new Hang())
                .match(new Match(Set.of("GET"), null, Map.of())).path("/x").build();

        assertThat(rule.match()).isEqualTo(new Match(Set.of("GET"), PathGlob.compile("/x"), Map.of()));
    }

    @Test
    void validatesWithTheParsersMessages() {
        assertThatThrownBy(() -> FaultRule.builder(new Hang()).probability(2).build())
                .isInstanceOf(FaultSpecException.class).hasMessage("probability must be between 0 and 1");
        assertThatThrownBy(() -> FaultRule.builder(new Hang()).times(0).build())
                .hasMessage("times must be >= 1");
        assertThatThrownBy(() -> FaultRule.builder(new Hang()).after(-1).build())
                .hasMessage("after must be >= 0");
        assertThatThrownBy(() -> FaultRule.builder(new Hang()).durationMs(0).build())
                .hasMessage("durationMs must be > 0");
        assertThatThrownBy(() -> FaultRule.builder(new Hang()).name("a b").build())
                .hasMessage("name must be 1-100 characters of letters, digits, '.', '_' or '-'");
        assertThatThrownBy(() -> FaultRule.builder(new Hang()).proxy(" ").build())
                .hasMessage("proxy must be a non-empty string");
        assertThatThrownBy(() -> FaultRule.builder(new Hang()).path("x"))
                .hasMessage("match.path must start with '/', e.g. /orders/**");
        assertThatThrownBy(() -> FaultRule.builder(new Hang()).ratePerSecond(0).build())
                .hasMessage("ratePerSecond must be > 0");
    }

    @Test
    void faultRecordsValidateThemselves() {
        assertThatThrownBy(() -> new Latency(-1)).hasMessage("delayMs must be >= 0");
        assertThatThrownBy(() -> new ErrorResponse(200)).hasMessage("status must be 400-599");
        assertThatThrownBy(() -> new Bandwidth(0)).hasMessage("bytesPerSecond must be > 0");
        assertThatThrownBy(() -> new Drop(DropPoint.BEFORE_RESPONSE, 5, DropMode.RESET))
                .hasMessage("afterBytes only applies when \"when\" is mid-body or after-bytes");
    }

    @Test
    void aRuleWithoutAFaultIsRefused() {
        assertThatThrownBy(() -> FaultRule.builder(null).build())
                .isInstanceOf(FaultSpecException.class)
                .hasMessage("type is required (one of latency, error, drop, bandwidth, hang, refuse, slice)");
    }

    @Test
    void faultRecordsFillTheirDefaultsAndCopyTheirMaps() {
        Map<String, String> headers = new java.util.HashMap<>(Map.of("X-A", "1"));
        ErrorResponse error = new ErrorResponse(500, null, headers);
        headers.put("X-B", "2");

        assertThat(error.body()).isEmpty();
        assertThat(error.headers()).containsOnlyKeys("X-A");
        assertThatThrownBy(() -> error.headers().put("X-C", "3")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(new ErrorResponse(500, "", null).headers()).isEmpty();
        assertThat(new Drop(null, 0, null)).isEqualTo(new Drop());
    }

    @Test
    void withersChangeOneField() {
        FaultRule rule = FaultRule.builder(new Hang()).build();

        assertThat(rule.withId("f1").id()).isEqualTo("f1");
        assertThat(rule.withName("x").name()).isEqualTo("x");
        assertThat(rule.withProbability(0.5).probability()).isEqualTo(0.5);
        assertThat(rule.type()).isEqualTo(FaultType.HANG);
    }
}
