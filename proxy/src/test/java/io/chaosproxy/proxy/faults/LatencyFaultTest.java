package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.RequestFacts;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.PatternServer;
import io.chaosproxy.proxy.testing.RawHttp;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Latency faults: the request waits {@code delayMs} plus or minus {@code jitterMs} before it is
 * forwarded, and the wait is a timer, not a parked thread.
 *
 * <p>Lower bounds are tight (the delay is a promise); upper bounds leave 1.5 s for a loaded
 * two-core machine running other suites at the same time.
 */
class LatencyFaultTest {
    private static final long SEED = 7;
    /** Clock granularity between the proxy's timer and the client's stopwatch. */
    private static final long EARLY_MS = 5;
    /** What a busy CI box may add on top of the delay. */
    private static final long SLACK_MS = 1_500;

    private MockWebServer backend;
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend = FaultTestSupport.backendAnswering("ok");
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(SEED).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void requestIsForwardedOnlyAfterTheDelay() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Latency(400)).build());

        long start = System.nanoTime();
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /orders HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.bodyText()).isEqualTo("ok");
            assertThat(reply.header("X-Request-Id")).isNotBlank();
        }
        long elapsed = FaultTestSupport.millisSince(start);

        assertThat(elapsed).isBetween(400 - EARLY_MS, 400 + SLACK_MS);
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, Duration.ofSeconds(5)).get(0);
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(entry.durationMs()).isGreaterThanOrEqualTo(400 - EARLY_MS);
        assertThat(entry.attempts()).hasSize(1);
        assertThat(rule.fired()).isEqualTo(1);
    }

    @Test
    void backendSeesNothingWhileTheDelayRuns() throws Exception {
        proxy.inject(FaultRule.builder(new Latency(600)).build());

        try (RawHttp client = new RawHttp(url)) {
            long start = System.nanoTime();
            client.send("GET /slow HTTP/1.1\nHost: x", null);
            assertThat(backend.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(FaultTestSupport.millisSince(start)).as("reached the backend after").isGreaterThanOrEqualTo(600 - EARLY_MS);
            assertThat(client.read(false).status()).isEqualTo(200);
        }
    }

    @Test
    void everyRequestWaitsExactlyItsDrawnDelayWithinTheJitterBand() throws Exception {
        long delay = 300;
        long jitter = 200;
        int requests = 60;
        FaultRule latency = FaultRule.builder(new Latency(delay, jitter)).build();
        proxy.inject(latency);

        List<Long> clientMillis = sendConcurrently(requests);

        // The same seed draws the same delays: replay the draws on a fresh engine to know them.
        List<Long> drawn = drawnDelays(latency, requests);
        assertThat(drawn).allSatisfy(ms -> assertThat(ms).isBetween(delay - jitter, delay + jitter));
        assertThat(drawn.stream().distinct().count()).as("distinct delays among %d", requests).isGreaterThan(requests / 2);
        List<Long> journalMillis = proxy.journal().await(JournalQuery.ALL, requests, Duration.ofSeconds(10)).stream()
                .map(JournalEntry::durationMs).sorted().toList();
        List<Long> clientSorted = clientMillis.stream().sorted().toList();
        // Which request got which draw depends on arrival order, but sorted lists still compare
        // element by element: if every wait is at least its own draw, the k-th shortest wait is
        // at least the k-th shortest draw (and the same holds for the upper bound).
        for (int k = 0; k < requests; k++) {
            assertThat(journalMillis.get(k)).as("%d-th shortest exchange", k)
                    .isBetween(drawn.get(k) - EARLY_MS, drawn.get(k) + SLACK_MS);
            assertThat(clientSorted.get(k)).as("%d-th shortest client wait", k)
                    .isGreaterThanOrEqualTo(drawn.get(k) - EARLY_MS);
        }
    }

    @Test
    void twoHundredDelayedRequestsWaitTogetherWithoutAThreadEach() throws Exception {
        long delay = 1_000;
        int requests = 200;
        try (PatternServer fastBackend = new PatternServer().start()) {
            proxy.upstreams(List.of(fastBackend.url()));
            List<Socket> sockets = new ArrayList<>();
            try {
                // Connections first, and one round without faults, so the proxy's pools are warm and
                // the timed round measures the waiting, not a loaded box opening 400 sockets.
                for (int i = 0; i < requests; i++) {
                    sockets.add(new Socket(url.getHost(), url.getPort()));
                }
                sendOnEach(sockets);
                for (Socket socket : sockets) {
                    assertThat(RawHttp.readOneResponse(socket)).startsWith("HTTP/1.1 200");
                }
                int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
                InstalledRule rule = proxy.inject(FaultRule.builder(new Latency(delay)).build());

                long start = System.nanoTime();
                sendOnEach(sockets);
                while (rule.fired() < requests && FaultTestSupport.millisSince(start) < delay) {
                    Thread.sleep(1); // not a spin: on two cores it would starve the proxy it waits for
                }
                int threadsWhileWaiting = ManagementFactory.getThreadMXBean().getThreadCount();
                long busyInTheProxy = FaultTestSupport.threadsRunningProxyCode();
                long answered = proxy.journal().query(JournalQuery.ALL.withFault(rule.id())).size();

                assertThat(busyInTheProxy).as("threads inside the proxy while %d requests wait", requests).isLessThan(10);
                assertThat(threadsWhileWaiting - threadsBefore).as("threads added while %d requests wait", requests)
                        .isLessThan(requests / 4);
                assertThat(rule.fired()).as("requests in their delay at once").isEqualTo(requests);
                assertThat(answered).as("answered before the delay ran out").isZero();

                for (Socket socket : sockets) {
                    assertThat(RawHttp.readOneResponse(socket)).isEqualTo("HTTP/1.1 200 OK\n" + new String(new byte[] {0, 1}));
                    assertThat(FaultTestSupport.millisSince(start)).isGreaterThanOrEqualTo(delay - EARLY_MS);
                }
                assertThat(FaultTestSupport.millisSince(start)).as("all %d answered", requests).isLessThan(delay + SLACK_MS);
                List<JournalEntry> delayed = proxy.journal().await(JournalQuery.ALL.withFault(rule.id()), requests, Duration.ofSeconds(5));
                assertThat(delayed).hasSize(requests)
                        .allSatisfy(entry -> assertThat(entry.durationMs()).isGreaterThanOrEqualTo(delay - EARLY_MS));
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    /**
     * Clients that give up while their requests are delayed or already streaming, then the proxy
     * stopped: a listener noticing a gone client must never block. It once closed the backend's
     * response on Jetty's selector thread while the relay was reading it, which hung the stop
     * for good in about one run in three of this test.
     */
    @Test
    void clientsLeavingMidFlightNeverStallStoppingTheProxy() throws Exception {
        int requests = 200;
        InstalledRule rule = proxy.inject(FaultRule.builder(new Latency(1_000)).build());
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                Socket socket = new Socket(url.getHost(), url.getPort());
                socket.getOutputStream().write("GET /leaving HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                sockets.add(socket);
            }
            // leave while the first answers are on their way and the last are still delayed
            proxy.journal().await(JournalQuery.ALL, 1, Duration.ofSeconds(10));
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        assertThat(rule.fired()).isPositive();

        long start = System.nanoTime();
        proxy.close();
        assertThat(FaultTestSupport.millisSince(start)).as("stopping with exchanges in flight").isLessThan(5_000);
    }

    private static void sendOnEach(List<Socket> sockets) throws Exception {
        byte[] request = "GET /bytes/2 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (Socket socket : sockets) {
            socket.getOutputStream().write(request);
        }
    }

    private static List<Long> drawnDelays(FaultRule rule, int count) {
        FaultEngine engine = new FaultEngine(SEED, Clock.systemUTC());
        engine.install(rule, "test");
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            delays.add(engine.decide(new AnyRequest(), Target.CLIENT).delayMs());
        }
        delays.sort(null);
        return delays;
    }

    private List<Long> sendConcurrently(int count) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            HttpClient client = HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1).build();
            List<CompletableFuture<Long>> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                HttpRequest request = HttpRequest.newBuilder(url.resolve("/jitter/" + i)).timeout(Duration.ofSeconds(10)).build();
                calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    return FaultTestSupport.millisSince(start);
                }));
            }
            List<Long> elapsed = new ArrayList<>();
            for (CompletableFuture<Long> call : calls) {
                elapsed.add(call.get(15, TimeUnit.SECONDS));
            }
            return elapsed;
        } finally {
            executor.shutdownNow();
        }
    }

    /** A request every rule of these tests matches. */
    private record AnyRequest() implements RequestFacts {
        @Override
        public String proxy() {
            return "default";
        }

        @Override
        public String method() {
            return "GET";
        }

        @Override
        public String path() {
            return "/";
        }

        @Override
        public String header(String name) {
            return null;
        }
    }
}
