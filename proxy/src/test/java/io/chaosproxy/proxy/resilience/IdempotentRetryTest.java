package io.chaosproxy.proxy.resilience;

import static io.chaosproxy.proxy.resilience.Answers.neverAnswers;
import static io.chaosproxy.proxy.resilience.Answers.ok;
import static io.chaosproxy.proxy.resilience.Answers.resetBeforeTheResponse;
import static io.chaosproxy.proxy.resilience.Answers.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.resilience.ProxyWithBackends.Reply;
import io.chaosproxy.testing.DeadPort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GET, HEAD, OPTIONS, TRACE, PUT and DELETE are retried, each retry on a backend not yet tried. */
class IdempotentRetryTest {
    private ProxyWithBackends proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void getIsRetriedOnTheOtherBackendAfterAReset() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("fine"));

        Reply reply = proxy.get("/orders");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).isEqualTo("fine");
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(1);
        assertThat(proxy.backend(1).getRequestCount()).isEqualTo(1);
        JournalEntry entry = proxy.journalEntry("/orders");
        assertThat(entry.attempts()).hasSize(2);
        assertThat(entry.attempts().get(0).status()).isNull();
        assertThat(entry.attempts().get(0).error()).isNotBlank();
        assertThat(entry.attempts().get(1).status()).isEqualTo(200);
        assertThat(entry.attempts().get(0).backend()).isNotEqualTo(entry.attempts().get(1).backend());
    }

    @Test
    void getIsRetriedOnTheOtherBackendAfterA503() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(status(503, "busy")), ok("fine"));

        Reply reply = proxy.get("/orders");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(1);
        assertThat(proxy.backend(1).getRequestCount()).isEqualTo(1);
        assertThat(proxy.journalEntry("/orders").attempts()).extracting(Attempt::status).containsExactly(503, 200);
    }

    @ParameterizedTest
    @ValueSource(ints = {502, 504})
    void theOtherGatewayStatusesAreRetriedToo(int status) throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(status(status, "")), ok("fine"));

        assertThat(proxy.get("/orders").status()).isEqualTo(200);
        assertThat(proxy.upstreamRequests()).isEqualTo(2);
    }

    @Test
    void getIsRetriedOnTheOtherBackendAfterATryTimeout() throws Exception {
        // a healthy answer must come within the try timeout even on a loaded machine: 1 s
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().tryTimeout(Duration.ofMillis(1000)).build());
        SharedScript.install(proxy.backends, List.of(neverAnswers()), ok("fine"));

        Reply reply = proxy.get("/slow");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.elapsedMillis()).isGreaterThanOrEqualTo(1000);
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(1);
        assertThat(proxy.backend(1).getRequestCount()).isEqualTo(1);
        JournalEntry entry = proxy.journalEntry("/slow");
        assertThat(entry.attempts()).extracting(Attempt::error).containsExactly("timeout", null);
        assertThat(entry.attempts().get(0).durationMs()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void getIsRetriedOnTheOtherBackendAfterAConnectFailure() throws Exception {
        MockWebServer live = new MockWebServer();
        live.start(0);
        live.enqueue(ok("fine"));
        proxy = ProxyWithBackends.start(List.of(DeadPort.url(), live.url("/").toString()),
                List.of(live), ProxyWithBackends.quickSettings().build());

        Reply reply = proxy.get("/orders");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(live.getRequestCount()).isEqualTo(1);
        JournalEntry entry = proxy.journalEntry("/orders");
        assertThat(entry.attempts()).hasSize(2);
        assertThat(entry.attempts().get(0).error()).startsWith("connect failed");
    }

    @Test
    void everyRetryGoesToABackendNotYetTried() throws Exception {
        proxy = ProxyWithBackends.start(3, ProxyWithBackends.quickSettings().maxAttempts(3).build());
        SharedScript.install(proxy.backends, List.of(status(503, ""), resetBeforeTheResponse()), ok("third time"));

        Reply reply = proxy.get("/orders");

        assertThat(reply.text()).isEqualTo("third time");
        assertThat(proxy.backends).allSatisfy(backend -> assertThat(backend.getRequestCount()).isEqualTo(1));
        assertThat(proxy.journalEntry("/orders").attempts()).extracting(Attempt::backend).doesNotHaveDuplicates();
    }

    @Test
    void withOneBackendTheRetryGoesBackToIt() throws Exception {
        proxy = ProxyWithBackends.start(1, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(status(503, "")), ok("fine"));

        assertThat(proxy.get("/orders").status()).isEqualTo(200);
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(2);
    }

    @Test
    void whenEveryAttemptFailsTheClientGetsTheLastFailure() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().maxAttempts(3).build());
        SharedScript.install(proxy.backends, List.of(status(503, "first"), status(502, "second")), status(503, "last"));

        Reply reply = proxy.get("/orders");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.text()).isEqualTo("last");
        assertThat(proxy.upstreamRequests()).isEqualTo(3);
        assertThat(proxy.journalEntry("/orders").attempts()).extracting(Attempt::status).containsExactly(503, 502, 503);
    }

    @Test
    void aStatusOutsideTheRetryListIsTheBackendsAnswer() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.always(proxy.backends, status(500, "broken"));

        Reply reply = proxy.get("/orders");

        assertThat(reply.status()).isEqualTo(500);
        assertThat(reply.text()).isEqualTo("broken");
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @Test
    void maxAttemptsOfOneTurnsRetriesOff() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().maxAttempts(1).build());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("fine"));

        assertThat(proxy.get("/orders").status()).isEqualTo(502);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HEAD", "OPTIONS", "TRACE", "DELETE"})
    void theOtherIdempotentMethodsAreRetried(String method) throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), new MockResponse.Builder().code(204).build());

        assertThat(proxy.send(method, "/orders", null).status()).isEqualTo(204);
        assertThat(proxy.backend(0).getRequestCount()).isEqualTo(1);
        assertThat(proxy.backend(1).getRequestCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void putWithASmallBodyIsReplayedByteExact(boolean chunked) throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(resetBeforeTheResponse()), ok("stored"));
        byte[] body = pattern(48 * 1024 + 7);

        Reply reply = proxy.send("PUT", "/files/1", chunked ? streamed(body) : RequestBody.create(body, OCTETS));

        assertThat(reply.text()).isEqualTo("stored");
        for (int i = 0; i < 2; i++) {
            RecordedRequest seen = proxy.backend(i).takeRequest(5, TimeUnit.SECONDS);
            assertThat(seen.getMethod()).isEqualTo("PUT");
            assertThat(seen.getBody().toByteArray()).as("body at backend %d", i).isEqualTo(body);
            assertThat(seen.getHeaders().get("Content-Type")).isEqualTo("application/octet-stream");
        }
    }

    @Test
    void aPutWithAnEmptyBodyIsReplayed() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.install(proxy.backends, List.of(status(503, "")), ok("stored"));

        assertThat(proxy.send("PUT", "/files/1", RequestBody.create(new byte[0], OCTETS)).status()).isEqualTo(200);
        assertThat(proxy.upstreamRequests()).isEqualTo(2);
        assertThat(proxy.backend(1).takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Content-Length")).isEqualTo("0");
    }

    static final MediaType OCTETS = MediaType.get("application/octet-stream");

    /** Bytes of every value, so a shifted, lost or repeated chunk cannot go unnoticed. */
    static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + i / 251);
        }
        return bytes;
    }

    /** A body with no length: the client sends it chunked, in pieces of 8 KiB. */
    static RequestBody streamed(byte[] body) {
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return OCTETS;
            }

            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws java.io.IOException {
                for (int offset = 0; offset < body.length; offset += 8192) {
                    sink.write(body, offset, Math.min(8192, body.length - offset));
                    sink.flush();
                }
            }
        };
    }
}
