package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.error;
import static io.chaosproxy.junit.Faults.latency;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An in-process proxy opens its proxy port and no other: no control API unless asked for (see
 * {@link RemoteAccessWhenAskedTest}). Everything a test does goes through the handle, in process.
 */
class NoControlApiByDefaultTest {

    /** Taken when the class initialises, before the extension starts the proxy (in beforeAll). */
    static final Set<Integer> LISTENING_BEFORE = ListeningPorts.ofThisProcess();

    @RegisterExtension
    static final ChaosProxy proxy = ChaosProxy.builder().build();

    @StartStop
    final MockWebServer backend = new MockWebServer();

    @BeforeEach
    void pointAtTheBackend() {
        TestHttp.answerOk(backend);
        proxy.upstream(backend.url("/"));
    }

    @Test
    void theOnlyPortItOpensIsTheProxysOwn() {
        assertThat(proxy.controlUrl()).isEmpty();
        // the backend's port aside; allowing a moment for the start's throwaway warm-up listener to go
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Set<Integer> opened = ListeningPorts.openedSince(LISTENING_BEFORE);
            opened.remove(backend.getPort());
            assertThat(opened).as("ports this JVM listens on since the proxy started").containsExactly(proxy.url().getPort());
        });
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("chaos-proxy-control"))
                .as("no TCP proxy, no threads for TCP backends").noneMatch(name -> name.startsWith("chaos-proxy-tcp"));
    }

    @Test
    void faultsAndTheJournalWorkWithoutIt() {
        InjectedFault outage = proxy.inject(error(503).named("outage").onPath("/orders/**"));
        proxy.inject(latency(Duration.ofMillis(50)).onPath("/slow"));

        assertThat(TestHttp.get(proxy.url(), "/orders/1")).isEqualTo(503);
        assertThat(TestHttp.get(proxy.url(), "/slow")).isEqualTo(200);
        assertThat(outage.fired()).isEqualTo(1);
        outage.remove();
        assertThat(TestHttp.get(proxy.url(), "/orders/2")).isEqualTo(200);

        proxy.requests().withStatus(503).withFault(outage).assertCount(1);
        proxy.requests().toPath("/slow").matching("delayed", entry -> entry.durationMs() >= 50).assertCount(1);
        proxy.requests().withStatus(200).assertCount(2);
        assertThat(backend.getRequestCount()).isEqualTo(2);
    }
}
