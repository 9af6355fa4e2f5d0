package io.chaosproxy.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.testing.RawHttp;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every exchange carries one request id and joins (or starts) a W3C trace. */
class RequestIdAndTraceContextTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private final MockWebServer backend = new MockWebServer();
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend.start(0);
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).build().start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private RawHttp.Reply get(String extraHeaders) throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        try (RawHttp client = new RawHttp(proxy.url())) {
            return client.send("GET /x HTTP/1.1\nHost: x" + extraHeaders, null).read(false);
        }
    }

    @Test
    void validRequestIdIsKeptForwardedAndEchoed() throws Exception {
        RawHttp.Reply reply = get("\nX-Request-Id: order-123_ABC");
        assertThat(reply.header("X-Request-Id")).isEqualTo("order-123_ABC");
        assertThat(backend.takeRequest().getHeaders().get("X-Request-Id")).isEqualTo("order-123_ABC");
        assertThat(proxy.journal().entries()).extracting(e -> e.requestId()).containsExactly("order-123_ABC");
    }

    @Test
    void missingRequestIdIsGeneratedAndTheSameOnBothSides() throws Exception {
        RawHttp.Reply reply = get("");
        String generated = reply.header("X-Request-Id");
        assertThat(generated).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(backend.takeRequest().getHeaders().get("X-Request-Id")).isEqualTo(generated);
    }

    @Test
    void invalidRequestIdIsReplacedNeverReflected() throws Exception {
        String tooLong = "a".repeat(201);
        RawHttp.Reply reply = get("\nX-Request-Id: " + tooLong);
        assertThat(reply.header("X-Request-Id")).isNotEqualTo(tooLong).hasSize(36);
        RawHttp.Reply withSpace = get("\nX-Request-Id: has space");
        assertThat(withSpace.header("X-Request-Id")).isNotEqualTo("has space").hasSize(36);
    }

    @Test
    void validTraceparentKeepsTraceIdAndGetsANewParentId() throws Exception {
        String incoming = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
        get("\ntraceparent: " + incoming + "\ntracestate: vendor=abc");
        RecordedRequest seen = backend.takeRequest();
        String forwarded = seen.getHeaders().get("traceparent");
        assertThat(forwarded).startsWith("00-" + TRACE_ID + "-").endsWith("-01").isNotEqualTo(incoming);
        assertThat(forwarded).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(seen.getHeaders().get("tracestate")).isEqualTo("vendor=abc");
    }

    @Test
    void missingOrInvalidTraceparentIsReplacedByANewTrace() throws Exception {
        get("");
        String fresh = backend.takeRequest().getHeaders().get("traceparent");
        assertThat(fresh).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        for (String invalid : new String[] {"00-" + "0".repeat(32) + "-00f067aa0ba902b7-01", "garbage",
                "00-" + TRACE_ID.toUpperCase() + "-00f067aa0ba902b7-01", "ff-" + TRACE_ID + "-00f067aa0ba902b7-01"}) {
            get("\ntraceparent: " + invalid);
            String replaced = backend.takeRequest().getHeaders().get("traceparent");
            assertThat(replaced).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01").doesNotContain(TRACE_ID);
        }
    }

    @Test
    void requestIdIsOnProxyMadeErrorsToo() throws Exception {
        backend.close();
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Reply reply = client.send("POST /x HTTP/1.1\nHost: x\nContent-Length: 0\nX-Request-Id: err-1", null).read(false);
            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.header("X-Request-Id")).isEqualTo("err-1");
            assertThat(reply.bodyText()).contains("\"requestId\":\"err-1\"");
        }
    }
}
