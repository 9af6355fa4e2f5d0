package io.chaosproxy.proxy.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Phase;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioCatalog;
import io.chaosproxy.faults.ScenarioParser;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scenarios switch phases on time, leave nothing behind, and show up in the journal. */
class ScenarioRunnerTest {
    private final MockWebServer backend = new MockWebServer();
    private final HttpClient http = HttpClient.newHttpClient();
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        backend.start(0);
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(1).build().start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private int get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(proxy.url().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Scenario twoPhases(Duration first, Duration second, boolean repeat) {
        return new Scenario("test-outage", "503 then healthy", repeat, List.of(
                new Phase(first, List.of(FaultRule.builder(new ErrorResponse(503)).build())),
                new Phase(second, List.of())));
    }

    @Test
    void phasesSwitchOnTimeWithinFiftyMilliseconds() throws Exception {
        CountDownLatch removed = new CountDownLatch(1);
        long[] removedAt = new long[1];
        proxy.faults().onRemoved(rule -> {
            removedAt[0] = System.nanoTime();
            removed.countDown();
        });
        long start = System.nanoTime();
        proxy.scenarios().start(twoPhases(Duration.ofMillis(400), Duration.ofMillis(400), false));
        assertThat(get("/a")).isEqualTo(503);
        assertThat(removed.await(5, TimeUnit.SECONDS)).isTrue();
        long switchedAfterMs = (removedAt[0] - start) / 1_000_000;
        // the switch cannot come early; late by more than 50 ms only on a badly overloaded machine
        assertThat(switchedAfterMs).isBetween(395L, 450L);
        assertThat(get("/b")).isEqualTo(200);
    }

    @Test
    void runningScenarioReportsPhaseAndTimeLeftAndEndsByItself() throws Exception {
        proxy.scenarios().start(twoPhases(Duration.ofMillis(300), Duration.ofMillis(300), false));
        RunningScenario running = proxy.scenarios().running().orElseThrow();
        assertThat(running.name()).isEqualTo("test-outage");
        assertThat(running.phaseIndex()).isZero();
        assertThat(running.phaseTimeLeft()).isBetween(Duration.ZERO, Duration.ofMillis(300));
        awaitNoScenario(Duration.ofSeconds(5));
        assertThat(proxy.faults().rules()).isEmpty();
    }

    @Test
    void repeatingScenarioStartsOverAndCountsRounds() throws Exception {
        proxy.scenarios().start(twoPhases(Duration.ofMillis(100), Duration.ofMillis(100), true));
        await("a second round").atMost(Duration.ofSeconds(5))
                .until(() -> proxy.scenarios().running().orElseThrow().round() >= 2);
        assertThat(proxy.scenarios().stop()).isTrue();
    }

    @Test
    void stopRemovesItsRulesButNotTheUsersOwn() throws Exception {
        InstalledRule own = proxy.inject(FaultRule.builder(new Latency(1, 0)).name("mine").build());
        proxy.scenarios().start(ScenarioCatalog.find("flaky").orElseThrow());
        assertThat(proxy.faults().rules()).hasSize(2);
        assertThat(proxy.scenarios().stop()).isTrue();
        assertThat(proxy.faults().rules()).extracting(InstalledRule::id).containsExactly(own.id());
        assertThat(proxy.scenarios().stop()).isFalse();
    }

    @Test
    void aNewScenarioReplacesTheRunningOneWithNoStrayRule() throws Exception {
        proxy.scenarios().start(ScenarioCatalog.find("brownout").orElseThrow());
        proxy.scenarios().start(ScenarioCatalog.find("outage").orElseThrow());
        assertThat(proxy.faults().rules()).singleElement()
                .satisfies(rule -> assertThat(rule.origin()).isEqualTo("scenario:outage/phase-0"));
        assertThat(proxy.scenarios().running().orElseThrow().name()).isEqualTo("outage");
    }

    @Test
    void theRunnerAloneSaysWhichScenarioARuleCameFrom() {
        proxy.scenarios().start(ScenarioCatalog.find("outage").orElseThrow());
        InstalledRule own = proxy.inject(FaultRule.builder(new Latency(1, 0)).name("scenario-like").build());

        assertThat(proxy.faults().rules()).extracting(ScenarioRunner::scenarioOf)
                .containsExactlyInAnyOrder("outage/phase-0", null);
        assertThat(ScenarioRunner.scenarioOf(own)).isNull();
    }

    @Test
    void journalNamesTheScenarioAndPhaseThatInjected() throws Exception {
        proxy.scenarios().start(twoPhases(Duration.ofSeconds(5), Duration.ofMillis(100), false));
        assertThat(get("/x")).isEqualTo(503);
        JournalEntry entry = proxy.journal().entries().get(0);
        assertThat(entry.scenario()).isEqualTo("test-outage/phase-0");
        assertThat(entry.faults()).hasSize(1);
    }

    @Test
    void outageThenRecoveryFailsFirstThenRecovers() throws Exception {
        Scenario builtIn = ScenarioCatalog.find("outage-then-recovery").orElseThrow();
        assertThat(builtIn.phases()).extracting(Phase::duration).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5));
        // the same story, shortened for the test: the built-in's own rules with 300 ms phases
        Scenario quick = new Scenario(builtIn.name(), builtIn.description(), false, List.of(
                new Phase(Duration.ofMillis(300), builtIn.phases().get(0).faults()),
                new Phase(Duration.ofMillis(300), builtIn.phases().get(1).faults())));
        proxy.scenarios().start(quick);
        assertThat(get("/during")).isEqualTo(503);
        awaitRules(0, Duration.ofSeconds(5));
        assertThat(get("/after")).isEqualTo(200);
    }

    @Test
    void exampleScenarioFileFromTheRepositoryRuns() throws Exception {
        Scenario example = ScenarioParser.parse(Path.of("..", "src", "examples", "scenarios", "payments-degradation.yaml"));
        assertThat(example.phases()).hasSize(3);
        proxy.scenarios().start(example);
        assertThat(get("/orders/1")).isEqualTo(200); // the example only touches /payments/**
        assertThat(proxy.scenarios().running()).isPresent();
    }

    /** A state that changes on the proxy's own scheduler: polled, there is no event to wait on. */
    private void awaitNoScenario(Duration timeout) {
        await().atMost(timeout).untilAsserted(() -> assertThat(proxy.scenarios().running()).isEmpty());
    }

    private void awaitRules(int count, Duration timeout) {
        await().atMost(timeout).untilAsserted(() -> assertThat(proxy.faults().rules()).hasSize(count));
    }

}
