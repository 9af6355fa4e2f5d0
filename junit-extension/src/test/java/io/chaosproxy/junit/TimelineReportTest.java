package io.chaosproxy.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The timeline report: written for a failed test, named in its failure, with the seed, the exchanges and the events. */
class TimelineReportTest {
    /** Kept after the build (not a temp dir): {@code src/browser/run.sh} opens this report in Chromium. */
    static final Path EXAMPLES = Path.of("target", "chaos-proxy-examples");

    @EngineRun.Case
    @ChaosProxyConfig(seed = 4242, maxAttempts = 1, breakerFailures = 2, breakerCooldown = "1m")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class Checkout {
        @StartStop
        static final MockWebServer backend = new MockWebServer();

        @BeforeAll
        static void pointAtTheBackend(ChaosProxy proxy) {
            TestHttp.answerOk(backend);
            proxy.upstream(backend.url("/"));
        }

        @Test
        @Order(1)
        @ChaosScenario(file = "scenarios/payments-outage.yaml")
        void placesAnOrder(ChaosProxy proxy) {
            TestHttp.get(proxy.url(), "/cart");
            TestHttp.get(proxy.url(), "/payments/charge");
            TestHttp.get(proxy.url(), "/payments/charge"); // the second failure opens the breaker
            int order = TestHttp.get(proxy.url(), "/orders/1");
            proxy.requests().await(4, Duration.ofSeconds(5));
            assertThat(order).as("status of POST /orders").isEqualTo(200);
        }

        @Test
        @Order(2)
        void browsesTheCart(ChaosProxy proxy) {
            assertThat(TestHttp.get(proxy.url(), "/cart")).isEqualTo(200);
        }
    }

    @Test
    void aFailedTestGetsATimelineNamingTheSeedExchangesFaultsAndEvents() throws IOException {
        clean(EXAMPLES);

        EngineExecutionResults results = EngineRun.run(Map.of(TimelineReports.DIRECTORY_PARAMETER, EXAMPLES.toString()), Checkout.class);

        results.testEvents().assertStatistics(stats -> stats.started(2).failed(1).succeeded(1));
        assertThat(files(EXAMPLES)).extracting(p -> p.getFileName().toString()).containsExactly("Checkout.placesAnOrder.html");
        Throwable failure = EngineRun.failures(results).get(0);
        Path report = EXAMPLES.resolve("Checkout.placesAnOrder.html").toAbsolutePath();
        assertThat(failure.getSuppressed()).extracting(Throwable::getMessage)
                .anySatisfy(message -> assertThat(message).contains("chaos-proxy timeline of placesAnOrder()").contains(report.toUri().toString()));

        String html = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(html).contains("derived from the class seed 4242").contains("@ChaosProxyConfig(seed = 4242)")
                .contains("FAILED: ").contains("status of POST /orders");
        assertThat(html.split("<g class=\"exchange\"", -1)).hasSize(5); // four exchanges
        assertThat(html).contains("GET /cart → 200").contains("GET /payments/charge → 503").contains("GET /orders/1 → 503");
        assertThat(html).contains("data-faults=\"f1\"").contains("⚡ f1").contains("payments-outage/phase-0");
        assertThat(html).contains("breaker open"); // the short-circuited attempt of /orders/1
        assertThat(html).contains("scenario payments-outage: phase 1");
        assertThat(html).containsPattern("breaker http://[a-z0-9.]+:\\d+/ \\(default\\): CLOSED → OPEN");
        assertThat(html).doesNotContain("<script").doesNotContain("http-equiv").doesNotContain("src=\"http");
    }

    @EngineRun.Case
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class Modes {
        @RegisterExtension
        static final ChaosProxy always = ChaosProxy.builder().timelineReport(TimelineReport.ALWAYS).build();

        @Test
        @Order(1)
        void passesQuietly(ChaosProxy proxy) {
            assertThat(proxy.url()).isNotNull();
        }
    }

    @EngineRun.Case
    @ChaosProxyConfig(timelineReport = TimelineReport.OFF)
    static class OptedOut {
        @Test
        void fails() {
            throw new AssertionError("fails on purpose, with reports off");
        }
    }

    @Test
    void aPassingTestGetsOneOnlyWhenAskedAndAnOptedOutFailureNone(@TempDir Path directory) throws IOException {
        Map<String, String> into = Map.of(TimelineReports.DIRECTORY_PARAMETER, directory.toString());

        EngineExecutionResults off = EngineRun.run(into, OptedOut.class);
        off.testEvents().assertStatistics(stats -> stats.failed(1));
        assertThat(EngineRun.failures(off).get(0).getSuppressed()).isEmpty();
        assertThat(files(directory)).isEmpty();

        EngineExecutionResults always = EngineRun.run(into, Modes.class);
        always.testEvents().assertStatistics(stats -> stats.succeeded(1));
        assertThat(files(directory)).extracting(p -> p.getFileName().toString()).containsExactly("Modes.passesQuietly.html");
        assertThat(Files.readString(directory.resolve("Modes.passesQuietly.html"))).contains("passed").doesNotContain("FAILED");
    }

    private static List<Path> files(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> listed = Files.list(directory)) {
            return listed.sorted().toList();
        }
    }

    private static void clean(Path directory) throws IOException {
        for (Path file : files(directory)) {
            Files.delete(file);
        }
    }
}
