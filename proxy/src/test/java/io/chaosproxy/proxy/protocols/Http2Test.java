package io.chaosproxy.proxy.protocols;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cleartext HTTP/2 with prior knowledge on the proxy's one listener: forwarding is as faithful as
 * over HTTP/1.1, every fault works per stream, and a dropped stream leaves its neighbours alone.
 */
class Http2Test {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] BODY = randomBytes(100_000);

    private final MockWebServer backend = new MockWebServer();
    /** Requests to /held wait at the backend until this opens. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch heldArrived = new CountDownLatch(1);
    private final Set<Connection> connections = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private ChaosProxyServer proxy;
    private OkHttpClient client;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getTarget().startsWith("/held")) {
                    heldArrived.countDown();
                    release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    return new MockResponse.Builder().body("held " + request.getTarget()).build();
                }
                if (request.getTarget().startsWith("/bytes")) {
                    return new MockResponse.Builder().addHeader("X-Backend", "mock").addHeader("Content-Type", "application/octet-stream")
                            .body(new Buffer().write(BODY)).build();
                }
                return new MockResponse.Builder().addHeader("X-Backend", "mock")
                        .body(request.getMethod() + " " + request.getTarget() + " " + request.getBodySize()).build();
            }
        });
        backend.start(0);
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(7).build().start();
        url = proxy.url();
        client = new OkHttpClient.Builder()
                .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                // the client must see each fault as it happened, not a silent retry of it
                .retryOnConnectionFailure(false)
                .eventListener(new EventListener() {
                    @Override
                    public void connectionAcquired(Call call, Connection connection) {
                        connections.add(connection);
                    }
                })
                .build();
    }

    @AfterEach
    void stop() {
        release.countDown();
        client.dispatcher().executorService().shutdownNow();
        client.connectionPool().evictAll();
        proxy.close();
        backend.close();
    }

    @Test
    void priorKnowledgeClientGetsStatusHeadersAndExactBodyBytes() throws Exception {
        try (Response response = client.newCall(get("/bytes/1?x=1").header("X-Request-Id", "h2-abc").build()).execute()) {
            assertThat(response.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("X-Backend")).isEqualTo("mock");
            assertThat(response.header("X-Request-Id")).isEqualTo("h2-abc");
            assertThat(response.header("Via")).contains("chaos-proxy");
            assertThat(response.body().bytes()).isEqualTo(BODY);
        }
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getTarget()).isEqualTo("/bytes/1?x=1");
        assertThat(seen.getHeaders().get("X-Request-Id")).isEqualTo("h2-abc");
        assertThat(seen.getHeaders().get("Host")).isEqualTo(backend.getHostName() + ":" + backend.getPort());
        assertThat(seen.getHeaders().get("X-Forwarded-Host")).isEqualTo(url.getHost() + ":" + url.getPort());
        assertThat(seen.getHeaders().get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.getHeaders().names()).noneMatch(name -> name.startsWith(":"));
        assertThat(seen.getHeaders().get("traceparent")).isNotNull();
    }

    @Test
    void anUpgradeToH2cIsDeclinedAndTheRequestIsAnsweredOverHttp11() throws Exception {
        // the JDK HttpClient asks for h2c on the first request to every http:// URL
        java.net.http.HttpClient jdk = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();
        java.net.http.HttpResponse<String> response = jdk.send(java.net.http.HttpRequest.newBuilder(url.resolve("/upgrade")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("GET /upgrade 0");
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getHeaders().get("Upgrade")).isNull();
        assertThat(seen.getHeaders().get("HTTP2-Settings")).isNull();
    }

    @Test
    void requestBodyGoesUpstreamIntactAndTheRequestIdIsGeneratedWhenMissing() throws Exception {
        byte[] upload = randomBytes(70_000);
        Request post = new Request.Builder().url(url.resolve("/upload").toString())
                .post(RequestBody.create(upload, MediaType.get("application/octet-stream"))).build();
        try (Response response = client.newCall(post).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("POST /upload " + upload.length);
            assertThat(response.header("X-Request-Id")).isNotBlank();
        }
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getBody().toByteArray()).isEqualTo(upload);
    }

    @Test
    void aStreamedBodyOfUnknownLengthIsForwardedWhateverTheMethod() throws Exception {
        byte[] upload = randomBytes(50_000);
        RequestBody streamed = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/octet-stream");
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws IOException {
                sink.write(upload, 0, 20_000);
                sink.flush();
                sink.write(upload, 20_000, upload.length - 20_000);
            }
        };
        // no Content-Length: over HTTP/2 the body is DATA frames until END_STREAM, as chunked is over HTTP/1.1
        try (Response response = client.newCall(new Request.Builder().url(url.resolve("/streamed").toString())
                .method("DELETE", streamed).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("DELETE /streamed " + upload.length);
        }
        assertThat(backend.takeRequest(10, TimeUnit.SECONDS).getBody().toByteArray()).isEqualTo(upload);
    }

    @Test
    void aGetWithoutBodyArrivesWithoutOne() throws Exception {
        try (Response response = client.newCall(get("/plain").build()).execute()) {
            assertThat(response.body().string()).isEqualTo("GET /plain 0");
        }
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getHeaders().get("Content-Length")).isNull();
        assertThat(seen.getHeaders().get("Transfer-Encoding")).isNull();
    }

    @Test
    void anAuthorityNamingAnotherHostIsOnlyAHostHeaderAndGoesToTheConfiguredBackend() throws Exception {
        // OkHttp sends a Host header as the :authority pseudo-header
        try (Response response = client.newCall(get("/where").header("Host", "elsewhere.example:8443").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("GET /where 0");
        }
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getHeaders().get("Host")).isEqualTo(backend.getHostName() + ":" + backend.getPort());
        assertThat(seen.getHeaders().get("X-Forwarded-Host")).isEqualTo("elsewhere.example:8443");
    }

    @Test
    void hopByHopHeadersAreRemovedOverHttp2Too() throws Exception {
        // HTTP/2 forbids connection-specific headers on the wire; the ones a client may send still stop here
        try (Response response = client.newCall(get("/hop").header("Proxy-Authorization", "Basic c2VjcmV0").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getHeaders().get("Proxy-Authorization")).isNull();
    }

    @Test
    void manyConcurrentStreamsShareOneConnectionAndEachGetsItsOwnAnswer() throws Exception {
        int streams = 24;
        // one call first, so that the connection exists before the burst (two connects finishing
        // together could otherwise both be pooled by OkHttp)
        try (Response first = client.newCall(get("/concurrent/first").build()).execute()) {
            assertThat(first.code()).isEqualTo(200);
        }
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            answers.add(enqueue(get("/concurrent/" + i).build()));
        }
        for (int i = 0; i < streams; i++) {
            assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("200 GET /concurrent/" + i + " 0");
        }
        assertThat(connections).hasSize(1);
        assertThat(proxy.journal().await(JournalQuery.ALL, streams + 1, WAIT)).hasSize(streams + 1);
    }

    @Test
    void aMethodThatIsNotATokenIsRefusedNotSpliced() throws Exception {
        // over HTTP/1.1 the request line would read "GET /admin HTTP/1.1 /x HTTP/1.1"
        try (Response response = client.newCall(new Request.Builder().url(proxy.url().resolve("/x").toString())
                .method("GET /admin HTTP/1.1", null).build()).execute()) {
            assertThat(response.code()).isEqualTo(400);
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void cookiesSplitOverSeveralFieldsReachTheBackendAsOneHeader() throws Exception {
        try (Response response = client.newCall(get("/cookies").addHeader("Cookie", "a=1").addHeader("Cookie", "b=2").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getHeaders().values("Cookie")).containsExactly("a=1; b=2");
    }

    @Test
    void latencyFaultDelaysTheStream() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Latency(300)).build());
        long start = System.nanoTime();
        try (Response response = client.newCall(get("/slow").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("GET /slow 0");
        }
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(300);
        assertThat(proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0).faults()).containsExactly(rule.id());
    }

    @Test
    void errorFaultAnswersWithItsStatusBodyHeadersAndTheRequestId() throws Exception {
        proxy.inject(FaultRule.builder(new ErrorResponse(503, "try later", Map.of("Retry-After", "1"))).build());
        try (Response response = client.newCall(get("/orders").header("X-Request-Id", "err-1").build()).execute()) {
            assertThat(response.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
            assertThat(response.code()).isEqualTo(503);
            assertThat(response.header("Retry-After")).isEqualTo("1");
            assertThat(response.header("X-Request-Id")).isEqualTo("err-1");
            assertThat(response.body().string()).isEqualTo("try later");
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void bandwidthFaultThrottlesTheStreamAndKeepsEveryByte() throws Exception {
        proxy.inject(FaultRule.builder(new Bandwidth(200_000)).build());
        long start = System.nanoTime();
        try (Response response = client.newCall(get("/bytes/throttled").build()).execute()) {
            assertThat(response.body().bytes()).isEqualTo(BODY);
        }
        // 100,000 bytes at 200,000 bytes/s: half a second at least
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(450);
    }

    @Test
    void hangHoldsOnlyItsStreamUntilTheRuleIsRemoved() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).path("/hung").build());
        CompletableFuture<String> hung = enqueue(get("/hung").build());
        awaitFired(rule);
        // the connection is not blocked: another stream on it goes through meanwhile
        assertThat(enqueue(get("/free").build()).get(10, TimeUnit.SECONDS)).isEqualTo("200 GET /free 0");
        assertThat(hung).isNotDone();

        proxy.faults().remove(rule.id());

        assertThat(hung.get(10, TimeUnit.SECONDS)).isEqualTo("200 GET /hung 0");
        assertThat(connections).hasSize(1);
    }

    @Test
    void aClientThatCancelsAHungStreamKeepsItsConnection() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).path("/hung").build());
        Call hung = client.newCall(get("/hung").build());
        CompletableFuture<String> answer = new CompletableFuture<>();
        hung.enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                answer.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call call, Response response) {
                response.close();
                answer.complete("answered");
            }
        });
        awaitFired(rule);

        hung.cancel(); // RST_STREAM(CANCEL) from the client

        assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        JournalEntry gaveUp = proxy.journal().await(JournalQuery.ALL.withFault(rule.id()), 1, WAIT).get(0);
        assertThat(gaveUp.status()).isNull();
        assertThat(enqueue(get("/after").build()).get(10, TimeUnit.SECONDS)).isEqualTo("200 GET /after 0");
        assertThat(connections).as("the proxy ended the stream, not the connection").hasSize(1);
        assertThat(backend.getRequestCount()).isEqualTo(1);
    }

    @Test
    void aGracefulStopLetsAStreamInFlightFinish() throws Exception {
        // the latency outlasts the one second Jetty gives idle connections once a stop begins
        InstalledRule rule = proxy.inject(FaultRule.builder(new Latency(1_500)).build());
        CompletableFuture<String> inFlight = enqueue(get("/draining").build());
        awaitFired(rule);

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> proxy.stop(Duration.ofSeconds(10)));

        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("200 GET /draining 0");
        stopped.get(10, TimeUnit.SECONDS);
    }

    @Test
    void dropResetResetsOnlyItsStreamAndAnotherStreamOnTheConnectionSurvives() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET)).path("/dropped").build());
        CompletableFuture<String> held = enqueue(get("/held/1").build());
        assertThat(heldArrived.await(10, TimeUnit.SECONDS)).isTrue(); // the other stream is in flight

        assertThatThrownBy(() -> client.newCall(get("/dropped").build()).execute())
                .isInstanceOfSatisfying(StreamResetException.class,
                        reset -> assertThat(reset.errorCode).isEqualTo(ErrorCode.INTERNAL_ERROR));

        release.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("200 held /held/1");
        assertThat(connections).as("both streams on one connection").hasSize(1);
        JournalEntry dropped = proxy.journal().await(JournalQuery.ALL.withFault(rule.id()), 1, WAIT).get(0);
        assertThat(dropped.status()).isNull();
        assertThat(dropped.attempts()).isEmpty();
    }

    @Test
    void dropResetMidBodyResetsTheStreamAfterTheHeadersAndSomeBytes() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, 10_000, DropMode.RESET)).build());
        try (Response response = client.newCall(get("/bytes/cut").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            Buffer received = new Buffer();
            assertThatThrownBy(() -> {
                while (response.body().source().read(received, 8192) != -1) {
                    // keep reading until the reset
                }
            }).isInstanceOf(StreamResetException.class);
            assertThat(received.size()).isEqualTo(10_000);
            assertThat(received.readByteArray()).isEqualTo(java.util.Arrays.copyOf(BODY, 10_000));
        }
    }

    @Test
    void dropCloseEndsTheWholeConnectionAndEveryStreamOnIt() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.CLOSE)).path("/dropped").build());
        CompletableFuture<String> held = enqueue(get("/held/2").build());
        assertThat(heldArrived.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> client.newCall(get("/dropped").build()).execute()).isInstanceOf(IOException.class);

        assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        // a new connection works
        try (Response response = client.newCall(get("/after").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        assertThat(connections).hasSize(2);
    }

    /** Unlike an HTTP/1.1 client's, whose upload it reads to its end first: a stream needs no connection kept. */
    @Test
    void anUpstreamErrorReachesAnHttp2ClientWhileItsUploadIsStillOpen() throws Exception {
        proxy.inject(FaultRule.builder(new ErrorResponse(503)).target(io.chaosproxy.faults.Target.UPSTREAM).build());
        CompletableFuture<okio.BufferedSink> upload = new CompletableFuture<>();
        RequestBody streaming = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/octet-stream");
            }

            @Override
            public boolean isDuplex() {
                return true;
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws IOException {
                sink.writeUtf8("the first part of an upload that goes on").flush();
                upload.complete(sink); // left open: the upload ends only when the test closes it
            }
        };

        try (Response response = client.newCall(new Request.Builder().url(url.resolve("/uploads").toString())
                .post(streaming).build()).execute()) {
            assertThat(response.code()).as("answered while the client still sends").isEqualTo(503);
            upload.get(10, TimeUnit.SECONDS).close();
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    private Request.Builder get(String path) {
        return new Request.Builder().url(url.resolve(path).toString());
    }

    /** Runs a call asynchronously; the future holds "status body". */
    private CompletableFuture<String> enqueue(Request request) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        client.newCall(request).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                answer.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    answer.complete(response.code() + " " + response.body().string());
                } catch (IOException e) {
                    answer.completeExceptionally(e);
                }
            }
        });
        return answer;
    }

    private static void awaitFired(InstalledRule rule) {
        await("the rule fired").atMost(WAIT).until(() -> rule.fired() >= 1);
        assertThat(rule.fired()).isEqualTo(1);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
