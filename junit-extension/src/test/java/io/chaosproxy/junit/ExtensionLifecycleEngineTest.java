package io.chaosproxy.junit;

import static org.awaitility.Awaitility.await;
import static io.chaosproxy.junit.Faults.error;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The lifecycle as JUnit runs it: ports freed, parallel classes isolated, misuse reported. */
class ExtensionLifecycleEngineTest {

    // ---- ports and threads are freed, even when a test fails ----

    static final List<URI> urls = new CopyOnWriteArrayList<>();

    @EngineRun.Case
    @ExtendWith(ChaosProxy.class)
    static class FailingClass {
        @Test
        void fails(ChaosProxy proxy) {
            urls.add(proxy.url());
            throw new AssertionError("this test fails on purpose");
        }
    }

    @Test
    void theProxyIsClosedAfterTheClassEvenWhenATestFails() throws InterruptedException {
        urls.clear();

        EngineExecutionResults results = EngineRun.run(FailingClass.class);

        results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
        assertThat(urls).hasSize(1);
        assertThat(accepts(urls.get(0))).as("port %d still open", urls.get(0).getPort()).isFalse();
        awaitNoProxyThreads();
    }

    // ---- parallel classes: one proxy each, never each other's faults ----

    static final CyclicBarrier bothInjected = new CyclicBarrier(2);
    static final Map<String, String> seen = new ConcurrentHashMap<>();

    @EngineRun.Case
    @ExtendWith(ChaosProxy.class)
    static class ParallelA {
        @Test
        void seesOnlyItsOwnFault(ChaosProxy proxy) throws Exception {
            seeOnlyOwnFault(proxy, 501, "A");
        }
    }

    @EngineRun.Case
    @ExtendWith(ChaosProxy.class)
    static class ParallelB {
        @Test
        void seesOnlyItsOwnFault(ChaosProxy proxy) throws Exception {
            seeOnlyOwnFault(proxy, 507, "B");
        }
    }

    static void seeOnlyOwnFault(ChaosProxy proxy, int status, String name) throws Exception {
        proxy.inject(error(status));
        bothInjected.await(10, TimeUnit.SECONDS); // both classes now run, each with its fault installed
        int got = TestHttp.get(proxy.url(), "/" + name);
        seen.put(name, got + " " + proxy.url().getPort() + " " + proxy.requests().list().size());
        assertThat(got).isEqualTo(status);
        proxy.requests().assertCount(1);
    }

    @Test
    void classesRunInParallelEachGetTheirOwnProxy() {
        bothInjected.reset();
        seen.clear();

        EngineExecutionResults results = EngineRun.run(Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "same_thread",
                "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"),
                ParallelA.class, ParallelB.class);

        assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(2);
        assertThat(seen.get("A")).startsWith("501 ");
        assertThat(seen.get("B")).startsWith("507 ");
        assertThat(seen.get("A").split(" ")[1]).isNotEqualTo(seen.get("B").split(" ")[1]);
    }

    // ---- concurrent test methods must not share a proxy that is reset between them ----

    @EngineRun.Case
    @ExtendWith(ChaosProxy.class)
    static class ConcurrentMethods {
        @Test
        void one(ChaosProxy proxy) {
            proxy.url();
        }

        @Test
        void two(ChaosProxy proxy) {
            proxy.url();
        }
    }

    @EngineRun.Case
    @ExtendWith(ChaosProxy.class)
    @Execution(ExecutionMode.SAME_THREAD)
    static class SameThreadMethods {
        @Test
        void one(ChaosProxy proxy) {
            proxy.url();
        }

        @Test
        void two(ChaosProxy proxy) {
            proxy.url();
        }
    }

    @Test
    void concurrentTestsSharingAProxyAreRefusedWithAnExplanation() {
        EngineExecutionResults results = EngineRun.run(Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent"),
                ConcurrentMethods.class, SameThreadMethods.class);

        assertThat(results.testEvents().succeeded().count()).isEqualTo(2); // SameThreadMethods, as the message advises
        assertThat(EngineRun.failures(results)).hasSize(2).allSatisfy(failure -> assertThat(failure)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("run concurrently but share one chaos proxy")
                .hasMessageContaining("@Execution(ExecutionMode.SAME_THREAD)"));
    }

    // ---- resetBeforeEach = false keeps state from one test to the next ----

    @EngineRun.Case
    @ChaosProxyConfig(resetBeforeEach = false)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class NoReset {
        @Test
        @Order(1)
        void installs(ChaosProxy proxy) {
            proxy.inject(error(418));
            assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(418);
        }

        @Test
        @Order(2)
        void stillSeesIt(ChaosProxy proxy) {
            assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(418);
            proxy.requests().assertCount(2);
        }
    }

    @Test
    void resetCanBeTurnedOff() {
        EngineExecutionResults results = EngineRun.run(NoReset.class);

        assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(2);
    }

    // ---- an instance field gives each test its own proxy ----

    @EngineRun.Case
    static class InstanceField {
        @RegisterExtension
        final ChaosProxy proxy = ChaosProxy.builder().build();

        @Test
        void one(ChaosProxy parameter) {
            assertThat(parameter).isSameAs(proxy);
            urls.add(proxy.url());
        }

        @Test
        void two() {
            urls.add(proxy.url());
        }
    }

    @Test
    void anInstanceFieldGivesEachTestItsOwnProxy() {
        urls.clear();

        EngineExecutionResults results = EngineRun.run(InstanceField.class);

        assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(2);
        assertThat(urls).hasSize(2).doesNotHaveDuplicates();
        assertThat(urls).noneMatch(ExtensionLifecycleEngineTest::accepts);
    }

    // ---- a PER_CLASS test instance gets its proxy in the constructor ----

    @EngineRun.Case
    @ExtendWith(ChaosProxy.class)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class PerClass {
        final ChaosProxy proxy;

        PerClass(ChaosProxy proxy) {
            this.proxy = proxy;
        }

        @Test
        void one(ChaosProxy parameter) {
            assertThat(parameter).isSameAs(proxy);
            assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(502); // running, no upstream yet
        }
    }

    @Test
    void aPerClassInstanceReceivesTheProxyInItsConstructor() {
        EngineExecutionResults results = EngineRun.run(PerClass.class);

        assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(1);
    }

    // ---- configuration from the annotation, placeholders included ----

    @EngineRun.Case
    @ChaosProxyConfig(upstream = "${test.backend}", seedText = "${test.seed:7}", maxAttempts = 1,
            proxies = @NamedProxy(name = "payments", upstream = "${test.backend}"))
    static class Configured {
        @Test
        void usesTheConfiguration(ChaosProxy proxy) {
            assertThat(TestHttp.get(proxy.url(), "/configured")).isEqualTo(200);
            assertThat(TestHttp.get(proxy.url("payments"), "/configured")).isEqualTo(200);
            assertThat(proxy.seed()).isEqualTo(7);
        }
    }

    @Test
    void placeholdersComeFromConfigurationParametersAndDefaults() throws IOException {
        try (MockWebServer backend = new MockWebServer()) {
            TestHttp.answerOk(backend);
            backend.start();

            EngineExecutionResults results = EngineRun.run(Map.of("test.backend", backend.url("/").toString()), Configured.class);

            assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(1);
            assertThat(backend.getRequestCount()).isEqualTo(2);
        }
    }

    @EngineRun.Case
    @ChaosProxyConfig(upstream = "${CHAOS_TEST_UNSET_PAYMENTS_URL}")
    static class Unresolvable {
        @Test
        void neverRuns() {}
    }

    @Test
    void anUnresolvablePlaceholderFailsTheClassNamingIt() {
        EngineExecutionResults results = EngineRun.run(Unresolvable.class);

        assertThat(EngineRun.failures(results)).singleElement().satisfies(failure -> assertThat(failure)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("@ChaosProxyConfig on " + Unresolvable.class.getName() + ": upstream: "
                        + "placeholder ${CHAOS_TEST_UNSET_PAYMENTS_URL}"));
    }

    @EngineRun.Case
    @ChaosProxyConfig(maxAttempts = 0, tryTimeout = "soon")
    static class BadValue {
        @Test
        void neverRuns() {}
    }

    @Test
    void aBadValueFailsTheClassNamingTheAttribute() {
        EngineExecutionResults results = EngineRun.run(BadValue.class);

        assertThat(EngineRun.failures(results)).singleElement().satisfies(failure -> assertThat(failure)
                .hasMessage("@ChaosProxyConfig on " + BadValue.class.getName() + ": maxAttempts: maxAttempts must be 1-10, got 0"));
    }

    @EngineRun.Case
    @ChaosProxyConfig(listen = "127.0.0.1:${test.busy.port}")
    static class PortTaken {
        @Test
        void neverRuns() {}
    }

    @Test
    void aProxyThatCannotStartNamesThePortAndWhy() throws IOException {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));

            EngineExecutionResults results = EngineRun.run(Map.of("test.busy.port", Integer.toString(busy.getLocalPort())), PortTaken.class);

            assertThat(EngineRun.failures(results)).singleElement().satisfies(failure -> assertThat(failure)
                    .isInstanceOf(ExtensionConfigurationException.class)
                    .hasMessageContaining("the chaos proxy for " + PortTaken.class.getName() + " could not start")
                    .hasMessageContaining("127.0.0.1:" + busy.getLocalPort())
                    .hasMessageContaining("in use"));
        }
    }

    @EngineRun.Case
    @ChaosProxyConfig
    static class RegisteredTwice {
        @RegisterExtension
        static final ChaosProxy proxy = ChaosProxy.builder().build();

        @Test
        void neverRuns() {}
    }

    @Test
    void annotationsAndABuilderTogetherAreRefused() {
        EngineExecutionResults results = EngineRun.run(RegisteredTwice.class);

        assertThat(EngineRun.failures(results)).singleElement().satisfies(failure -> assertThat(failure)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("ChaosProxy is registered twice on " + RegisteredTwice.class.getName()));
    }

    // ---- helpers ----

    static boolean accepts(URI url) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /** The proxy's threads are named chaos-proxy-*; once every proxy is closed, none is left (allowing them a moment to end). */
    static void awaitNoProxyThreads() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("chaos-proxy"))
                .toList()).as("threads of closed proxies").isEmpty());
    }

}
