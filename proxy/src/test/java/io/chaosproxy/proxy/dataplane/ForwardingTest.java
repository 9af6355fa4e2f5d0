package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What goes through the proxy arrives unchanged, except for the headers a proxy must change. */
class ForwardingTest {
    private final MockWebServer backend = new MockWebServer();
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend.start(0);
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "DELETE", "OPTIONS", "HEAD"})
    void methodsWithoutBodyPassUnchangedWithPathAndQuery(String method) throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).body(method.equals("HEAD") ? "" : "ok").build());
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send(method + " /orders/42?expand=items&x=%2F HTTP/1.1\nHost: shop.test", null)
                    .read(method.equals("HEAD"));
            assertThat(reply.status()).isEqualTo(200);
        }
        RecordedRequest seen = backend.takeRequest();
        assertThat(seen.getMethod()).isEqualTo(method);
        assertThat(seen.getTarget()).isEqualTo("/orders/42?expand=items&x=%2F");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void methodsWithBodyForwardTheExactBytes(String method) throws Exception {
        backend.enqueue(new MockResponse.Builder().code(201).body("created").build());
        byte[] body = new byte[70_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send(method + " /items HTTP/1.1\nHost: shop.test\nContent-Type: application/octet-stream\nContent-Length: "
                    + body.length, body).read(false);
            assertThat(reply.status()).isEqualTo(201);
            assertThat(reply.bodyText()).isEqualTo("created");
        }
        RecordedRequest seen = backend.takeRequest();
        assertThat(seen.getMethod()).isEqualTo(method);
        assertThat(seen.getBody().toByteArray()).isEqualTo(body);
        assertThat(seen.getHeaders().get("Content-Length")).isEqualTo(String.valueOf(body.length));
        assertThat(seen.getHeaders().get("Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void chunkedRequestBodyIsForwardedChunkedAndIntact() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).build());
        try (RawHttp client = new RawHttp(url)) {
            client.send("POST /upload HTTP/1.1\nHost: x\nTransfer-Encoding: chunked", null)
                    .sendRaw("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.read(false).status()).isEqualTo(200);
        }
        RecordedRequest seen = backend.takeRequest();
        assertThat(seen.getBody().utf8()).isEqualTo("hello world");
        assertThat(seen.getHeaders().get("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(seen.getHeaders().get("Content-Length")).isNull();
    }

    @Test
    void hopByHopRequestHeadersAreRemovedIncludingThoseNamedInConnection() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).build());
        try (RawHttp client = new RawHttp(url)) {
            client.send("GET / HTTP/1.1\nHost: x\nConnection: keep-alive, X-Secret-Hop\nKeep-Alive: timeout=5\n"
                    + "Proxy-Connection: keep-alive\nProxy-Authorization: Basic Zm9vOmJhcg==\nTE: deflate\nTrailer: X-Sum\n"
                    + "X-Secret-Hop: 1\nX-End-To-End: kept", null).read(false);
        }
        RecordedRequest seen = backend.takeRequest();
        // TE: trailers alone is end to end (see H2cTrailersTest); any other TE value is hop-by-hop
        for (String hop : new String[] {"Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer", "X-Secret-Hop"}) {
            assertThat(seen.getHeaders().get(hop)).as(hop).isNull();
        }
        // OkHttp's own connection management may say keep-alive; never the client's named headers
        assertThat(seen.getHeaders().values("Connection")).allSatisfy(v -> assertThat(v).doesNotContainIgnoringCase("x-secret-hop"));
        assertThat(seen.getHeaders().get("X-End-To-End")).isEqualTo("kept");
    }

    @Test
    void hopByHopResponseHeadersAreRemovedIncludingThoseNamedInConnection() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200)
                .addHeader("Connection", "X-Backend-Hop")
                .addHeader("X-Backend-Hop", "secret")
                .addHeader("Keep-Alive", "timeout=5")
                .addHeader("Proxy-Authenticate", "Basic")
                .addHeader("Upgrade", "h2c")
                .addHeader("X-Kept", "yes")
                .body("body").build());
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET / HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.headerNames()).doesNotContain("x-backend-hop", "keep-alive", "proxy-authenticate", "upgrade");
            assertThat(reply.header("X-Kept")).isEqualTo("yes");
            assertThat(reply.header("Via")).isEqualTo("1.1 chaos-proxy");
        }
    }

    @Test
    void forwardedHeadersAreSetAndForwardedForIsAppended() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).build());
        try (RawHttp client = new RawHttp(url)) {
            client.send("GET / HTTP/1.1\nHost: shop.test:8080\nX-Forwarded-For: 203.0.113.7\nVia: 1.1 edge", null).read(false);
        }
        RecordedRequest seen = backend.takeRequest();
        assertThat(seen.getHeaders().get("X-Forwarded-For")).isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(seen.getHeaders().get("X-Forwarded-Host")).isEqualTo("shop.test:8080");
        assertThat(seen.getHeaders().get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.getHeaders().get("Via")).isEqualTo("1.1 edge, 1.1 chaos-proxy");
    }

    @Test
    void proxyAddsNoAcceptEncodingNorUserAgentTheClientDidNotSend() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).build());
        try (RawHttp client = new RawHttp(url)) {
            client.send("GET / HTTP/1.1\nHost: x", null).read(false);
        }
        RecordedRequest seen = backend.takeRequest();
        assertThat(seen.getHeaders().get("Accept-Encoding")).isNull();
        assertThat(seen.getHeaders().get("User-Agent")).isNull();
    }

    @Test
    void gzipBodyStaysGzipByteForByte() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(gz)) {
            zip.write("a compressible body ".repeat(500).getBytes(StandardCharsets.UTF_8));
        }
        byte[] gzipped = gz.toByteArray();
        backend.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzipped)).build());
        backend.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzipped)).build());
        // with and without the client asking for gzip: OkHttp must not unzip on our behalf either way
        for (String acceptEncoding : new String[] {"\nAccept-Encoding: gzip", ""}) {
            try (RawHttp client = new RawHttp(url)) {
                RawHttp.Reply reply = client.send("GET /file HTTP/1.1\nHost: x" + acceptEncoding, null).read(false);
                assertThat(reply.header("Content-Encoding")).isEqualTo("gzip");
                assertThat(reply.header("Content-Length")).isEqualTo(String.valueOf(gzipped.length));
                assertThat(reply.body()).isEqualTo(gzipped);
            }
        }
        assertThat(backend.takeRequest().getHeaders().get("Accept-Encoding")).isEqualTo("gzip");
        assertThat(backend.takeRequest().getHeaders().get("Accept-Encoding")).isNull();
    }

    @Test
    void contentLengthIsKeptWhenKnownAndChunkedWhenNot() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).body("fixed length").build());
        backend.enqueue(new MockResponse.Builder().code(200).chunkedBody("streamed in chunks", 4).build());
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply fixed = client.send("GET /a HTTP/1.1\nHost: x", null).read(false);
            assertThat(fixed.header("Content-Length")).isEqualTo("12");
            assertThat(fixed.header("Transfer-Encoding")).isNull();
            RawHttp.Reply chunked = client.send("GET /b HTTP/1.1\nHost: x", null).read(false);
            assertThat(chunked.header("Content-Length")).isNull();
            assertThat(chunked.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(chunked.bodyText()).isEqualTo("streamed in chunks");
        }
        // one client connection carried both exchanges: keep-alive on the client side
    }

    @Test
    void redirectsArePassedThroughNotFollowed() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/elsewhere").build());
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /old HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(302);
            assertThat(reply.header("Location")).isEqualTo("/elsewhere");
        }
        assertThat(backend.getRequestCount()).isEqualTo(1);
    }

    @Test
    void maxForwardsZeroOnOptionsAndTraceIsAnsweredByTheProxy() throws Exception {
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply options = client.send("OPTIONS * HTTP/1.1\nHost: x\nMax-Forwards: 0", null).read(false);
            assertThat(options.status()).isEqualTo(200);
            assertThat(options.header("Allow")).contains("GET");
            RawHttp.Reply trace = client.send("TRACE /t HTTP/1.1\nHost: x\nMax-Forwards: 0\nAuthorization: secret\nX-Probe: 1", null).read(false);
            assertThat(trace.status()).isEqualTo(200);
            assertThat(trace.header("Content-Type")).isEqualTo("message/http");
            assertThat(trace.bodyText()).contains("TRACE /t HTTP/1.1").contains("X-Probe: 1").doesNotContain("secret");
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void maxForwardsIsCountedDownOnOptions() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(204).build());
        try (RawHttp client = new RawHttp(url)) {
            client.send("OPTIONS /x HTTP/1.1\nHost: x\nMax-Forwards: 3", null).read(false);
        }
        assertThat(backend.takeRequest().getHeaders().get("Max-Forwards")).isEqualTo("2");
    }

    @Test
    void informationalResponsesAreNotLeakedAsFinal() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).body("final")
                .addInformationalResponse(new MockResponse.Builder().code(103).addHeader("Link", "</a.css>").build())
                .build());
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET / HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.bodyText()).isEqualTo("final");
        }
    }

    @Test
    void upstreamBasePathIsPrefixed() throws Exception {
        proxy.upstreams(java.util.List.of(URI.create(backend.url("/api/").toString())));
        backend.enqueue(new MockResponse.Builder().code(200).build());
        try (RawHttp client = new RawHttp(url)) {
            client.send("GET /x?q=1 HTTP/1.1\nHost: x", null).read(false);
        }
        assertThat(backend.takeRequest().getTarget()).isEqualTo("/api/x?q=1");
    }

    @Test
    void absoluteFormForAnotherHostIsRefusedAndNeverForwarded() throws Exception {
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET http://example.com/steal HTTP/1.1\nHost: example.com", null).read(false);
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.bodyText()).contains("not an open proxy");
            assertThat(reply.header("X-Request-Id")).isNotBlank();
        }
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("CONNECT example.com:443 HTTP/1.1\nHost: example.com:443", null).read(false);
            assertThat(reply.status()).isIn(400, 405);
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void absoluteFormNamingTheProxyItselfIsServed() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET http://127.0.0.1:" + url.getPort() + "/self HTTP/1.1\nHost: 127.0.0.1:" + url.getPort(), null).read(false);
            assertThat(reply.status()).isEqualTo(200);
        }
        assertThat(backend.takeRequest().getTarget()).isEqualTo("/self");
    }
}
