package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.error;
import static io.chaosproxy.junit.Faults.latency;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.NameTakenException;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.testing.DeadPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * {@code ChaosProxy.remote(controlUrl, token)} against a real control API on a real socket: a
 * standalone-style proxy started in this JVM, driven only over HTTP.
 */
class RemoteControlTest {
    static final String TOKEN = "s3cret";

    @StartStop
    static final MockWebServer backend = new MockWebServer();
    @StartStop
    static final MockWebServer otherBackend = new MockWebServer();

    static ChaosProxyServer server;
    static ChaosProxy remote;

    @BeforeAll
    static void startAStandaloneProxy() throws IOException {
        TestHttp.answerOk(backend);
        TestHttp.answerOk(otherBackend);
        server = ChaosProxyServer.builder()
                .upstream(backend.url("/").toString())
                .proxy(new ProxySpec("payments", HostPort.loopback(0), List.of(backend.url("/").uri())))
                .control("127.0.0.1:0")
                .controlToken(TOKEN)
                .seed(1234)
                .build()
                .start();
        remote = ChaosProxy.remote(server.controlUrl(), TOKEN);
    }

    @AfterAll
    static void stopIt() {
        remote.close();
        server.close();
    }

    @BeforeEach
    void cleanSlate() {
        remote.reset();
        remote.upstream(backend.url("/"));
    }

    @Test
    void urlsAreTheProxies() {
        assertThat(remote.url()).isEqualTo(server.url());
        assertThat(remote.url("payments")).isEqualTo(server.url("payments"));
        // the proxy's seed as it is now: the remote extension cases of this class reset it under their tests' seeds
        assertThat(remote.seed()).isEqualTo(server.seed());
        assertThat(remote.toString()).contains(server.controlUrl().toString());
    }

    @Test
    void faultsAreInstalledCountedAndRemoved() {
        InjectedFault fault = remote.inject(error(503).header("Retry-After", "1").onPath("/orders/**").named("orders-down"));

        assertThat(fault.id()).isNotBlank();
        assertThat(fault.name()).isEqualTo("orders-down");
        assertThat(fault.rule().fault()).isEqualTo(error(503).header("Retry-After", "1").toRule().fault());
        assertThat(TestHttp.get(remote.url(), "/orders/1")).isEqualTo(503);
        assertThat(TestHttp.get(remote.url(), "/other")).isEqualTo(200);
        assertThat(fault.fired()).isEqualTo(1);
        assertThat(server.faults().rules()).hasSize(1);

        assertThat(fault.remove()).isTrue();
        assertThat(fault.remove()).isFalse();
        assertThat(server.faults().rules()).isEmpty();
        assertThatThrownBy(fault::fired)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fault " + fault.id() + " (orders-down) is no longer installed");
    }

    @Test
    void theJournalReadsBackAsTheSameEntries() {
        InjectedFault fault = remote.inject(error(500).onProxy("payments"));
        TestHttp.get(remote.url(), "/a");
        TestHttp.post(remote.url("payments"), "/pay");

        remote.requests().assertCount(2);
        JournalEntry pay = remote.requests().onProxy("payments").withMethod("POST").toPath("/pay").withStatus(500).withFault(fault).last();
        assertThat(pay).isEqualTo(server.journal().entries().get(1));
        assertThat(remote.requests().toPath("/a").last().attempts()).singleElement()
                .satisfies(attempt -> assertThat(attempt.status()).isEqualTo(200));
    }

    @Test
    void awaitPollsTheJournal() {
        remote.inject(latency(Duration.ofMillis(200)));
        CompletableFuture.runAsync(() -> TestHttp.get(remote.url(), "/async"));

        assertThat(remote.requests().toPath("/async").await(1, Duration.ofSeconds(5))).hasSize(1);
        assertThatThrownBy(() -> remote.requests().toPath("/never").await(1, Duration.ofMillis(100)))
                .hasMessageStartingWith("expected at least 1 request to /never within 100 ms, but 0 were recorded.");
    }

    @Test
    void upstreamsCanBeChanged() {
        remote.upstream(otherBackend.url("/"));
        int before = otherBackend.getRequestCount();

        assertThat(TestHttp.get(remote.url(), "/moved")).isEqualTo(200);

        assertThat(otherBackend.getRequestCount()).isEqualTo(before + 1);
        remote.upstream("payments", otherBackend.url("/").toString());
        assertThat(server.proxy("payments").orElseThrow().backends().get(0).uri()).isEqualTo(otherBackend.url("/").uri());
    }

    @Test
    void scenariosStartAndStop() {
        remote.startScenario("outage");
        assertThat(TestHttp.get(remote.url(), "/")).isEqualTo(-1);
        assertThat(remote.stopScenario()).isTrue();
        assertThat(remote.stopScenario()).isFalse();

        remote.startScenario(Path.of("src/test/resources/scenarios/teapot.yaml"));
        assertThat(TestHttp.get(remote.url(), "/")).isEqualTo(418);
        assertThat(server.scenarios().running().orElseThrow().name()).isEqualTo("teapot");
    }

    @Test
    void theApisErrorsSurfaceWithTheirMessageAndField() {
        assertThatThrownBy(() -> remote.inject(error(503).onProxy("nope")))
                .isInstanceOf(FaultSpecException.class)
                .hasMessage("proxy \"nope\" names no proxy; proxies: default, payments")
                .extracting(e -> ((FaultSpecException) e).field()).isEqualTo("proxy");
        assertThatThrownBy(() -> remote.startScenario("outgae"))
                .isInstanceOf(FaultSpecException.class)
                .hasMessageContaining("no built-in scenario named 'outgae'; built-ins: flaky, slow, outage");
        remote.inject(error(503).named("once"));
        assertThatThrownBy(() -> remote.inject(error(503).named("once")))
                .isInstanceOf(NameTakenException.class)
                .hasMessageContaining("\"once\" is already taken")
                .extracting(e -> ((NameTakenException) e).name()).isEqualTo("once");
        assertThatThrownBy(() -> remote.url("nope"))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("answered GET /proxies/nope with 404: no proxy named 'nope'");
        assertThatThrownBy(() -> remote.upstream("payments", URI.create("http://example.com/?q=1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not have a query");
    }

    @Test
    void theSameMistakeGivesTheSameExceptionInProcess() throws IOException {
        try (ChaosProxyServer local = ChaosProxyServer.builder().build().start()) {
            // the in-process control checks rule proxies the way the control API does
            assertThatThrownBy(() -> new InProcessControl(local).inject(error(503).onProxy("nope").toRule()))
                    .isInstanceOf(FaultSpecException.class)
                    .hasMessage("proxy \"nope\" names no proxy; proxies: default");
        }
    }

    @Test
    void aWrongTokenOrNoProxyAtAllIsSaidPlainly() throws IOException {
        assertThatThrownBy(() -> ChaosProxy.remote(server.controlUrl(), "wrong").url())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("answered GET /proxies/default with 401: wrong token")
                .hasMessageContaining("check the token");
        assertThatThrownBy(() -> ChaosProxy.remote(server.controlUrl()).url())
                .hasMessageContaining("this proxy needs a token");
        String nobody = DeadPort.url(); // refuses every connection, and no other server can take it
        assertThatThrownBy(() -> ChaosProxy.remote(URI.create(nobody)).reset())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot reach the chaos-proxy control API at " + nobody + " (POST /reset)");
        assertThatThrownBy(() -> ChaosProxy.remote(URI.create("ftp://127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- as an extension ----

    @EngineRun.Case
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class RemoteAsExtension {
        @RegisterExtension
        static final ChaosProxy proxy = ChaosProxy.remote(server.controlUrl(), TOKEN);

        @Test
        @Order(1)
        void injects(ChaosProxy parameter) {
            assertThat(parameter).isSameAs(proxy);
            proxy.inject(error(418));
            assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(418);
        }

        @Test
        @Order(2)
        @ChaosScenario(file = "scenarios/teapot.yaml")
        void startsEachTestClean() {
            assertThat(proxy.requests().count()).isZero();
            assertThat(server.faults().rules()).extracting(rule -> rule.origin()).containsOnly("scenario:teapot/phase-0");
        }
    }

    @EngineRun.Case
    static class RemoteWithAWrongToken {
        @RegisterExtension
        static final ChaosProxy proxy = ChaosProxy.remote(server.controlUrl(), "wrong");

        @Test
        void neverRuns() {}
    }

    @Test
    void aRemoteProxyWorksAsAnExtensionToo() {
        EngineExecutionResults results = EngineRun.run(RemoteAsExtension.class, RemoteWithAWrongToken.class);

        assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(2);
        assertThat(EngineRun.failures(results)).singleElement().satisfies(failure -> assertThat(failure)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("the chaos proxy for " + RemoteWithAWrongToken.class.getName() + " is not usable: ")
                .hasMessageContaining("401: wrong token"));
        assertThat(server.scenarios().running()).isEmpty();
        assertThat(server.url()).isNotNull(); // closing the handle left the remote proxy running
        assertThat(TestHttp.get(server.url(), "/still-up")).isEqualTo(200);
    }
}
