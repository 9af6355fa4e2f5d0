package io.chaosproxy.proxy.reliability;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.protocols.TestCertificates;
import io.chaosproxy.proxy.testing.LocalSockets;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that gives up while the proxy holds its request (a hang, a latency, a slow backend) is
 * noticed at once, over HTTP/1.1, HTTP/2 and TLS: the proxy's socket is closed, the exchange is
 * journaled as given up, and the request never reaches the backend afterwards (nor does the retry
 * of a client that leaves while the proxy backs off). A reset ends the
 * exchanges its removed rules held instead of letting them go on to the backend.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AbandonedExchangeTest {
    private static final Duration NOTICE = Duration.ofSeconds(5);
    /** Longer than any test here runs: a latency this long can only end early. */
    private static final long LONG_MS = 120_000;

    @TempDir
    Path dir;
    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    /** When each attempt at a {@code /backoff/} path reached the backend ({@link System#nanoTime()}). */
    private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();
    private MockWebServer backend;
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void startBackend() throws Exception {
        backend = new MockWebServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getTarget().startsWith("/backoff/")) {
                    arrivals.computeIfAbsent(request.getTarget(), target -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
                    return new MockResponse.Builder().code(503).body("busy").build(); // retryable: the proxy backs off
                }
                if (request.getTarget().startsWith("/slow")) {
                    slowArrived.countDown();
                    releaseSlow.await(30, TimeUnit.SECONDS);
                }
                return new MockResponse.Builder().body("answered " + request.getTarget()).build();
            }
        });
        backend.start();
    }

    private void startProxy(ChaosProxyServer.Builder builder) throws Exception {
        proxy = builder.upstream(backend.url("/").toString()).seed(3).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() {
        releaseSlow.countDown();
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    @Test
    void aClientLeavingDuringAHangIsNoticedAtOnceAndItsRequestNeverReachesTheBackend() throws Exception {
        startProxy(ChaosProxyServer.builder());
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write("DELETE /orders/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            await("the hang rule fired").atMost(NOTICE).until(() -> rule.fired() == 1);
        }
        assertGivenUp();
        proxy.faults().remove(rule.id());
        assertOnlyTheNextRequestReachesTheBackend();
    }

    @Test
    void aClientLeavingDuringAClientSideLatencyIsNoticedAtOnce() throws Exception {
        startProxy(ChaosProxyServer.builder());
        InstalledRule rule = proxy.inject(FaultRule.builder(new Latency(LONG_MS, 0)).build());
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write("GET /later HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await("the latency rule fired").atMost(NOTICE).until(() -> rule.fired() == 1);
        }
        assertGivenUp();
        proxy.faults().remove(rule.id());
        assertOnlyTheNextRequestReachesTheBackend();
    }

    @Test
    void aClientLeavingDuringAnUpstreamLatencyIsNoticedAtOnce() throws Exception {
        startProxy(ChaosProxyServer.builder());
        InstalledRule rule = proxy.inject(FaultRule.builder(new Latency(LONG_MS, 0)).target(Target.UPSTREAM).build());
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write("DELETE /item HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await("the latency rule fired").atMost(NOTICE).until(() -> rule.fired() == 1);
        }
        assertGivenUp();
        proxy.faults().remove(rule.id());
        assertOnlyTheNextRequestReachesTheBackend();
    }

    @Test
    void aClientLeavingWhileTheBackendIsSlowIsNoticedAndTheUpstreamCallCancelled() throws Exception {
        startProxy(ChaosProxyServer.builder());
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(slowArrived.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertGivenUp();
    }

    @Test
    void aClientLeavingDuringAHangOverTlsIsNoticedAtOnce() throws Exception {
        HeldCertificate ca = TestCertificates.ca("abandon-ca");
        HeldCertificate listener = TestCertificates.server(ca, false);
        startProxy(ChaosProxyServer.builder()
                .tls(TestCertificates.certificatePem(dir, "cert.pem", listener), TestCertificates.keyPem(dir, "key.pem", listener)));
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());
        OkHttpClient client = TestCertificates.clientTrusting(ca).protocols(List.of(Protocol.HTTP_1_1)).build();
        Call call = client.newCall(new Request.Builder().url(url.resolve("/tls").toString()).build());
        call.enqueue(ignoring());
        await("the hang rule fired").atMost(NOTICE).until(() -> rule.fired() == 1);
        call.cancel(); // closes the TLS connection

        assertGivenUp();
        proxy.faults().remove(rule.id());
        try (Response next = client.newCall(new Request.Builder().url(url.resolve("/next").toString()).build()).execute()) {
            assertThat(next.body().string()).isEqualTo("answered /next");
        }
        assertThat(backend.getRequestCount()).isEqualTo(1);
        assertThat(backend.takeRequest().getTarget()).isEqualTo("/next");
    }

    @Test
    void aClientResettingItsHttp2StreamDuringAHangIsNoticedAtOnce() throws Exception {
        startProxy(ChaosProxyServer.builder());
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());
        OkHttpClient client = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
        Call call = client.newCall(new Request.Builder().url(url.resolve("/h2").toString()).build());
        call.enqueue(ignoring());
        await("the hang rule fired").atMost(NOTICE).until(() -> rule.fired() == 1);
        call.cancel(); // RST_STREAM; the connection stays

        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, NOTICE).get(0);
        assertThat(entry.error()).contains("gave up");
        proxy.faults().remove(rule.id());
        assertOnlyTheNextRequestReachesTheBackend();
        client.connectionPool().evictAll();
    }

    @Test
    void aResetEndsTheExchangesItsRulesHeldInsteadOfForwardingThem() throws Exception {
        startProxy(ChaosProxyServer.builder());
        InstalledRule hang = proxy.inject(FaultRule.builder(new Hang()).path("/held/**").build());
        InstalledRule latency = proxy.inject(FaultRule.builder(new Latency(LONG_MS, 0)).path("/late/**").build());
        InstalledRule upstreamHang = proxy.inject(FaultRule.builder(new Hang()).target(Target.UPSTREAM).path("/up/**").build());
        try (Socket held = send("POST /held/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
             Socket late = send("POST /late/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
             Socket up = send("GET /up/1 HTTP/1.1\r\nHost: x\r\n\r\n")) {
            await("every rule fired").atMost(NOTICE).until(() -> hang.fired() == 1 && latency.fired() == 1 && upstreamHang.fired() == 1);

            proxy.reset();

            for (Socket client : List.of(held, late, up)) {
                assertThat(readToEnd(client)).as("what the client got when the reset ended its exchange").isEmpty();
            }
        }
        assertOnlyTheNextRequestReachesTheBackend();
    }

    @Test
    void aClientLeavingDuringARetryBackoffIsNoticedAndTheRetryIsNeverSent() throws Exception {
        // each backoff is uniform in 0-30 s (full jitter): a client leaves well inside it, but for a
        // draw of a few milliseconds, and only a backoff that is cancelled ends the exchange at once
        startProxy(ChaosProxyServer.builder().resilience(ResilienceSettings.builder()
                .maxAttempts(3)
                .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30))
                .retryBudget(1.0, 1000, Duration.ofSeconds(10))
                .breakerFailures(0)
                .build()));
        int exchanges = 10;
        Map<String, Long> leftAt = new HashMap<>();
        for (int i = 0; i < exchanges; i++) {
            String path = "/backoff/" + i;
            try (Socket client = send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")) {
                await("the first attempt at " + path).atMost(NOTICE)
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                        .until(() -> arrivals.containsKey(path));
            }
            leftAt.put(path, System.nanoTime());
            // journaled when it ends: a backoff left to run would hold it for seconds
            assertThat(proxy.journal().await(JournalQuery.ALL, i + 1, NOTICE)).as("exchanges ended").hasSize(i + 1);
        }

        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, exchanges, NOTICE);
        assertThat(entries).hasSize(exchanges).allSatisfy(entry -> assertThat(entry.error()).contains("gave up"));
        leftAt.forEach((path, left) -> assertThat(arrivals.get(path).stream().map(arrived -> (arrived - left) / 1_000_000))
                .as("attempts at %s, in ms after its client left", path)
                .allSatisfy(ms -> assertThat(ms).isLessThan(500))); // the close noticed, on a loaded machine
        long retried = arrivals.values().stream().filter(attempts -> attempts.size() > 1).count();
        assertThat(retried).as("exchanges whose retry reached the backend").isLessThanOrEqualTo(1);
        await("no proxy socket left in CLOSE-WAIT").atMost(NOTICE).until(() -> LocalSockets.closeWaitOn(url.getPort()) == 0);
    }

    private Socket send(String request) throws Exception {
        Socket client = new Socket(url.getHost(), url.getPort());
        client.setSoTimeout(10_000);
        client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        return client;
    }

    private static String readToEnd(Socket client) throws Exception {
        InputStream in = client.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private void assertGivenUp() throws InterruptedException {
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, NOTICE).get(0);
        assertThat(entry.status()).isNull();
        assertThat(entry.error()).contains("gave up");
        await("no proxy socket left in CLOSE-WAIT").atMost(NOTICE).until(() -> LocalSockets.closeWaitOn(url.getPort()) == 0);
    }

    private void assertOnlyTheNextRequestReachesTheBackend() throws Exception {
        int before = backend.getRequestCount();
        try (RawHttp next = new RawHttp(url)) {
            assertThat(next.send("GET /next HTTP/1.1\nHost: x", null).read(false).bodyText()).isEqualTo("answered /next");
        }
        assertThat(backend.getRequestCount()).isEqualTo(before + 1);
        assertThat(backend.takeRequest().getTarget()).isEqualTo("/next");
    }

    private static Callback ignoring() {
        return new Callback() {
            @Override
            public void onFailure(Call call, java.io.IOException e) {}

            @Override
            public void onResponse(Call call, Response response) {
                response.close();
            }
        };
    }
}
