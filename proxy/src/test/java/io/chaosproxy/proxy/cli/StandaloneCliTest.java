package io.chaosproxy.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.testing.ChildProxy;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The standalone proxy as a CI pipeline runs it: its own JVM, real exit codes, real signals. */
@Timeout(90)
class StandaloneCliTest {
    private static final List<String> FREE_PORTS = List.of("--listen", "127.0.0.1:0", "--control", "127.0.0.1:0");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir Path temp;

    @Test
    void badOptionExitsWithTwoAndOneLineNamingIt() throws Exception {
        ChildProxy.Result result = ChildProxy.run(List.of("--max-atempts", "3"), Duration.ofSeconds(30));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output().strip().lines()).hasSize(1);
        assertThat(result.output()).contains("--max-atempts");
    }

    @Test
    void badOptionValueExitsWithTwoNamingTheOption() throws Exception {
        for (List<String> args : List.of(
                List.of("--listen", "nowhere"),
                List.of("--breaker-cooldown", "soon"),
                List.of("--max-attempts", "0"),
                List.of("--upstream", "ftp://example"),
                List.of("--log-format", "xml"))) {
            ChildProxy.Result result = ChildProxy.run(args, Duration.ofSeconds(30));
            assertThat(result.exitCode()).as(args.toString()).isEqualTo(2);
            assertThat(result.output().strip().lines()).as(args.toString()).hasSize(1);
            assertThat(result.output()).as(args.toString()).contains(args.get(0));
        }
    }

    @Test
    void unknownScenarioExitsWithTwoListingTheBuiltIns() throws Exception {
        ChildProxy.Result result = ChildProxy.run(List.of("--scenario", "no-such-thing"), Duration.ofSeconds(30));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("no-such-thing").contains("outage-then-recovery");
    }

    @Test
    void badConfigFileExitsWithTwoNamingFileAndField() throws Exception {
        Path config = temp.resolve("chaos.yaml");
        Files.writeString(config, "faults:\n  - type: error\n    status: 99\n");
        ChildProxy.Result result = ChildProxy.run(List.of("--config", config.toString()), Duration.ofSeconds(30));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains(config.getFileName().toString()).contains("status");
    }

    @Test
    void portInUseExitsWithOneAndOneClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            ChildProxy.Result result = ChildProxy.run(
                    List.of("--listen", "127.0.0.1:" + taken.getLocalPort(), "--control", "127.0.0.1:0"), Duration.ofSeconds(30));
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.output().strip().lines().filter(l -> l.startsWith("chaos-proxy:"))).singleElement()
                    .satisfies(line -> assertThat(line).contains(String.valueOf(taken.getLocalPort())).contains("in use"));
        }
    }

    @Test
    void helpAndVersionExitZero() throws Exception {
        ChildProxy.Result help = ChildProxy.run(List.of("--help"), Duration.ofSeconds(30));
        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).contains("--upstream").contains("--breaker-cooldown").contains("--port-file");
        ChildProxy.Result version = ChildProxy.run(List.of("--version"), Duration.ofSeconds(30));
        assertThat(version.exitCode()).isZero();
        assertThat(version.output()).startsWith("chaos-proxy ");
    }

    @Test
    void withoutUpstreamTheDemoEchoServiceAnswersAndReadyIsPrinted() throws Exception {
        try (ChildProxy proxy = ChildProxy.start(List.of(), FREE_PORTS)) {
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(proxy.proxyUrl().resolve("/hello?who=ci")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).contains("chaos-proxy demo upstream").contains("\"path\" : \"/hello\"");
            assertThat(proxy.output()).contains("ready")
                    .doesNotContain("SLF4J"); // logging set up on one thread: no substitute loggers, no replay warning
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(proxy.controlUrl().resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("UP");
        }
    }

    @Test
    void sigtermLetsAnInFlightSlowResponseFinishThenExitsZero() throws Exception {
        try (MockWebServer backend = new MockWebServer()) {
            backend.start(0);
            backend.enqueue(new MockResponse.Builder().code(200).body("finished")
                    .headersDelay(1500, TimeUnit.MILLISECONDS).build());
            try (ChildProxy proxy = ChildProxy.start(List.of(), concat(FREE_PORTS, "--upstream", backend.url("/").toString()))) {
                CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                        HttpRequest.newBuilder(proxy.proxyUrl().resolve("/slow")).build(), HttpResponse.BodyHandlers.ofString());
                backend.takeRequest(10, TimeUnit.SECONDS); // the exchange has reached the backend
                int exit = proxy.terminate(Duration.ofSeconds(20));
                HttpResponse<String> reply = inFlight.get(10, TimeUnit.SECONDS);
                assertThat(reply.statusCode()).isEqualTo(200);
                assertThat(reply.body()).isEqualTo("finished");
                assertThat(exit).isZero();
            }
        }
    }

    @Test
    void seedIsPrintedWhenRandomAndPortFileNamesEveryListener() throws Exception {
        try (ChildProxy proxy = ChildProxy.start(List.of(), FREE_PORTS)) {
            assertThat(proxy.output()).containsPattern("seed -?\\d+ \\(replay with --seed -?\\d+\\)");
            assertThat(proxy.proxyUrl().getPort()).isPositive();
            assertThat(proxy.controlUrl().getPort()).isPositive();
        }
    }

    @Test
    void scenarioOptionStartsABuiltInOnceReady() throws Exception {
        try (ChildProxy proxy = ChildProxy.start(List.of(), concat(FREE_PORTS, "--scenario", "outage"))) {
            assertThat(proxy.output()).contains("scenario outage started");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.send(
                    HttpRequest.newBuilder(proxy.proxyUrl().resolve("/x")).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void scenarioOptionTakesAFileAndConfigInstallsFaults() throws Exception {
        Path scenario = Path.of("..", "src", "examples", "scenarios", "payments-degradation.yaml").toAbsolutePath();
        Path config = temp.resolve("chaos.yaml");
        Files.writeString(config, "faults:\n  - {type: error, status: 418, match: {path: /teapot}}\n");
        try (ChildProxy proxy = ChildProxy.start(List.of(),
                concat(FREE_PORTS, "--scenario", scenario.toString(), "--config", config.toString()))) {
            assertThat(proxy.output()).contains("scenario payments-degradation started").doesNotContain("SLF4J");
            HttpResponse<String> teapot = http.send(HttpRequest.newBuilder(proxy.proxyUrl().resolve("/teapot")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(teapot.statusCode()).isEqualTo(418);
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(proxy.controlUrl().resolve("/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.body()).contains("payments-degradation");
        }
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

}
