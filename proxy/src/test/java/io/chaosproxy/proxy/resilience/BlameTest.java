package io.chaosproxy.proxy.resilience;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.resilience.CircuitBreaker;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exchange deadline and the try timeout measure the backend: not a latency or hang the proxy
 * injected on the client's side, not the client's own upload; and a slow client cannot keep a
 * half-open breaker's single probe to itself.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlameTest {
    private ScriptedBackend backend;
    private ChaosProxyServer proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void start(ResilienceSettings settings, ScriptedBackend.Script script) throws Exception {
        backend = new ScriptedBackend(script);
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).resilience(settings).seed(4).build().start();
    }

    private static void answerEach(ScriptedBackend.Connection connection) throws Exception {
        ScriptedBackend.Head head;
        while ((head = connection.readHead()) != null) {
            connection.readBody(head);
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }
    }

    @Test
    void aClientSideLatencyLongerThanTheDeadlineIsNotBlamedOnTheBackend() throws Exception {
        start(ResilienceSettings.builder().deadline(Duration.ofMillis(600)).breakerFailures(1).build(), BlameTest::answerEach);
        proxy.inject(FaultRule.builder(new Latency(900, 0)).build());

        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send("GET /slow-client HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(200);
        }
        assertThat(breaker().consecutiveFailures()).isZero();
        assertThat(breaker().openings()).isZero();
    }

    @Test
    void aSlowUploadLongerThanTheTryTimeoutIsNotCutOffNorBlamedOnTheBackend() throws Exception {
        start(ResilienceSettings.builder().tryTimeout(Duration.ofMillis(500)).deadline(Duration.ofMillis(700))
                .breakerFailures(1).build(), BlameTest::answerEach);

        try (Socket client = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            client.setSoTimeout(10_000);
            uploadSlowly(client, 4, 300); // 1.2 s of upload: longer than the try timeout and the deadline
            String status = new String(client.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 200");
        }
        assertThat(breaker().consecutiveFailures()).isZero();
    }

    @Test
    void aSlowUploadDoesNotKeepTheHalfOpenProbeFromOtherRequests() throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        CountDownLatch uploadArrived = new CountDownLatch(1);
        start(ResilienceSettings.builder().breakerFailures(1).breakerCooldown(Duration.ofMillis(200)).maxAttempts(1).build(),
                connection -> {
                    ScriptedBackend.Head head;
                    while ((head = connection.readHead()) != null) {
                        if (failing.get()) {
                            connection.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
                            continue;
                        }
                        if (head.method().equals("POST")) {
                            uploadArrived.countDown();
                        }
                        connection.readBody(head);
                        connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    }
                });
        try (RawHttp first = new RawHttp(proxy.url())) {
            assertThat(first.send("GET /fails HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(503);
        }
        await("the breaker opened and its cooldown passed").atMost(Duration.ofSeconds(5)).until(() -> breaker().openings() == 1 && breaker().nanosUntilProbe() <= 0);
        failing.set(false);

        try (Socket slow = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            OutputStream out = slow.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\na".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(uploadArrived.await(10, TimeUnit.SECONDS)).as("the slow upload took the probe and reached the backend").isTrue();
            assertThat(breaker().state()).as("the upload holds the probe").isEqualTo(io.chaosproxy.proxy.resilience.BreakerState.HALF_OPEN);
            await("the still-uploading probe gave the probe back").atMost(Duration.ofSeconds(5)).until(() -> breaker().isAvailable());

            try (RawHttp other = new RawHttp(proxy.url())) {
                assertThat(other.send("GET /other HTTP/1.1\nHost: x", null).read(false).status())
                        .as("another request while the probe's client is still uploading").isEqualTo(200);
            }
            out.write("bcd".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private CircuitBreaker breaker() {
        return proxy.proxies().get(0).backends().get(0).breaker();
    }

    /** A client that is slow on purpose: the pauses are the scenario, not a way to order events. */
    private static void uploadSlowly(Socket client, int chunks, long pauseMillis) throws Exception {
        OutputStream out = client.getOutputStream();
        out.write(("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + chunks + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < chunks; i++) {
            out.write('x');
            out.flush();
            Thread.sleep(pauseMillis);
        }
    }
}
