package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.LatencyPoint;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults after the backend acted: the request reaches the backend, which answers, and then the
 * client's connection is cut ({@code drop}) or the answer is held ({@code latency}). What a client
 * that retries on a timeout must survive: the backend has already done the work once.
 */
class AfterBackendFaultTest {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final long HOLD_MS = 1500;
    /** Clients here time out well before a held answer comes and well after the backend has answered. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofMillis(1000);
    private static final long LONG_HOLD_MS = 4000;

    private final Payments payments = new Payments();
    private MockWebServer backend;
    private ChaosProxyServer proxy;

    /**
     * A payment service: {@code POST /payments} charges once per request, or once per
     * {@code Idempotency-Key} when the client sends one (a repeated key gets the first answer again).
     */
    static final class Payments extends Dispatcher {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger charges = new AtomicInteger();
        final Map<String, Integer> chargeByKey = new ConcurrentHashMap<>();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            requests.incrementAndGet();
            String key = request.getHeaders().get("Idempotency-Key");
            int charge = key == null ? charges.incrementAndGet() : chargeByKey.computeIfAbsent(key, k -> charges.incrementAndGet());
            return new MockResponse.Builder().code(201).body("{\"charge\":" + charge + "}").build();
        }
    }

    @BeforeEach
    void start() throws IOException {
        backend = new MockWebServer();
        backend.setDispatcher(payments);
        backend.start(0);
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(3).build().start();
        // the first exchange of a fresh proxy pays for class loading: not what the timeouts here measure
        assertThat(RawHttp.sendAndReadToEnd(proxy.url(), "GET /warm-up HTTP/1.1\nHost: x\nConnection: close",
                Duration.ofSeconds(10)).end()).isEqualTo(RawHttp.End.FIN);
        payments.requests.set(0);
        payments.charges.set(0);
        proxy.journal().clear();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private Request pay(String idempotencyKey) {
        Request.Builder request = new Request.Builder().url(proxy.url().resolve("/payments").toString())
                .post(RequestBody.create("{\"amount\":100}", JSON));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.build();
    }

    private JournalEntry onlyEntry() throws InterruptedException {
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL.withPath("/payments"), 1, Duration.ofSeconds(5));
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }

    @Test
    void aDropAfterTheBackendCutsTheClientOnceTheBackendHasCharged() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.RESET)).build());
        OkHttpClient client = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

        Throwable failure = catchThrowable(() -> client.newCall(pay(null)).execute().close());

        assertThat(failure).isInstanceOf(IOException.class).isNotInstanceOf(SocketTimeoutException.class);
        assertThat(payments.charges.get()).as("the backend charged before the client lost its connection").isEqualTo(1);
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).as("what the client got").isNull();
        assertThat(entry.error()).isEqualTo("dropped (reset) after the backend answered 201");
        assertThat(entry.attempts()).singleElement().satisfies(attempt -> assertThat(attempt.status()).isEqualTo(201));
        assertThat(entry.faults()).containsExactly(rule.id());
    }

    @Test
    void aCloseAfterTheBackendIsAnEndOfStreamWithNoStatus() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.CLOSE)).build());

        RawHttp.Ending ending = RawHttp.sendAndReadToEnd(proxy.url(),
                "POST /payments HTTP/1.1\nHost: x\nContent-Length: 0", Duration.ofSeconds(5));

        assertThat(ending.end()).isEqualTo(RawHttp.End.FIN);
        assertThat(ending.received()).as("not a byte of the answer").isEmpty();
        assertThat(payments.charges.get()).isEqualTo(1);
    }

    @Test
    void aLatencyAfterTheBackendHoldsItsAnswerWhileTheBackendIsAlreadyDone() throws Exception {
        proxy.inject(FaultRule.builder(new Latency(HOLD_MS).at(LatencyPoint.AFTER_BACKEND)).build());
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

        long start = System.nanoTime();
        try (Response response = client.newCall(pay(null)).execute()) {
            assertThat(response.code()).isEqualTo(201);
            assertThat(response.body().string()).isEqualTo("{\"charge\":1}");
        }

        assertThat(FaultTestSupport.millisSince(start)).isGreaterThanOrEqualTo(HOLD_MS);
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).isEqualTo(201);
        assertThat(entry.durationMs()).isGreaterThanOrEqualTo(HOLD_MS);
        // the backend's own part was quick: the wait was after it
        assertThat(entry.attempts()).singleElement().satisfies(attempt -> {
            assertThat(attempt.status()).isEqualTo(201);
            assertThat(attempt.durationMs()).isLessThan(HOLD_MS);
        });
    }

    @Test
    void aClientReadTimeoutFiresAfterTheBackendHasCharged() throws Exception {
        proxy.inject(FaultRule.builder(new Latency(LONG_HOLD_MS).at(LatencyPoint.AFTER_BACKEND)).build());
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(CLIENT_TIMEOUT).build();

        assertThatThrownBy(() -> client.newCall(pay(null)).execute().close()).isInstanceOf(SocketTimeoutException.class);

        assertThat(payments.charges.get()).as("charged although the client saw only a timeout").isEqualTo(1);
    }

    @Test
    void theJdkClientTimesOutTooAfterTheBackendHasCharged() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // the JDK client's own first call starts its selector thread: not what the timeout measures
        assertThat(client.send(HttpRequest.newBuilder(proxy.url().resolve("/warm-up")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(201);
        proxy.inject(FaultRule.builder(new Latency(LONG_HOLD_MS).at(LatencyPoint.AFTER_BACKEND)).build());

        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(proxy.url().resolve("/payments"))
                        .timeout(CLIENT_TIMEOUT)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);

        assertThat(payments.charges.get()).as("the warm-up and the payment").isEqualTo(2);
    }

    /** The service under test's way to pay: one retry after a read timeout, with or without a key. */
    private static String payWithOneRetry(OkHttpClient client, Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            return response.body().string();
        } catch (SocketTimeoutException firstTryTimedOut) {
            try (Response response = client.newCall(request).execute()) {
                return response.body().string();
            }
        }
    }

    @Test
    void retryingAPostAfterATimeoutChargesTwiceWithoutAnIdempotencyKey() throws Exception {
        proxy.inject(FaultRule.builder(new Latency(LONG_HOLD_MS).at(LatencyPoint.AFTER_BACKEND)).times(1).build());
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(CLIENT_TIMEOUT).build();

        String answer = payWithOneRetry(client, pay(null));

        assertThat(answer).isEqualTo("{\"charge\":2}");
        assertThat(payments.requests.get()).isEqualTo(2);
        assertThat(payments.charges.get()).as("the classic double charge").isEqualTo(2);
    }

    @Test
    void withAnIdempotencyKeyTheBackendTellsTheRetryFromANewPayment() throws Exception {
        proxy.inject(FaultRule.builder(new Latency(LONG_HOLD_MS).at(LatencyPoint.AFTER_BACKEND)).times(1).build());
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(CLIENT_TIMEOUT).build();

        String answer = payWithOneRetry(client, pay("order-42"));

        assertThat(answer).isEqualTo("{\"charge\":1}");
        assertThat(payments.requests.get()).as("the backend saw the POST twice").isEqualTo(2);
        assertThat(payments.chargeByKey).containsOnlyKeys("order-42");
        assertThat(payments.charges.get()).as("and charged once").isEqualTo(1);
    }

    @Test
    void aDropAfterTheBackendMakesARetryingClientPayTwice() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.RESET)).times(1).build());
        OkHttpClient client = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

        String answer;
        try (Response response = client.newCall(pay(null)).execute()) {
            answer = response.body().string();
        } catch (IOException connectionLost) {
            try (Response response = client.newCall(pay(null)).execute()) {
                answer = response.body().string();
            }
        }

        assertThat(answer).isEqualTo("{\"charge\":2}");
        assertThat(payments.charges.get()).isEqualTo(2);
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL.withPath("/payments"), 2, Duration.ofSeconds(5));
        assertThat(entries).extracting(JournalEntry::status).containsExactly(null, 201);
    }
}
