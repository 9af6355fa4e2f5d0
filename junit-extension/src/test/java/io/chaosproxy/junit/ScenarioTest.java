package io.chaosproxy.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.faults.FaultSpecException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** {@code @ChaosScenario}: a scenario runs during the test body, and only then. */
@ExtendWith(ChaosProxy.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScenarioTest {

    @StartStop
    static final MockWebServer backend = new MockWebServer();

    @BeforeAll
    static void pointAtTheBackend(ChaosProxy proxy) {
        TestHttp.answerOk(backend);
        proxy.upstream(backend.url("/"));
    }

    @BeforeEach
    void aResetInBeforeEachDoesNotStopTheScenario(ChaosProxy proxy) {
        proxy.reset(); // the scenario starts after @BeforeEach methods, just before the body
    }

    @Test
    @Order(1)
    @ChaosScenario("outage")
    void aBuiltInScenarioRunsDuringTheTest(ChaosProxy proxy) {
        assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(-1); // every connection reset
        assertThat(proxy.requests().last().scenario()).startsWith("outage/");
    }

    /**
     * Runs after the extension's after-test step and before its next reset, so it sees whether the
     * extension stopped the scenario: the class's own {@code @BeforeEach} reset would hide it.
     */
    @AfterEach
    void andStopsAsSoonAsTheTestEnds(ChaosProxy proxy) {
        assertThat(TestHttp.get(proxy.url(), "/")).as("a request right after the test").isEqualTo(200);
        assertThat(proxy.stopScenario()).as("a scenario still running after the test").isFalse();
    }

    @Test
    @Order(3)
    @ChaosScenario(file = "scenarios/teapot.yaml")
    void aScenarioFileCanBeAClasspathResource(ChaosProxy proxy) {
        assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(418);
    }

    @Test
    @Order(4)
    @ChaosScenario(file = "src/test/resources/scenarios/blip.yaml")
    void orAFile(ChaosProxy proxy) throws InterruptedException {
        assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(503);
        // the first phase lasts 200 ms; then the backend answers again
        await().atMost(Duration.ofSeconds(5)).until(() -> TestHttp.get(proxy.url(), "/") == 200);
        assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(200);
    }

    @Test
    @Order(5)
    void scenariosCanBeStartedAndStoppedInCode(ChaosProxy proxy) {
        proxy.startScenario(Path.of("src/test/resources/scenarios/teapot.yaml"));
        assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(418);
        assertThat(proxy.stopScenario()).isTrue();
        assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(200);

        assertThatThrownBy(() -> proxy.startScenario("outgae"))
                .isInstanceOf(FaultSpecException.class)
                .hasMessageStartingWith("no built-in scenario named 'outgae'; built-ins: flaky, slow, outage,");
    }

    @Nested
    @ChaosScenario(file = "scenarios/teapot.yaml")
    class OnAClass {
        @Test
        void itRunsDuringEveryTest(ChaosProxy proxy) {
            assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(418);
        }

        @Test
        @ChaosScenario("outage")
        void aMethodsOwnScenarioWins(ChaosProxy proxy) {
            assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(-1);
        }
    }

    // ---- mistakes ----

    @EngineRun.Case
    @ExtendWith(ChaosProxy.class)
    static class Mistakes {
        @Test
        @ChaosScenario("outgae")
        void unknownName() {}

        @Test
        @ChaosScenario(file = "scenarios/nope.yaml")
        void missingFile() {}

        @Test
        @ChaosScenario(value = "outage", file = "scenarios/teapot.yaml")
        void both() {}
    }

    @Test
    void mistakesFailTheTestWithAMessageThatSaysWhatToDo() {
        EngineExecutionResults results = EngineRun.run(Map.of(), Mistakes.class);

        assertThat(EngineRun.failures(results)).hasSize(3).allSatisfy(failure ->
                assertThat(failure).isInstanceOf(ExtensionConfigurationException.class));
        assertThat(EngineRun.failures(results)).extracting(Throwable::getMessage).containsExactlyInAnyOrder(
                "@ChaosScenario on " + Mistakes.class.getName() + ".unknownName(): no built-in scenario named 'outgae';"
                        + " built-ins: flaky, slow, outage, outage-then-recovery, brownout, slow-body, black-hole, latency-ramp, rate-limited",
                "@ChaosScenario on " + Mistakes.class.getName() + ".missingFile(): no scenario file "
                        + Path.of("scenarios/nope.yaml").toAbsolutePath() + " and no classpath resource scenarios/nope.yaml",
                "@ChaosScenario on " + Mistakes.class.getName() + ".both(): give either a built-in name (value) or a file, not both");
    }
}
