package io.chaosproxy.proxy.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.testing.LoopbackJetty;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's request trailers reach an HTTP/2 backend: from an HTTP/2 client (a trailing HEADERS
 * frame) and from an HTTP/1.1 client (chunked trailers), after every byte of the body, with names
 * in the lower case HTTP/2 requires; to h2c backends and to https ones that chose h2 by ALPN. An
 * HTTP/1.1 backend gets the body whole, without them.
 */
class RequestTrailersTest {
    /** Bigger than HTTP/2's initial 64 KiB window: the trailers must wait for flow control, not jump it. */
    private static final int BIG_BODY = 300 * 1024;

    private final RecordingBackend backend = new RecordingBackend();
    private ChaosProxyServer proxy;

    private void start(String scheme) throws Exception {
        backend.start(null);
        proxy = ChaosProxyServer.builder().upstream(scheme + "://127.0.0.1:" + backend.port()).seed(3).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        backend.stop();
    }

    @Test
    void http2ClientsRequestTrailersReachAnH2cBackendAfterTheWholeBody() throws Exception {
        start("h2c");
        byte[] body = pattern(BIG_BODY);

        int status = Http2Upload.send(proxy.url(), "POST", body,
                HttpFields.build().put("x-checksum", sha256(body)).put("x-rows", "3"));

        assertThat(status).isEqualTo(200);
        Received received = backend.take();
        assertThat(received.version()).isEqualTo("HTTP/2.0");
        assertThat(received.bodySha256()).isEqualTo(sha256(body));
        assertThat(received.trailers()).containsEntry("x-checksum", sha256(body)).containsEntry("x-rows", "3");
    }

    @Test
    void http1ClientsChunkedTrailersReachAnH2cBackendInLowerCase() throws Exception {
        start("h2c");

        RawHttp.Reply reply;
        try (RawHttp client = new RawHttp(proxy.url())) {
            reply = client.send("POST /upload HTTP/1.1\nHost: example.test\nTransfer-Encoding: chunked\nTE: trailers",
                    chunked("first,", "second", "X-Checksum: abc123\r\nX-Rows: 2")).read(false);
        }

        assertThat(reply.status()).isEqualTo(200);
        Received received = backend.take();
        assertThat(received.version()).isEqualTo("HTTP/2.0");
        assertThat(received.bodySha256()).isEqualTo(sha256("first,second".getBytes(StandardCharsets.US_ASCII)));
        assertThat(received.trailers()).containsEntry("x-checksum", "abc123").containsEntry("x-rows", "2");
    }

    @Test
    void hopByHopFieldsInTrailersStayBehind() throws Exception {
        start("h2c");

        try (RawHttp client = new RawHttp(proxy.url())) {
            assertThat(client.send("POST /upload HTTP/1.1\nHost: example.test\nTransfer-Encoding: chunked",
                    chunked("body", "", "Keep-Alive: timeout=5\r\nX-Checksum: abc123")).read(false).status()).isEqualTo(200);
        }

        assertThat(backend.take().trailers()).containsOnlyKeys("x-checksum");
    }

    @Test
    void aRetriedPutSendsItsTrailersAgain() throws Exception {
        start("h2c");
        backend.failFirst.set(1); // 503 to the first try, after reading its whole body and trailers
        byte[] body = pattern(10_000);

        int status = Http2Upload.send(proxy.url(), "PUT", body, HttpFields.build().put("x-checksum", sha256(body)));

        assertThat(status).isEqualTo(200);
        for (int attempt = 0; attempt < 2; attempt++) {
            Received received = backend.take();
            assertThat(received.bodySha256()).isEqualTo(sha256(body));
            assertThat(received.trailers()).containsEntry("x-checksum", sha256(body));
        }
    }

    @Test
    void anHttpsBackendThatChoseH2ByAlpnGetsThemToo(@TempDir Path dir) throws Exception {
        HeldCertificate ca = TestCertificates.ca("request trailers CA");
        backend.start(TestCertificates.serving(TestCertificates.server(ca, false), ca));
        proxy = ChaosProxyServer.builder().upstreamCa(TestCertificates.certificatePem(dir, "ca.pem", ca))
                .upstream("https://127.0.0.1:" + backend.port()).seed(3).build().start();
        byte[] body = pattern(BIG_BODY);

        int status = Http2Upload.send(proxy.url(), "POST", body, HttpFields.build().put("x-checksum", sha256(body)));

        assertThat(status).isEqualTo(200);
        Received received = backend.take();
        assertThat(received.version()).isEqualTo("HTTP/2.0");
        assertThat(received.bodySha256()).isEqualTo(sha256(body));
        assertThat(received.trailers()).containsEntry("x-checksum", sha256(body));
    }

    @Test
    void anHttp1BackendGetsTheWholeBodyWithoutTheTrailers() throws Exception {
        start("http");
        byte[] body = pattern(BIG_BODY);

        int status = Http2Upload.send(proxy.url(), "POST", body, HttpFields.build().put("x-checksum", sha256(body)));

        assertThat(status).isEqualTo(200);
        Received received = backend.take();
        assertThat(received.version()).isEqualTo("HTTP/1.1");
        assertThat(received.bodySha256()).isEqualTo(sha256(body));
        assertThat(received.trailers()).isEmpty();
    }

    /** A chunked body of the given chunks (an empty one is skipped), then the trailer lines. */
    private static byte[] chunked(String first, String second, String trailerLines) {
        StringBuilder wire = new StringBuilder();
        for (String chunk : new String[] {first, second}) {
            if (!chunk.isEmpty()) {
                wire.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            }
        }
        wire.append("0\r\n").append(trailerLines).append("\r\n\r\n");
        return wire.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i % 251);
        }
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One HTTP/2 request by prior knowledge, frame by frame: HEADERS, the body as DATA, and only once
     * every DATA byte is written (past flow control) the trailers as HEADERS with END_STREAM. Jetty's
     * HttpClient 12.1.12 cannot be used here: with {@code trailersSupplier} it sent the trailers while
     * DATA still waited for the connection's window, and a server then resets the stream.
     */
    private static final class Http2Upload {
        static int send(URI proxy, String method, byte[] body, HttpFields trailers) throws Exception {
            HTTP2Client client = new HTTP2Client();
            client.start();
            try {
                Session session = client.connect(new InetSocketAddress(proxy.getHost(), proxy.getPort()),
                        new Session.Listener() { }).get(10, TimeUnit.SECONDS);
                CompletableFuture<Integer> status = new CompletableFuture<>();
                MetaData.Request head = new MetaData.Request(method, HttpURI.from(proxy.resolve("/upload")), HttpVersion.HTTP_2,
                        HttpFields.build().put("content-type", "application/octet-stream"));
                Stream stream = session.newStream(new HeadersFrame(head, null, false), new Stream.Listener() {
                    @Override
                    public void onHeaders(Stream stream, HeadersFrame frame) {
                        if (frame.getMetaData() instanceof MetaData.Response response) {
                            status.complete(response.getStatus());
                        }
                        if (!frame.isEndStream()) {
                            stream.demand();
                        }
                    }

                    @Override
                    public void onDataAvailable(Stream stream) {
                        Stream.Data data = stream.readData();
                        if (data != null) {
                            data.release();
                        }
                        if (data == null || !data.frame().isEndStream()) {
                            stream.demand();
                        }
                    }

                    @Override
                    public void onReset(Stream stream, ResetFrame frame, Callback callback) {
                        status.completeExceptionally(new IOException("stream reset: " + frame.getError()));
                        callback.succeeded();
                    }
                }).get(10, TimeUnit.SECONDS);
                stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(body), false)).get(20, TimeUnit.SECONDS);
                stream.headers(new HeadersFrame(stream.getId(), new MetaData(HttpVersion.HTTP_2, trailers), null, true))
                        .get(10, TimeUnit.SECONDS);
                return status.get(20, TimeUnit.SECONDS);
            } finally {
                client.stop();
            }
        }
    }

    /** What the backend got: its protocol, its body's digest, and the trailers after it. */
    record Received(String version, String bodySha256, Map<String, String> trailers) {}

    /**
     * A Jetty backend that records every request: on one port HTTP/1.1 and h2c by prior knowledge,
     * or with TLS, h2 and HTTP/1.1 offered by ALPN.
     */
    private static final class RecordingBackend {
        final AtomicInteger failFirst = new AtomicInteger();
        private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        private LoopbackJetty server;

        void start(HandshakeCertificates tls) throws Exception {
            HttpConfiguration config = new HttpConfiguration();
            Handler recorder = new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) throws Exception {
                    byte[] body = Content.Source.asInputStream(request).readAllBytes();
                    Map<String, String> trailers = new LinkedHashMap<>();
                    HttpFields fields = request.getTrailers();
                    if (fields != null) {
                        for (HttpField field : fields) {
                            trailers.put(field.getName(), field.getValue());
                        }
                    }
                    received.add(new Received(request.getConnectionMetaData().getProtocol(), sha256(body), trailers));
                    response.setStatus(failFirst.getAndDecrement() > 0 ? 503 : 200);
                    Content.Sink.write(response, true, "ok", callback);
                    return true;
                }
            };
            if (tls == null) {
                server = LoopbackJetty.start(recorder, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
            } else {
                SslContextFactory.Server ssl = new SslContextFactory.Server();
                ssl.setSslContext(tls.sslContext());
                ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
                server = LoopbackJetty.start(recorder, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
                        new HTTP2ServerConnectionFactory(config), new HttpConnectionFactory(config));
            }
        }

        int port() {
            return server.port();
        }

        Received take() throws InterruptedException {
            Received next = received.poll(20, TimeUnit.SECONDS);
            assertThat(next).as("a request at the backend").isNotNull();
            return next;
        }

        void stop() throws Exception {
            if (server != null) {
                server.close();
            }
        }
    }
}
