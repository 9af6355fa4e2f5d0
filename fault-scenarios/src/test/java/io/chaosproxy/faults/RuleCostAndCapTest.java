package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rules a request does not match cost it next to nothing (the index leaves them out), and the
 * number of rules has a cap with a clear error (a suite needing more leaks rules).
 */
class RuleCostAndCapTest {
    private final FaultEngine engine = new FaultEngine(1, new TestClock());

    @Test
    void oneRuleMoreThanTheCapIsRefusedNamingTheLimitAndNothingIsInstalled() {
        List<FaultRule> many = new ArrayList<>();
        for (int i = 0; i < FaultEngine.MAX_RULES; i++) {
            many.add(FaultRule.builder(new Latency(1, 0)).path("/area/" + i + "/**").build());
        }
        engine.installAll(many, "api");

        assertThatThrownBy(() -> engine.install(FaultRule.builder(new Latency(1, 0)).build(), "api"))
                .isInstanceOfSatisfying(FaultSpecException.class, e -> assertThat(e.field()).isEqualTo("faults"))
                .hasMessageContaining("at most " + FaultEngine.MAX_RULES);
        assertThat(engine.rules()).hasSize(FaultEngine.MAX_RULES);
    }

    @Test
    void aThousandRulesForOtherPathsAreRejectedByTheirLiteralPrefixWithoutMatchingSegments() {
        PathGlob glob = PathGlob.compile("/area/17/**");
        assertThat(glob.matches("/area/17")).isTrue();
        assertThat(glob.matches("/area/17/x/y")).isTrue();
        assertThat(glob.matches("/area/170")).isFalse();
        assertThat(glob.matches("/other/17")).isFalse();
        assertThat(PathGlob.compile("/files/*.json").matches("/files/a.json")).isTrue();
        assertThat(PathGlob.compile("/orders/").matches("/orders")).isTrue();
        assertThat(PathGlob.compile("/").matches("/")).isTrue();

        for (int i = 0; i < FaultEngine.MAX_RULES; i++) {
            engine.install(FaultRule.builder(new Latency(1, 0)).path("/area/" + i + "/**").build(), "api");
        }
        Request unmatched = Request.get("/health");
        for (int i = 0; i < 2_000; i++) {
            engine.decide(unmatched, Target.CLIENT); // warm up
        }
        int decisions = 20_000;
        long start = System.nanoTime();
        for (int i = 0; i < decisions; i++) {
            assertThat(engine.decide(unmatched, Target.CLIENT).isEmpty()).isTrue();
        }
        double microsEach = (System.nanoTime() - start) / 1_000.0 / decisions;
        System.out.printf("decide() past %d non-matching rules: %.1f us%n", FaultEngine.MAX_RULES, microsEach);
        // a loaded two-core machine still decides in well under a millisecond
        assertThat(microsEach).isLessThan(1_000);
    }
}
