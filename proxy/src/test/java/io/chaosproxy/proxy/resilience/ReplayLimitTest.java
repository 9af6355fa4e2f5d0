package io.chaosproxy.proxy.resilience;

import static io.chaosproxy.proxy.resilience.Answers.ok;
import static io.chaosproxy.proxy.resilience.Answers.resetBeforeTheResponse;
import static io.chaosproxy.proxy.resilience.IdempotentRetryTest.OCTETS;
import static io.chaosproxy.proxy.resilience.IdempotentRetryTest.pattern;
import static io.chaosproxy.proxy.resilience.IdempotentRetryTest.streamed;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.resilience.ProxyWithBackends.Reply;
import io.chaosproxy.testing.DeadPort;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A body is sent again only if the proxy kept it, within the replay limit (here 64 KiB). */
class ReplayLimitTest {
    private static final int LIMIT = 64 * 1024;
    private static final int MIB = 1024 * 1024;

    private ProxyWithBackends proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPutLargerThanTheLimitIsNotSentAgainOnceSent(boolean chunked) throws Exception {
        proxy = ProxyWithBackends.start(2, settings());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("stored"));
        byte[] body = pattern(MIB);

        Reply reply = proxy.send("PUT", "/files/big", chunked ? streamed(body) : RequestBody.create(body, OCTETS));

        assertThat(reply.status()).isEqualTo(502);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
        var seen = proxy.backends.stream().filter(b -> b.getRequestCount() == 1).findFirst().orElseThrow()
                .takeRequest(5, TimeUnit.SECONDS);
        assertThat(seen.getBody().toByteArray()).as("the one backend still got every byte").isEqualTo(body);
    }

    @ParameterizedTest
    @ValueSource(ints = {LIMIT, LIMIT - 1})
    void aStreamedPutUpToTheLimitIsReplayedByteExact(int size) throws Exception {
        proxy = ProxyWithBackends.start(2, settings());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("stored"));
        byte[] body = pattern(size);

        Reply reply = proxy.send("PUT", "/files/small", streamed(body));

        assertThat(reply.text()).isEqualTo("stored");
        for (MockWebServer backend : proxy.backends) {
            assertThat(backend.takeRequest(5, TimeUnit.SECONDS).getBody().toByteArray()).isEqualTo(body);
        }
    }

    @Test
    void aStreamedPutOneByteOverTheLimitIsNotReplayed() throws Exception {
        proxy = ProxyWithBackends.start(2, settings());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("stored"));

        assertThat(proxy.send("PUT", "/files/over", streamed(pattern(LIMIT + 1))).status()).isEqualTo(502);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aLargePutIsStillRetriedWhenTheFirstBackendNeverGotAByte(boolean chunked) throws Exception {
        MockWebServer live = new MockWebServer();
        live.start(0);
        live.enqueue(ok("stored"));
        proxy = ProxyWithBackends.start(List.of(DeadPort.url(), live.url("/").toString()),
                List.of(live), settings());
        byte[] body = pattern(MIB);

        Reply reply = proxy.send("PUT", "/files/big", chunked ? streamed(body) : RequestBody.create(body, OCTETS));

        assertThat(reply.text()).isEqualTo("stored");
        assertThat(live.takeRequest(5, TimeUnit.SECONDS).getBody().toByteArray()).isEqualTo(body);
    }

    private static ResilienceSettings settings() {
        return ProxyWithBackends.quickSettings().replayBufferBytes(LIMIT).build();
    }
}
