package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.hang;
import static io.chaosproxy.junit.Faults.latency;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A request whose client gave up while a hang or a latency held it is over for good: it never
 * reaches the backend later, in the next test, when the reset removes the rule that held it
 * (a POST held by a hang, a GET held by a latency; closed with a FIN or an RST).
 * Shown from a test's point of view, in both ways of registering the extension.
 */
class AbandonedRequestTest {

    /** The backend every case shares, as a test suite shares a dependency; records every path it is sent. */
    static final MockWebServer BACKEND = new MockWebServer();
    static final List<String> BACKEND_SAW = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startTheSharedBackend() throws IOException {
        BACKEND.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                BACKEND_SAW.add(request.getMethod() + " " + request.getTarget());
                return new MockResponse.Builder().code(201).build();
            }
        });
        BACKEND.start();
    }

    @AfterAll
    static void stopTheSharedBackend() {
        BACKEND.close();
    }

    @EngineRun.Case
    @ChaosProxyConfig(maxAttempts = 1)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class WithTheAnnotation {
        @Test
        @Order(1)
        void aPostIsAbandonedDuringAHang(ChaosProxy proxy) {
            abandon(proxy, hang(), "POST", "/orders/abandoned-in-hang", false);
        }

        @Test
        @Order(2)
        void theHungPostNeverReachesTheBackendInTheNextTest(ChaosProxy proxy) {
            nothingLeaked(proxy, "/orders/abandoned-in-hang");
        }

        @Test
        @Order(3)
        void aGetIsAbandonedWithAResetDuringALatency(ChaosProxy proxy) {
            abandon(proxy, latency(Duration.ofSeconds(30)), "GET", "/orders/abandoned-in-latency", true);
        }

        @Test
        @Order(4)
        void theDelayedGetNeverReachesTheBackendInTheNextTest(ChaosProxy proxy) {
            nothingLeaked(proxy, "/orders/abandoned-in-latency");
        }
    }

    @EngineRun.Case
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class WithRegisterExtension {
        @RegisterExtension
        static final ChaosProxy proxy = ChaosProxy.builder().maxAttempts(1).build();

        @Test
        @Order(1)
        void aPostIsAbandonedDuringAHang() {
            abandon(proxy, hang(), "POST", "/orders/abandoned-in-hang", true);
        }

        @Test
        @Order(2)
        void theHungPostNeverReachesTheBackendInTheNextTest() {
            nothingLeaked(proxy, "/orders/abandoned-in-hang");
        }

        @Test
        @Order(3)
        void aGetIsAbandonedDuringALatency() {
            abandon(proxy, latency(Duration.ofSeconds(30)), "GET", "/orders/abandoned-in-latency", false);
        }

        @Test
        @Order(4)
        void theDelayedGetNeverReachesTheBackendInTheNextTest() {
            nothingLeaked(proxy, "/orders/abandoned-in-latency");
        }
    }

    /**
     * Sends a request that {@code fault} holds, then closes the connection (a FIN, or with
     * {@code reset} an RST) as a client that timed out does. A request without a body is watched
     * while held, so the proxy notices at once and journals it as given up; a POST whose body the
     * proxy has not read yet is noticed at the latest when the next test's reset removes the rule
     * that held it, which ends it unanswered.
     */
    static void abandon(ChaosProxy proxy, FaultSpec<?> fault, String method, String path, boolean reset) {
        proxy.upstream(BACKEND.url("/"));
        InjectedFault holding = proxy.inject(fault.onPath("/orders/**"));
        URI url = proxy.url();
        String body = method.equals("POST") ? "{}" : "";
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            OutputStream out = client.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: orders\r\n"
                    + (body.isEmpty() ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n")
                    + "\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> holding.fired() == 1);
            if (reset) {
                client.setSoLinger(true, 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (body.isEmpty()) {
            proxy.requests().toPath(path).withoutResponse().await(1, Duration.ofSeconds(10));
        }
    }

    /**
     * The next test's own POST goes through, and the backend never sees the abandoned request: a
     * leaked one is on its way as soon as the reset lets it go, so it would reach the backend
     * before or just after this test's own; it is given a further 500 ms to show up.
     */
    static void nothingLeaked(ChaosProxy proxy, String abandonedPath) {
        proxy.upstream(BACKEND.url("/"));
        assertThat(TestHttp.post(proxy.url(), "/orders/next")).isEqualTo(201);
        proxy.requests().assertCount(1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> BACKEND_SAW.stream().noneMatch(seen -> seen.endsWith(" " + abandonedPath)));
        assertThat(BACKEND_SAW).contains("POST /orders/next");
    }

    @Test
    void anAbandonedRequestNeverReachesTheBackendInTheNextTestWithTheAnnotation() {
        EngineExecutionResults results = EngineRun.run(WithTheAnnotation.class);
        assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(4);
    }

    @Test
    void anAbandonedRequestNeverReachesTheBackendInTheNextTestWithRegisterExtension() {
        EngineExecutionResults results = EngineRun.run(WithRegisterExtension.class);
        assertThat(results.testEvents().succeeded().count()).as(EngineRun.describe(results)).isEqualTo(4);
    }
}
