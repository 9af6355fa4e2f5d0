package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioCatalogTest {

    static List<String> names() {
        return ScenarioCatalog.names();
    }

    private static Scenario builtIn(String name) {
        return ScenarioCatalog.find(name).orElseThrow();
    }

    /** The faults of a one-phase built-in. */
    private static List<FaultRule> onlyPhaseFaults(String name) {
        Scenario scenario = builtIn(name);
        assertThat(scenario.phases()).hasSize(1);
        return scenario.phases().get(0).faults();
    }

    @Test
    void catalogListsTheDocumentedScenariosInOrder() {
        assertThat(ScenarioCatalog.names()).containsExactly("flaky", "slow", "outage", "outage-then-recovery",
                "brownout", "slow-body", "black-hole", "latency-ramp", "rate-limited");
        assertThat(ScenarioCatalog.builtIns()).extracting(Scenario::name).isEqualTo(ScenarioCatalog.names());
    }

    @Test
    void unknownNameIsNotFound() {
        assertThat(ScenarioCatalog.find("nope")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyBuiltInHasADescriptionAndReadsBackFromItsJson(String name) {
        Scenario scenario = builtIn(name);

        assertThat(scenario.description()).isNotBlank();
        assertThat(ScenarioParser.parse(ScenarioJson.toJson(scenario).toString(), name + ".json")).isEqualTo(scenario);
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyBuiltInPhaseInstallsIntoAnEngine(String name) {
        FaultEngine engine = new FaultEngine(1, new TestClock());
        for (Phase phase : builtIn(name).phases()) {
            engine.replace(rule -> true, phase, "scenario:" + name);
            assertThat(engine.rules()).hasSameSizeAs(phase.faults());
        }
    }

    @Test
    void flakyAnswersOneRequestInFiveWith503ForEver() {
        assertThat(builtIn("flaky").repeat()).isTrue();
        assertThat(onlyPhaseFaults("flaky")).containsExactly(
                FaultRule.builder(new ErrorResponse(503)).probability(0.2).build());
    }

    @Test
    void slowWaits500PlusOrMinus200() {
        assertThat(onlyPhaseFaults("slow")).containsExactly(FaultRule.builder(new Latency(500, 200)).build());
    }

    @Test
    void outageResetsEveryConnection() {
        assertThat(onlyPhaseFaults("outage")).containsExactly(
                FaultRule.builder(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET)).build());
    }

    @Test
    void outageThenRecoveryIsFiveSecondsOf503ThenFiveHealthyOnce() {
        Scenario scenario = builtIn("outage-then-recovery");

        assertThat(scenario.repeat()).isFalse();
        assertThat(scenario.phases()).containsExactly(
                new Phase(Duration.ofSeconds(5), List.of(FaultRule.builder(new ErrorResponse(503)).build())),
                new Phase(Duration.ofSeconds(5), List.of()));
    }

    @Test
    void brownoutSlowsHalfAndFailsATenth() {
        assertThat(onlyPhaseFaults("brownout")).containsExactly(
                FaultRule.builder(new Latency(2000)).probability(0.5).build(),
                FaultRule.builder(new ErrorResponse(503)).probability(0.1).build());
    }

    @Test
    void slowBodyTricklesAtOneKibPerSecond() {
        assertThat(onlyPhaseFaults("slow-body")).containsExactly(FaultRule.builder(new Bandwidth(1024)).build());
    }

    @Test
    void blackHoleHangs() {
        assertThat(onlyPhaseFaults("black-hole")).containsExactly(FaultRule.builder(new Hang()).build());
    }

    @Test
    void latencyRampRisesFromZeroToTwoSecondsOverThirtySeconds() {
        Phase phase = builtIn("latency-ramp").phases().get(0);

        assertThat(phase.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(phase.ramp()).isEqualTo(new Ramp(RampField.DELAY_MS, 0, 2000));
        assertThat(phase.faults()).extracting(FaultRule::type).containsExactly(FaultType.LATENCY);
        assertThat(builtIn("latency-ramp").repeat()).isFalse();
    }

    @Test
    void rateLimitedAnswers429WithRetryAfterBeyondTenPerSecond() {
        assertThat(onlyPhaseFaults("rate-limited")).containsExactly(
                FaultRule.builder(new ErrorResponse(429, "", Map.of("Retry-After", "1"))).ratePerSecond(10).build());

        TestClock clock = new TestClock();
        FaultEngine engine = new FaultEngine(1, clock);
        engine.replace(rule -> true, builtIn("rate-limited").phases().get(0), "scenario:rate-limited");
        int limited = 0;
        for (int i = 0; i < 15; i++) {
            limited += engine.decide(Request.get("/"), Target.CLIENT).terminal() == null ? 0 : 1;
        }
        assertThat(limited).isEqualTo(5);
    }
}
