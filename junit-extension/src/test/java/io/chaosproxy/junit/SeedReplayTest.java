package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.chaosproxy.faults.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Each test draws from its own seed, derived from the class's seed and its unique id: a test run
 * alone sees exactly what it saw in the suite, and a failing test says how to replay it.
 */
class SeedReplayTest {

    /** What each case test saw, by test name: which of 30 requests got the 50% 503. */
    static final Map<String, List<Integer>> SEEN = new ConcurrentHashMap<>();
    static final Map<String, Long> SEEDS = new ConcurrentHashMap<>();

    /** Three tests of one class, each with a fault that fires half the time. */
    @EngineRun.Case
    @ChaosProxyConfig(seed = 42)
    static class ThreeFlakyTests {
        @Test
        void one(ChaosProxy proxy, TestInfo test) {
            record(proxy, test);
        }

        @Test
        void two(ChaosProxy proxy, TestInfo test) {
            record(proxy, test);
        }

        @Test
        void three(ChaosProxy proxy, TestInfo test) {
            record(proxy, test);
        }
    }

    /** The same, configured in code. */
    @EngineRun.Case
    static class FlakyInCode {
        @RegisterExtension
        static final ChaosProxy proxy = ChaosProxy.builder().seed(42).build();

        @Test
        void one(TestInfo test) {
            record(proxy, test);
        }

        @Test
        void two(TestInfo test) {
            record(proxy, test);
        }
    }

    private static void record(ChaosProxy proxy, TestInfo test) {
        proxy.inject(error(503).probability(0.5).named("half"));
        List<Integer> hits = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            if (TestHttp.get(proxy.url(), "/r/" + i) == 503) {
                hits.add(i);
            }
        }
        SEEN.put(test.getTestMethod().orElseThrow().getName(), hits);
        SEEDS.put(test.getTestMethod().orElseThrow().getName(), proxy.seed());
    }

    @Test
    void eachTestReplaysAloneExactlyAsItRanInTheSuite() {
        replaysAlone(ThreeFlakyTests.class, "one", "two", "three");
    }

    @Test
    void eachTestReplaysAloneWhenTheProxyIsConfiguredInCode() {
        replaysAlone(FlakyInCode.class, "one", "two");
    }

    private static void replaysAlone(Class<?> testClass, String... tests) {
        SEEN.clear();
        EngineExecutionResults suite = EngineRun.run(testClass);
        assertThat(suite.testEvents().succeeded().count()).as(EngineRun.describe(suite)).isEqualTo(tests.length);
        Map<String, List<Integer>> inSuite = Map.copyOf(SEEN);
        assertThat(inSuite.values()).as("each test draws from its own seed").doesNotHaveDuplicates();

        for (String test : tests) {
            SEEN.clear();
            EngineExecutionResults alone = EngineRun.run(Map.of(), selectMethod(testClass,
                    Arrays.stream(testClass.getDeclaredMethods()).filter(m -> m.getName().equals(test)).findFirst().orElseThrow()));
            assertThat(alone.testEvents().succeeded().count()).as(EngineRun.describe(alone)).isEqualTo(1);
            assertThat(SEEN.get(test)).as(test + " run alone").isEqualTo(inSuite.get(test));
        }
    }

    @Test
    void aSystemPropertyOverridesTheClassSeedWithoutEditingCode() {
        SEEN.clear();
        EngineRun.run(ThreeFlakyTests.class);
        Map<String, List<Integer>> with42 = Map.copyOf(SEEN);

        SEEN.clear();
        EngineExecutionResults results = EngineRun.run(Map.of(ChaosProxy.SEED_PROPERTY, "7"), ThreeFlakyTests.class);

        assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(3);
        assertThat(SEEDS).containsEntry("one", 7L);
        assertThat(SEEN).isNotEqualTo(with42);
    }

    @EngineRun.Case
    @ChaosProxyConfig(seed = 42)
    static class FailingTests {
        @Test
        void failsAnAssertion(ChaosProxy proxy) {
            assertThat(proxy.requests().count()).isEqualTo(1);
        }

        @Test
        void throwsSomethingElse() {
            throw new IllegalStateException("the service broke");
        }
    }

    @Test
    void aFailingTestSaysWhichSeedItRanWithAndHowToReplayIt() {
        EngineExecutionResults results = EngineRun.run(FailingTests.class);

        List<Throwable> failures = EngineRun.failures(results);
        assertThat(failures).hasSize(2);
        String uniqueId = results.testEvents().failed().stream()
                .filter(event -> event.getTestDescriptor().getDisplayName().startsWith("failsAnAssertion"))
                .findFirst().orElseThrow().getTestDescriptor().getUniqueId().toString();
        long testSeed = Seeds.derive(42, uniqueId);
        Throwable assertion = failures.stream().filter(AssertionError.class::isInstance).findFirst().orElseThrow();
        assertThat(assertion)
                .hasMessageContaining("expected: 1")
                .hasMessageContaining("this test ran with seed " + testSeed + " (derived from the class seed 42")
                .hasMessageContaining("@ChaosProxyConfig(seed = 42)")
                .hasMessageContaining("-Dchaosproxy.seed=42");
        Throwable other = failures.stream().filter(IllegalStateException.class::isInstance).findFirst().orElseThrow();
        assertThat(other).hasMessage("the service broke");
        // the other suppressed one is the timeline report's path (TimelineReports.ReportWritten)
        assertThat(other.getSuppressed()).filteredOn(ReplayHint.class::isInstance).singleElement().satisfies(hint ->
                assertThat(hint).hasMessageContaining("@ChaosProxyConfig(seed = 42)"));
    }
}
