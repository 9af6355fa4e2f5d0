package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.testing.DeadPort;
import io.chaosproxy.proxy.testing.RawHttp;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/** When the backend cannot answer, the client gets the proxy's own JSON error, never a hang or a blank page. */
class ProxyMadeErrorsTest {

    @Test
    void unreachableBackendGives502WithRequestId() throws Exception {
        try (ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(DeadPort.url())
                .resilience(ResilienceSettings.builder().maxAttempts(1).build()).build().start();
             RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Reply reply = client.send("GET /x HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.header("Content-Type")).isEqualTo("application/json");
            assertThat(reply.bodyText()).contains("\"error\":").contains("\"requestId\":\"" + reply.header("X-Request-Id") + "\"");
            assertThat(proxy.journal().await(io.chaosproxy.proxy.journal.JournalQuery.ALL, 1, Duration.ofSeconds(5)))
                    .singleElement().satisfies(entry -> {
                assertThat(entry.status()).isEqualTo(502);
                assertThat(entry.attempts()).singleElement().satisfies(a -> assertThat(a.error()).startsWith("connect failed"));
            });
        }
    }

    @Test
    void slowBackendGives504AfterTheTryTimeout() throws Exception {
        try (MockWebServer backend = new MockWebServer()) {
            backend.start(0);
            backend.enqueue(new MockResponse.Builder().code(200).headersDelay(5, TimeUnit.SECONDS).build());
            try (ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString())
                    .resilience(ResilienceSettings.builder().maxAttempts(1).tryTimeout(Duration.ofMillis(300)).build())
                    .build().start();
                 RawHttp client = new RawHttp(proxy.url())) {
                long start = System.nanoTime();
                RawHttp.Reply reply = client.send("GET /slow HTTP/1.1\nHost: x", null).read(false);
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(reply.status()).isEqualTo(504);
                assertThat(reply.bodyText()).contains("did not answer within 300ms");
                assertThat(tookMs).isBetween(290L, 3_000L);
            }
        }
    }

    @Test
    void backendDyingMidBodyGivesTheClientATruncatedBodyNotAShortCompleteOne() throws Exception {
        try (MockWebServer backend = new MockWebServer()) {
            backend.start(0);
            backend.enqueue(new MockResponse.Builder().code(200).body("x".repeat(100_000))
                    .onResponseBody(new mockwebserver3.SocketEffect.CloseSocket(true, false, false)).build());
            try (ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).build().start();
                 RawHttp client = new RawHttp(proxy.url())) {
                RawHttp.Reply reply = client.send("GET /big HTTP/1.1\nHost: x", null).read(false);
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.truncated()).as("the body must not look complete").isTrue();
                assertThat(reply.body().length).isLessThan(100_000);
            }
        }
    }
}
