package io.chaosproxy.proxy.resilience;

import static io.chaosproxy.proxy.resilience.Answers.neverAnswers;
import static io.chaosproxy.proxy.resilience.Answers.ok;
import static io.chaosproxy.proxy.resilience.Answers.resetBeforeTheResponse;
import static io.chaosproxy.proxy.resilience.Answers.status;
import static io.chaosproxy.proxy.resilience.IdempotentRetryTest.OCTETS;
import static io.chaosproxy.proxy.resilience.IdempotentRetryTest.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.resilience.ProxyWithBackends.Reply;
import io.chaosproxy.testing.DeadPort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POST and PATCH may change state each time they arrive, so whatever fails they reach one backend
 * once, and the client hears the first failure at once; an Idempotency-Key changes that only when
 * the user switches it on.
 */
class NonIdempotentMethodTest {
    private ProxyWithBackends proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH"})
    void isNeverRetriedAfterAConnectionReset(String method) throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("would be a second charge"));

        Reply reply = proxy.send(method, "/payments", body());

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.header("Content-Type")).isEqualTo("application/json");
        assertThat(reply.text()).contains("\"error\"").contains("\"requestId\"");
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
        assertThat(proxy.journalEntry("/payments").attempts()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH"})
    void isNeverRetriedAfterA503AndTheClientGetsTheBackendsAnswer(String method) throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(status(503, "try later")), ok("would be a second charge"));

        Reply reply = proxy.send(method, "/payments", body());

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.text()).isEqualTo("try later");
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH"})
    void isNeverRetriedAfterAConnectFailure(String method) throws Exception {
        MockWebServer live = new MockWebServer();
        live.start(0);
        proxy = ProxyWithBackends.start(List.of(DeadPort.url(), live.url("/").toString()),
                List.of(live), ProxyWithBackends.quickSettings().build());

        Reply reply = proxy.send(method, "/payments", body());

        assertThat(reply.status()).isEqualTo(502);
        assertThat(live.getRequestCount()).isZero();
    }

    @Test
    void postIsNeverRetriedAfterATryTimeout() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().tryTimeout(Duration.ofMillis(300)).build());
        SharedScript.install(proxy.backends, List.of(neverAnswers()), ok("would be a second charge"));

        Reply reply = proxy.send("POST", "/payments", body());

        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.elapsedMillis()).isGreaterThanOrEqualTo(300).isLessThan(3000);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @Test
    void postWithAnIdempotencyKeyIsNotRetriedByDefault() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(status(503, "")), ok("charged"));

        Reply reply = proxy.send(keyed("POST"));

        assertThat(reply.status()).isEqualTo(503);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH"})
    void withAnIdempotencyKeyIsRetriedWhenSwitchedOn(String method) throws Exception {
        proxy = ProxyWithBackends.start(2, keyOptIn());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("charged once"));

        Reply reply = proxy.send(keyed(method));

        assertThat(reply.text()).isEqualTo("charged once");
        for (int i = 0; i < 2; i++) {
            var seen = proxy.backend(i).takeRequest(5, TimeUnit.SECONDS);
            assertThat(seen.getHeaders().get("Idempotency-Key")).isEqualTo("order-7-attempt-1");
            assertThat(seen.getBody().toByteArray()).isEqualTo(pattern(2000));
        }
    }

    @Test
    void postWithoutAnIdempotencyKeyIsNotRetriedEvenWhenSwitchedOn() throws Exception {
        proxy = ProxyWithBackends.start(2, keyOptIn());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("would be a second charge"));

        assertThat(proxy.send("POST", "/payments", body()).status()).isEqualTo(502);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @Test
    void connectIsRefusedAndNeverReachesABackend() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());

        try (var raw = new io.chaosproxy.proxy.testing.RawHttp(proxy.server.url())) {
            var reply = raw.send("CONNECT 127.0.0.1:" + proxy.backend(0).getPort() + " HTTP/1.1\nHost: 127.0.0.1:"
                    + proxy.backend(0).getPort(), null).read(false);
            assertThat(reply.status()).isEqualTo(400);
        }
        assertThat(proxy.upstreamRequests()).isZero();
    }

    private static ResilienceSettings keyOptIn() {
        return ProxyWithBackends.quickSettings().retryWithIdempotencyKey(true).build();
    }

    private Request keyed(String method) {
        return proxy.request("/payments").method(method, body()).header("Idempotency-Key", "order-7-attempt-1").build();
    }

    private static RequestBody body() {
        return RequestBody.create(pattern(2000), OCTETS);
    }
}
