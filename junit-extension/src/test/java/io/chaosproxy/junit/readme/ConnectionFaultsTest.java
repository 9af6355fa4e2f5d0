package io.chaosproxy.junit.readme;

// The README's examples of the stall mid-body, the after-backend faults and the lognormal latency
// ("Faults"), line for line: each is a test of a service's client, and each runs.
import static io.chaosproxy.junit.Faults.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.junit.ChaosProxy;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ChaosProxy.class)
class ConnectionFaultsTest {
    @StartStop final MockWebServer backend = new MockWebServer();
    @StartStop final MockWebServer warmUp = new MockWebServer();   // not in the README: see below
    final ChaosProxy proxy;
    // the service's HTTP client, as configured in production: a 1 s read timeout
    final OkHttpClient http = new OkHttpClient.Builder()
            .readTimeout(Duration.ofSeconds(1))
            .retryOnConnectionFailure(false)
            .build();

    ConnectionFaultsTest(ChaosProxy proxy) { this.proxy = proxy; }

    @BeforeEach
    void pointTheClientAtTheBackendThroughTheProxy() throws IOException {
        // A first exchange through a fresh JVM pays for class loading, which a 1 s timeout would
        // measure instead of the fault; it goes to another backend, so the counts below stay exact.
        proxy.upstream(warmUp.url("/"));
        warmUp.enqueue(new MockResponse.Builder().code(200).build());
        http.newBuilder().readTimeout(Duration.ofSeconds(30)).build().newCall(get("/warm-up")).execute().close();
        proxy.upstream(backend.url("/"));
        backend.enqueue(new MockResponse.Builder().code(200).body("x".repeat(100_000)).build());
    }

    Request get(String path) {
        return new Request.Builder().url(proxy.url().resolve(path).toString()).build();
    }

    @Test
    void aReportThatStopsHalfWayIsAReadTimeoutNotAnEndOfStream() throws IOException {
        proxy.inject(hang().midBody(1024).onPath("/reports/**"));
        try (Response response = http.newCall(get("/reports/2024")).execute()) {
            assertThat(response.code()).isEqualTo(200);                    // status and headers came
            assertThatThrownBy(() -> response.body().string())             // the body never ends:
                    .isInstanceOf(SocketTimeoutException.class);           // only the read timeout saves us
        }
    }

    @Test
    void aPaymentWhoseAnswerIsLostWasStillTaken() {
        proxy.inject(drop().afterBackend().onMethods("POST"));
        Request pay = new Request.Builder().url(proxy.url().resolve("/payments").toString())
                .post(RequestBody.create("{\"amount\":100}", MediaType.get("application/json"))).build();
        assertThatThrownBy(() -> http.newCall(pay).execute())
                .isInstanceOf(IOException.class);                          // connection reset...
        assertThat(backend.getRequestCount()).isEqualTo(1);                // ...after the backend charged
    }

    @Test
    void aTimeoutAfterTheBackendAnsweredMeansTheWorkWasDone() {
        proxy.inject(latency(Duration.ofSeconds(3)).afterBackend());
        assertThatThrownBy(() -> http.newCall(get("/orders/7")).execute())
                .isInstanceOf(SocketTimeoutException.class);               // the client gave up...
        assertThat(backend.getRequestCount()).isEqualTo(1);                // ...the backend had answered
    }

    @Test
    void aLongTailStaysWithinTheTimeoutBudget() throws IOException {
        proxy.inject(latency(Duration.ofMillis(20)).lognormal(Duration.ofMillis(200)));   // median, p99
        for (int i = 0; i < 20; i++) {
            backend.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            try (Response response = http.newCall(get("/prices")).execute()) {
                assertThat(response.code()).isEqualTo(200);                // a 1 s timeout covers the p99
            }
        }
    }
}
