package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** How {@link FaultEngine#decide} picks the rules that fire and adds up what they do. */
class FaultEngineDecisionTest {

    private final TestClock clock = new TestClock();
    private final FaultEngine engine = new FaultEngine(42, clock);
    private final Request request = Request.get("/orders/1");

    private InstalledRule install(FaultRule.Builder rule) {
        return engine.install(rule.build(), "api");
    }

    private FaultDecision decide() {
        return engine.decide(request, Target.CLIENT);
    }

    @Test
    void noRulesMeansNothingFires() {
        assertThat(decide()).isEqualTo(FaultDecision.NONE);
        assertThat(decide().isEmpty()).isTrue();
        assertThat(decide().terminalFault()).isNull();
    }

    @Test
    void probabilityZeroNeverFires() {
        InstalledRule rule = install(FaultRule.builder(new Hang()).probability(0));

        for (int i = 0; i < 1000; i++) {
            assertThat(decide().isEmpty()).isTrue();
        }
        assertThat(rule.fired()).isZero();
        assertThat(rule.matched()).isEqualTo(1000);
    }

    @Test
    void probabilityOneAlwaysFires() {
        InstalledRule rule = install(FaultRule.builder(new Hang()).probability(1));

        for (int i = 0; i < 1000; i++) {
            assertThat(decide().terminal()).isSameAs(rule);
        }
        assertThat(rule.fired()).isEqualTo(1000);
    }

    @Test
    void probabilityBetweenFiresAboutThatOften() {
        InstalledRule rule = install(FaultRule.builder(new ErrorResponse(503)).probability(0.3));

        for (int i = 0; i < 2000; i++) {
            decide();
        }
        // 0.3 +- 0.05 over 2,000 draws is more than 4 standard deviations (sd = 0.0102).
        assertThat(rule.fired() / 2000.0).isBetween(0.25, 0.35);
    }

    @Test
    void sameSeedMakesTheSameDecisions() {
        assertThat(decisions(7)).isEqualTo(decisions(7));
        assertThat(decisions(7)).isNotEqualTo(decisions(8));
    }

    /** A trace of 500 decisions over rules that use every kind of draw. */
    private static List<String> decisions(long seed) {
        FaultEngine engine = new FaultEngine(seed, new TestClock());
        engine.installAll(List.of(
                FaultRule.builder(new Latency(100, 80)).probability(0.5).build(),
                FaultRule.builder(new ErrorResponse(503)).probability(0.3).build(),
                FaultRule.builder(new Bandwidth(100)).probability(0.7).build(),
                FaultRule.builder(new Drop()).probability(0.2).build()), "api");
        List<String> trace = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            FaultDecision decision = engine.decide(Request.get("/"), Target.CLIENT);
            trace.add(decision.firedIds() + " " + decision.delayMs() + " " + decision.bytesPerSecond());
        }
        return trace;
    }

    @Test
    void certainRulesDrawNothingSoTheyDoNotShiftOtherRulesDraws() {
        FaultEngine alone = new FaultEngine(3, clock);
        alone.install(FaultRule.builder(new Latency(10)).probability(0.5).build(), "api");
        FaultEngine withCertainRules = new FaultEngine(3, clock);
        withCertainRules.install(FaultRule.builder(new Bandwidth(5)).probability(1).build(), "api");
        withCertainRules.install(FaultRule.builder(new Latency(10)).probability(0.5).build(), "api");
        withCertainRules.install(FaultRule.builder(new Bandwidth(5)).probability(0).build(), "api");

        for (int i = 0; i < 200; i++) {
            assertThat(withCertainRules.decide(request, Target.CLIENT).delayMs())
                    .isEqualTo(alone.decide(request, Target.CLIENT).delayMs());
        }
    }

    @Test
    void timesLimitsHowOftenARuleFires() {
        InstalledRule rule = install(FaultRule.builder(new ErrorResponse(500)).times(3));

        int fired = 0;
        for (int i = 0; i < 10; i++) {
            fired += decide().isEmpty() ? 0 : 1;
        }
        assertThat(fired).isEqualTo(3);
        assertThat(rule.fired()).isEqualTo(3);
        assertThat(rule.exhausted()).isTrue();
        assertThat(engine.rules()).containsExactly(rule); // exhausted rules stay listed
    }

    @Test
    void afterLetsTheFirstMatchingRequestsThroughUntouched() {
        InstalledRule rule = install(FaultRule.builder(new ErrorResponse(500)).path("/orders/**").after(2));

        assertThat(engine.decide(Request.get("/users"), Target.CLIENT).isEmpty()).isTrue(); // not counted
        assertThat(decide().isEmpty()).isTrue();
        assertThat(decide().isEmpty()).isTrue();
        assertThat(decide().terminal()).isSameAs(rule);
        assertThat(decide().terminal()).isSameAs(rule);
        assertThat(rule.matched()).isEqualTo(4);
        assertThat(rule.fired()).isEqualTo(2);
    }

    @Test
    void afterAndTimesTogetherFireAWindowOfRequests() {
        InstalledRule rule = install(FaultRule.builder(new ErrorResponse(500)).after(1).times(2));

        List<Boolean> fired = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fired.add(!decide().isEmpty());
        }
        assertThat(fired).containsExactly(false, true, true, false, false);
        assertThat(rule.exhausted()).isTrue();
    }

    @Test
    void durationMsExpiresTheRuleOnTheClock() {
        InstalledRule rule = install(FaultRule.builder(new Hang()).durationMs(1000));
        assertThat(rule.expiresAt()).isEqualTo(rule.installedAt().plusMillis(1000));

        clock.advanceMillis(999);
        assertThat(decide().terminal()).isSameAs(rule);

        clock.advanceMillis(1);
        assertThat(decide().isEmpty()).isTrue();
        assertThat(engine.rules()).isEmpty();
    }

    @Test
    void ratePerSecondFiresOnlyBeyondThatManyRequestsInTheSecond() {
        install(FaultRule.builder(new ErrorResponse(429)).ratePerSecond(3));

        assertThat(firedInARow(5)).containsExactly(false, false, false, true, true);
        clock.advanceMillis(999);
        assertThat(firedInARow(1)).containsExactly(true); // still the same second
        clock.advanceMillis(1);
        assertThat(firedInARow(5)).containsExactly(false, false, false, true, true);
    }

    private List<Boolean> firedInARow(int count) {
        List<Boolean> fired = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            fired.add(!decide().isEmpty());
        }
        return fired;
    }

    @Test
    void oldestTerminalWinsAndYoungerTerminalsAreNotConsumed() {
        InstalledRule error = install(FaultRule.builder(new ErrorResponse(503)));
        InstalledRule drop = install(FaultRule.builder(new Drop()).times(1));
        InstalledRule hang = install(FaultRule.builder(new Hang()).probability(0.5));

        FaultDecision decision = decide();

        assertThat(decision.terminal()).isSameAs(error);
        assertThat(decision.terminalFault()).isEqualTo(new ErrorResponse(503));
        assertThat(decision.fired()).containsExactly(error);
        assertThat(drop.fired()).isZero();
        assertThat(drop.matched()).isZero();
        assertThat(drop.exhausted()).isFalse();
        assertThat(hang.matched()).isZero();
    }

    @Test
    void youngerTerminalFiresWhenTheOlderOneDoesNot() {
        install(FaultRule.builder(new ErrorResponse(503)).probability(0));
        install(FaultRule.builder(new ErrorResponse(500)).path("/users/**"));
        InstalledRule drop = install(FaultRule.builder(new Drop()));

        assertThat(decide().terminal()).isSameAs(drop);
    }

    @Test
    void latenciesAddUpAndTheLowestBandwidthApplies() {
        InstalledRule slow = install(FaultRule.builder(new Latency(100)));
        InstalledRule wide = install(FaultRule.builder(new Bandwidth(2048)));
        InstalledRule slower = install(FaultRule.builder(new Latency(250)));
        InstalledRule narrow = install(FaultRule.builder(new Bandwidth(512)));
        InstalledRule error = install(FaultRule.builder(new ErrorResponse(502)));

        FaultDecision decision = decide();

        assertThat(decision.delayMs()).isEqualTo(350);
        assertThat(decision.bytesPerSecond()).isEqualTo(OptionalLong.of(512));
        assertThat(decision.terminal()).isSameAs(error);
        assertThat(decision.fired()).containsExactly(slow, wide, slower, narrow, error);
        assertThat(decision.firedIds()).containsExactly(slow.id(), wide.id(), slower.id(), narrow.id(), error.id());
    }

    @Test
    void withoutBandwidthRulesThereIsNoRate() {
        install(FaultRule.builder(new Latency(5)));

        assertThat(decide().bytesPerSecond()).isEmpty();
        assertThat(decide().terminal()).isNull();
    }

    @Test
    void jitterSpreadsUniformlyAroundTheDelay() {
        install(FaultRule.builder(new Latency(100, 50)));

        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 2000; i++) {
            long delay = decide().delayMs();
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertThat(min).isBetween(50L, 55L);
        assertThat(max).isBetween(145L, 150L);
    }

    @Test
    void jitterBeyondTheDelayIsClampedAtZero() {
        install(FaultRule.builder(new Latency(10, 100)));

        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            delays.add(decide().delayMs());
        }
        assertThat(delays).allMatch(delay -> delay >= 0 && delay <= 110).contains(0L);
    }

    @Test
    void rulesOnlyHitTheirOwnTarget() {
        InstalledRule client = install(FaultRule.builder(new ErrorResponse(503)).target(Target.CLIENT));
        InstalledRule upstream = install(FaultRule.builder(new Drop()).target(Target.UPSTREAM));

        assertThat(engine.decide(request, Target.CLIENT).fired()).containsExactly(client);
        assertThat(engine.decide(request, Target.UPSTREAM).fired()).containsExactly(upstream);
        assertThat(upstream.matched()).isEqualTo(1);
    }

    @Test
    void proxyLimitsARuleToOneNamedProxy() {
        InstalledRule rule = install(FaultRule.builder(new Hang()).proxy("payments"));

        assertThat(engine.decide(request.proxy("default"), Target.CLIENT).isEmpty()).isTrue();
        assertThat(engine.decide(request.proxy("payments"), Target.CLIENT).terminal()).isSameAs(rule);
        assertThat(rule.matched()).isEqualTo(1);
    }

    @Test
    void ruleWithoutProxyHitsEveryProxy() {
        install(FaultRule.builder(new Hang()));

        assertThat(engine.decide(request.proxy("a"), Target.CLIENT).isEmpty()).isFalse();
        assertThat(engine.decide(request.proxy("b"), Target.CLIENT).isEmpty()).isFalse();
    }

    @Test
    void nonMatchingRequestsAreNotCounted() {
        InstalledRule rule = install(FaultRule.builder(new Hang()).methods("POST"));

        assertThat(decide().isEmpty()).isTrue();
        assertThat(rule.matched()).isZero();
    }

    @Test
    void probabilityRampRisesOverThePhase() {
        Phase phase = new Phase(Duration.ofSeconds(10), List.of(FaultRule.builder(new Hang()).build()),
                new Ramp(RampField.PROBABILITY, 0.0, 1.0));
        InstalledRule rule = engine.replace(r -> false, phase, "scenario:test/phase-0").get(0);

        assertThat(firedInARow(100)).containsOnly(false);
        clock.advance(Duration.ofSeconds(5));
        long before = rule.fired();
        firedInARow(1000);
        assertThat(rule.fired() - before).isBetween(430L, 570L);
        clock.advance(Duration.ofSeconds(5));
        assertThat(firedInARow(100)).containsOnly(true);
        assertThat(rule.ramp()).isEqualTo(phase.ramp());
    }

    @Test
    void delayRampMovesLatencyRulesOnly() {
        Phase phase = new Phase(Duration.ofSeconds(30), List.of(
                FaultRule.builder(new Latency(0)).build(),
                FaultRule.builder(new Bandwidth(100)).build()),
                new Ramp(RampField.DELAY_MS, 0, 2000));
        engine.replace(r -> false, phase, "scenario:latency-ramp/phase-0");

        assertThat(decide().delayMs()).isZero();
        clock.advance(Duration.ofSeconds(15));
        assertThat(decide().delayMs()).isEqualTo(1000);
        assertThat(decide().bytesPerSecond()).hasValue(100);
        clock.advance(Duration.ofSeconds(15));
        assertThat(decide().delayMs()).isEqualTo(2000);
        clock.advance(Duration.ofSeconds(15));
        assertThat(decide().delayMs()).isEqualTo(2000); // held at the end value
    }
}
