package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A seed replays a run: each rule's decisions come from the seed, the rule and its own count of
 * matching requests, so requests to other rules, and how they interleave, change nothing.
 */
class FaultEngineSeedTest {

    private static final Request ORDERS = Request.get("/orders/1");
    private static final Request STOCK = Request.get("/stock/1");

    private static FaultEngine engineWithTwoRules(long seed) {
        FaultEngine engine = new FaultEngine(seed, Clock.systemUTC());
        engine.installAll(List.of(
                FaultRule.builder(new Latency(100, 50)).path("/orders/**").probability(0.5).build(),
                FaultRule.builder(new ErrorResponse(503)).path("/stock/**").probability(0.5).build()), "api");
        return engine;
    }

    /** The delay each of {@code count} order requests got: 0 when the rule did not fire. */
    private static List<Long> orderDelays(FaultEngine engine, int count, Runnable between) {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            between.run();
            FaultDecision decision = engine.decide(ORDERS, Target.CLIENT);
            delays.add(decision.isEmpty() ? 0L : decision.delayMs());
        }
        return delays;
    }

    @Test
    void aRulesDecisionsDoNotDependOnRequestsToOtherRules() {
        List<Long> alone = orderDelays(engineWithTwoRules(42), 300, () -> { });

        FaultEngine interleaved = engineWithTwoRules(42);
        Random unrelated = new Random(7);
        List<Long> withOthers = orderDelays(interleaved, 300, () -> {
            for (int n = unrelated.nextInt(4); n > 0; n--) {
                interleaved.decide(STOCK, Target.CLIENT);
            }
        });

        assertThat(withOthers).isEqualTo(alone);
        assertThat(alone).contains(0L).anyMatch(delay -> delay > 0); // the draws really vary
    }

    @Test
    void concurrentRequestsToOtherRulesDoNotChangeARulesDecisions() throws Exception {
        List<Long> alone = orderDelays(engineWithTwoRules(42), 300, () -> { });

        FaultEngine engine = engineWithTwoRules(42);
        ExecutorService others = Executors.newFixedThreadPool(2);
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch othersRunning = new CountDownLatch(2);
        try {
            List<Future<?>> load = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                load.add(others.submit(() -> {
                    othersRunning.countDown();
                    while (!done.get()) {
                        engine.decide(STOCK, Target.CLIENT);
                    }
                }));
            }
            othersRunning.await();
            List<Long> underLoad = orderDelays(engine, 300, Thread::yield);
            done.set(true);
            for (Future<?> future : load) {
                future.get();
            }
            assertThat(underLoad).isEqualTo(alone);
            assertThat(engine.rules().get(1).matched()).as("the other rule was busy meanwhile").isGreaterThan(0);
        } finally {
            done.set(true);
            others.shutdownNow();
        }
    }

    @Test
    void restartingUnderASeedDecidesAsAFreshEngineWithThatSeed() {
        FaultEngine used = engineWithTwoRules(1);
        orderDelays(used, 50, () -> used.decide(STOCK, Target.CLIENT));

        used.restart(99);
        List<InstalledRule> again = used.installAll(List.of(
                FaultRule.builder(new Latency(100, 50)).path("/orders/**").probability(0.5).build(),
                FaultRule.builder(new ErrorResponse(503)).path("/stock/**").probability(0.5).build()), "api");

        assertThat(used.seed()).isEqualTo(99);
        assertThat(again).extracting(InstalledRule::id).containsExactly("f1", "f2");
        assertThat(again).extracting(rule -> rule.rule().name()).containsExactly("latency-1", "error-1");
        assertThat(orderDelays(used, 200, () -> { })).isEqualTo(orderDelays(engineWithTwoRules(99), 200, () -> { }));
    }

    @Test
    void derivedSeedsAreStableAndDifferByLabel() {
        long a = Seeds.derive(42, "[engine:junit-jupiter]/[class:x.FooTest]/[method:a()]");
        assertThat(Seeds.derive(42, "[engine:junit-jupiter]/[class:x.FooTest]/[method:a()]")).isEqualTo(a);
        assertThat(Seeds.derive(42, "[engine:junit-jupiter]/[class:x.FooTest]/[method:b()]")).isNotEqualTo(a);
        assertThat(Seeds.derive(43, "[engine:junit-jupiter]/[class:x.FooTest]/[method:a()]")).isNotEqualTo(a);
    }
}
