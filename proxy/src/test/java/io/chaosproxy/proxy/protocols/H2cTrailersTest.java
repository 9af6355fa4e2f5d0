package io.chaosproxy.proxy.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code h2c://} backends are spoken to in cleartext HTTP/2 with prior knowledge, and trailers pass
 * from backend to client: as HTTP/2 trailers, or as HTTP/1.1 chunked trailers to a client that
 * said {@code TE: trailers}; {@code TE: trailers} itself reaches the backend.
 */
class H2cTrailersTest {
    private final MockWebServer backend = new MockWebServer();
    private final OkHttpClient h2Client = new OkHttpClient.Builder()
            .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).retryOnConnectionFailure(false).build();
    private final OkHttpClient http1Client = new OkHttpClient.Builder()
            .protocols(List.of(Protocol.HTTP_1_1)).retryOnConnectionFailure(false).build();
    private ChaosProxyServer proxy;

    private void start(List<Protocol> backendProtocols, String scheme) throws Exception {
        backend.setProtocols(backendProtocols);
        backend.start(0);
        proxy = ChaosProxyServer.builder()
                .upstream(scheme + "://127.0.0.1:" + backend.getPort() + "/base")
                .seed(1).build().start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
        h2Client.connectionPool().evictAll();
        http1Client.connectionPool().evictAll();
    }

    /** Over HTTP/2 the body is DATA frames and the trailers a HEADERS frame; over HTTP/1.1 it is chunked. */
    private MockResponse withTrailers(String body) {
        MockResponse.Builder response = new MockResponse.Builder().addHeader("Content-Type", "text/plain");
        if (backend.getProtocols().contains(Protocol.HTTP_1_1)) {
            response.chunkedBody(body, 5);
        } else {
            response.body(body);
        }
        return response.trailers(Headers.of("X-Checksum", "abc123", "X-Rows", "3")).build();
    }

    @Test
    void h2cBackendIsCalledOverHttp2WithPriorKnowledgeAndItsBasePath() throws Exception {
        start(List.of(Protocol.H2_PRIOR_KNOWLEDGE), "h2c");
        backend.enqueue(new MockResponse.Builder().body("hello over h2c").build());

        try (Response response = http1Client.newCall(new Request.Builder().url(proxy.url().resolve("/orders?x=1").toString())
                .post(RequestBody.create("order", MediaType.get("text/plain"))).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("hello over h2c");
        }
        RecordedRequest recorded = backend.takeRequest();
        assertThat(recorded.getVersion()).isEqualTo("HTTP/2");
        assertThat(recorded.getTarget()).isEqualTo("/base/orders?x=1");
        assertThat(recorded.getBody().utf8()).isEqualTo("order");
        assertThat(proxy.journal().await(JournalQuery.ALL, 1, Duration.ofSeconds(10)).get(0).attempts().get(0).backend())
                .isEqualTo("h2c://127.0.0.1:" + backend.getPort() + "/base");
    }

    @Test
    void http2ClientGetsTheBackendsTrailersAfterTheBody() throws Exception {
        start(List.of(Protocol.H2_PRIOR_KNOWLEDGE), "h2c");
        backend.enqueue(withTrailers("a body in several DATA frames"));

        try (Response response = h2Client.newCall(new Request.Builder().url(proxy.url().resolve("/t").toString()).build()).execute()) {
            assertThat(response.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
            assertThat(response.body().string()).isEqualTo("a body in several DATA frames");
            assertThat(response.trailers().get("X-Checksum")).isEqualTo("abc123");
            assertThat(response.trailers().get("X-Rows")).isEqualTo("3");
        }
    }

    @Test
    void http1ClientThatSaidTeTrailersGetsChunkedTrailersAndTheBackendGetsTeTrailers() throws Exception {
        start(List.of(Protocol.H2_PRIOR_KNOWLEDGE), "h2c");
        backend.enqueue(withTrailers("chunked to the client"));

        try (Response response = http1Client.newCall(new Request.Builder().url(proxy.url().resolve("/t").toString())
                .header("TE", "trailers").build()).execute()) {
            assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
            assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(response.body().string()).isEqualTo("chunked to the client");
            assertThat(response.trailers().get("X-Checksum")).isEqualTo("abc123");
        }
        assertThat(backend.takeRequest().getHeaders().get("te")).isEqualTo("trailers");
    }

    @Test
    void http1ClientThatDidNotAskForTrailersGetsTheBodyAlone() throws Exception {
        start(List.of(Protocol.H2_PRIOR_KNOWLEDGE), "h2c");
        backend.enqueue(withTrailers("no trailers for you"));

        try (Response response = http1Client.newCall(new Request.Builder().url(proxy.url().resolve("/t").toString()).build()).execute()) {
            assertThat(response.body().string()).isEqualTo("no trailers for you");
            assertThat(response.trailers().size()).isZero();
        }
        assertThat(backend.takeRequest().getHeaders().get("te")).isNull();
    }

    @Test
    void otherTeCodingsStayHopByHop() throws Exception {
        start(List.of(Protocol.HTTP_1_1), "http");
        backend.enqueue(new MockResponse.Builder().body("ok").build());

        try (Response response = http1Client.newCall(new Request.Builder().url(proxy.url().resolve("/t").toString())
                .header("TE", "gzip;q=0.5, trailers").header("Connection", "TE").build()).execute()) {
            assertThat(response.body().string()).isEqualTo("ok");
        }
        RecordedRequest recorded = backend.takeRequest();
        assertThat(recorded.getHeaders().values("TE")).containsExactly("trailers");
        assertThat(recorded.getHeaders().get("Connection")).isEqualToIgnoringCase("TE");
    }

    @Test
    void http1BackendsChunkedTrailersReachAnHttp2Client() throws Exception {
        start(List.of(Protocol.HTTP_1_1), "http");
        backend.enqueue(withTrailers("from an HTTP/1.1 backend"));

        try (Response response = h2Client.newCall(new Request.Builder().url(proxy.url().resolve("/t").toString()).build()).execute()) {
            assertThat(response.body().string()).isEqualTo("from an HTTP/1.1 backend");
            assertThat(response.trailers().get("X-Checksum")).isEqualTo("abc123");
        }
    }
}
