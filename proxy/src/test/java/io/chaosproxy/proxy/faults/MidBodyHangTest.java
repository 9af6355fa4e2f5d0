package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.PatternServer;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stall mid-body: status, headers and exactly {@code afterBytes} of body, then nothing on an
 * open connection until the rule goes (then the rest flows) or the client's read timeout fires.
 */
class MidBodyHangTest {
    private static final int BODY = 100_000;
    private static final int AFTER = 1024;
    private static final Duration SILENCE = Duration.ofMillis(300);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

    private PatternServer backend;
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend = new PatternServer().start();
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(5).build().start();
        url = proxy.url();
        // the first exchange of a fresh proxy pays for class loading: not what the timeouts here measure
        assertThat(RawHttp.sendAndReadToEnd(url, "GET /bytes/10 HTTP/1.1\nHost: x\nConnection: close", Duration.ofSeconds(10))
                .end()).isEqualTo(RawHttp.End.FIN);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    private InstalledRule stallAfter(long bytes, Target target) {
        return proxy.inject(FaultRule.builder(Hang.midBody(bytes)).path("/bytes/**").target(target).build());
    }

    /** What a client read before its read failed, and how it failed. */
    private record Partial(byte[] body, Throwable failure) {
    }

    private static Partial readUntilFailure(InputStream body) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Throwable failure = catchThrowable(() -> {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = body.read(buffer)) != -1) {
                received.write(buffer, 0, n);
            }
        });
        return new Partial(received.toByteArray(), failure);
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        PatternServer.fill(bytes, 0, length);
        return bytes;
    }

    @Test
    void okHttpGetsTheStatusAndExactlyAfterBytesThenAReadTimeout() throws Exception {
        stallAfter(AFTER, Target.CLIENT);
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(READ_TIMEOUT).build();

        Partial partial;
        try (Response response = client.newCall(new Request.Builder().url(url.resolve("/bytes/" + BODY).toString()).build())
                .execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("Content-Length")).isEqualTo(Integer.toString(BODY));
            partial = readUntilFailure(response.body().byteStream());
        }

        // a read timeout, not a connection error and not a complete body
        assertThat(partial.failure()).isInstanceOf(SocketTimeoutException.class);
        assertThat(partial.body()).isEqualTo(pattern(AFTER));
        // OkHttp closed the connection it gave up on: the proxy notices at once, while still holding
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL.withPath("/bytes/" + BODY), 1, Duration.ofSeconds(5)).get(0);
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.error()).isEqualTo("client gave up during a mid-body hang after " + AFTER + " body bytes");
        assertThat(proxy.faults().rules()).hasSize(1);
    }

    @Test
    void aResetEndsAStalledExchangeInsteadOfLettingTheRestFlow() throws Exception {
        stallAfter(AFTER, Target.CLIENT);

        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write(("GET /bytes/" + BODY + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Ending held = RawHttp.readToEnd(client, SILENCE);
            assertThat(held.bodyBytes()).isEqualTo(pattern(AFTER));

            proxy.reset();

            RawHttp.Ending ended = RawHttp.readToEnd(client, Duration.ofSeconds(10));
            assertThat(ended.end()).isNotEqualTo(RawHttp.End.STILL_OPEN);
            assertThat(ended.received()).as("not a byte more").isEmpty();
        }
    }

    @Test
    void jdkHttpClientGetsTheHeadersThenItsBodyNeverCompletes() throws Exception {
        stallAfter(AFTER, Target.CLIENT);
        HttpClient client = HttpClient.newHttpClient();

        // HttpRequest.timeout() covers the wait for the headers, which arrive: the answer is a 200
        HttpResponse<InputStream> response = client.send(
                HttpRequest.newBuilder(url.resolve("/bytes/" + BODY)).timeout(READ_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (InputStream body = response.body()) {
            assertThat(body.readNBytes(AFTER)).isEqualTo(pattern(AFTER));
            // then the body stalls: only a bound the service sets itself ends the wait
            CompletableFuture<Integer> next = CompletableFuture.supplyAsync(() -> {
                try {
                    return body.read();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(catchThrowable(() -> next.get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)))
                    .isInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void theConnectionStaysOpenAndSilentUntilTheRuleIsRemovedThenTheRestFlows() throws Exception {
        InstalledRule rule = stallAfter(AFTER, Target.CLIENT);

        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write(("GET /bytes/" + BODY + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Ending held = RawHttp.readToEnd(client, SILENCE.plus(SILENCE));
            assertThat(held.end()).isEqualTo(RawHttp.End.STILL_OPEN);
            assertThat(held.text()).startsWith("HTTP/1.1 200");
            assertThat(held.bodyBytes()).isEqualTo(pattern(AFTER));
            assertThat(proxy.journal().size()).as("only the warm-up is over").isEqualTo(1);

            assertThat(proxy.faults().remove(rule.id())).isTrue();

            RawHttp.Ending rest = RawHttp.readToEnd(client, Duration.ofSeconds(10));
            assertThat(rest.end()).isEqualTo(RawHttp.End.FIN);
            byte[] whole = new byte[BODY];
            System.arraycopy(held.bodyBytes(), 0, whole, 0, AFTER);
            System.arraycopy(rest.received(), 0, whole, AFTER, rest.received().length);
            assertThat(rest.received()).hasSize(BODY - AFTER);
            assertThat(whole).isEqualTo(pattern(BODY));
        }
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL.withPath("/bytes/" + BODY), 1, Duration.ofSeconds(5)).get(0);
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.error()).isNull();
        assertThat(entry.faults()).containsExactly(rule.id());
    }

    @Test
    void aStallWithADurationEndsByItselfAndTheBodyCompletes() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(Hang.midBody(AFTER)).durationMs(600).build());
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

        try (Response response = client.newCall(new Request.Builder().url(url.resolve("/bytes/" + BODY).toString()).build())
                .execute()) {
            assertThat(response.body().bytes()).isEqualTo(pattern(BODY));
        }
        assertThat(Instant.now()).as("the body ended once the rule had expired").isAfterOrEqualTo(rule.expiresAt());
        assertThat(proxy.faults().rules()).isEmpty();
    }

    @Test
    void anUpstreamTargetStallsTheSameWay() throws Exception {
        stallAfter(AFTER, Target.UPSTREAM);
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(READ_TIMEOUT).build();

        try (Response response = client.newCall(new Request.Builder().url(url.resolve("/bytes/" + BODY).toString()).build())
                .execute()) {
            Partial partial = readUntilFailure(response.body().byteStream());
            assertThat(partial.failure()).isInstanceOf(SocketTimeoutException.class);
            assertThat(partial.body()).isEqualTo(pattern(AFTER));
        }
    }

    @Test
    void onHttp2OnlyTheStalledStreamWaits() throws Exception {
        stallAfter(AFTER, Target.CLIENT);
        OkHttpClient client = new OkHttpClient.Builder()
                .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                .readTimeout(Duration.ofSeconds(10))
                .build();

        try (Response stalled = client.newCall(new Request.Builder().url(url.resolve("/bytes/" + BODY).toString()).build())
                .execute()) {
            // (not InputStream.readNBytes: its last read asks okio for 0 bytes, which waits for more)
            assertThat(stalled.body().source().readByteArray(AFTER)).isEqualTo(pattern(AFTER));

            // another stream on the same connection, while the first is held
            for (int i = 0; i < 3; i++) {
                try (Response other = client.newCall(new Request.Builder().url(url.resolve("/other").toString()).build())
                        .execute()) {
                    assertThat(other.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
                    assertThat(other.code()).isEqualTo(200);
                }
            }
            assertThat(client.connectionPool().connectionCount()).isEqualTo(1);

        }
        // closing a response OkHttp has not read to the end resets its stream: the client gave up
        JournalEntry stalled = proxy.journal().await(JournalQuery.ALL.withPath("/bytes/" + BODY), 1, Duration.ofSeconds(5)).get(0);
        assertThat(stalled.error()).isEqualTo("client gave up during a mid-body hang after " + AFTER + " body bytes");
        assertThat(stalled.attempts()).singleElement().satisfies(attempt -> assertThat(attempt.status()).isEqualTo(200));
        assertThat(proxy.faults().rules()).as("the rule stays: only the client's giving up ended the exchange").hasSize(1);
    }
}
