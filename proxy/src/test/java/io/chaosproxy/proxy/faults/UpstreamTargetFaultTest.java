package io.chaosproxy.proxy.faults;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.RawHttp;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults with {@code target: upstream}: each attempt at the backend suffers the fault, so the
 * client sees what the proxy's resilience makes of a real failure (a backend's error passed on,
 * a reset retried or turned into 502, a silent backend into 504), and the journal shows every
 * attempt.
 */
class UpstreamTargetFaultTest {
    private static final long SLACK_MS = 1_500;

    private MockWebServer backend;
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend = FaultTestSupport.patternBackend();
        proxy = started(ResilienceSettings.defaults());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void anUpstreamErrorReachesTheClientAsTheBackendsOwnAnswer() throws Exception {
        InstalledRule rule = proxy.inject(upstream(new ErrorResponse(500, "backend broke", Map.of("X-Backend", "fake"))).build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /orders HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(500);
            assertThat(reply.bodyText()).isEqualTo("backend broke");
            assertThat(reply.header("X-Backend")).isEqualTo("fake");
            assertThat(reply.header("Via")).as("relayed like any backend answer").contains("chaos-proxy");
            assertThat(reply.header("X-Request-Id")).isNotBlank();
        }
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).isEqualTo(500);
        assertThat(entry.attempts()).extracting(Attempt::status).containsExactly(500);
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(backendCalls()).as("the backend was never called").isZero();
    }

    @Test
    void anUpstream503IsRetriedLikeARealOne() throws Exception {
        InstalledRule rule = proxy.inject(upstream(new ErrorResponse(503)).times(2).build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/3 HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).hasSize(3);
        }
        JournalEntry entry = onlyEntry();
        assertThat(entry.attempts()).extracting(Attempt::status).containsExactly(503, 503, 200);
        // the exchange lists the rule once; the rule's own count says it fired on two of the three attempts
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(entry.attempts()).extracting(Attempt::faults)
                .containsExactly(List.of(rule.id()), List.of(rule.id()), List.of()); // each try keeps its own
        assertThat(rule.fired()).isEqualTo(2);
        assertThat(backendCalls()).isEqualTo(1);
    }

    @Test
    void anUpstreamResetOnAPostIsA502AndNeverRetried() throws Exception {
        InstalledRule rule = proxy.inject(upstream(new Drop()).build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("POST /payments HTTP/1.1\nHost: x\nContent-Length: 5", "hello".getBytes()).read(false);
            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.header("Content-Type")).isEqualTo("application/json");
            assertThat(reply.bodyText()).contains("\"error\"").contains("\"requestId\":\"" + reply.header("X-Request-Id") + "\"");
        }
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).isEqualTo(502);
        assertThat(entry.attempts()).singleElement().satisfies(attempt -> {
            assertThat(attempt.status()).isNull();
            assertThat(attempt.error()).contains("reset");
        });
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(backendCalls()).isZero();
    }

    @Test
    void anUpstreamResetOnAGetIsRetriedAndTheRetrySucceeds() throws Exception {
        InstalledRule rule = proxy.inject(upstream(new Drop()).times(1).build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/4 HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).hasSize(4);
        }
        JournalEntry entry = onlyEntry();
        assertThat(entry.attempts()).hasSize(2);
        assertThat(entry.attempts().get(0).error()).contains("reset");
        assertThat(entry.attempts().get(1).status()).isEqualTo(200);
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(backendCalls()).isEqualTo(1);
    }

    @Test
    void anUpstreamHangIsA504AfterTheTryTimeout() throws Exception {
        proxy.close();
        proxy = started(ResilienceSettings.builder().tryTimeout(Duration.ofMillis(300)).maxAttempts(1).build());
        InstalledRule rule = proxy.inject(upstream(new Hang()).build());

        long start = System.nanoTime();
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/5 HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(504);
            assertThat(reply.header("X-Request-Id")).isNotBlank();
        }
        assertThat(FaultTestSupport.millisSince(start)).isBetween(300L - 5, 300 + SLACK_MS);
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).isEqualTo(504);
        assertThat(entry.attempts()).singleElement().satisfies(attempt -> assertThat(attempt.error()).contains("timeout"));
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(backendCalls()).isZero();
    }

    @Test
    void anUpstreamLatencyLongerThanTheTryTimeoutIsA504() throws Exception {
        proxy.close();
        proxy = started(ResilienceSettings.builder().tryTimeout(Duration.ofMillis(300)).maxAttempts(1).build());
        proxy.inject(upstream(new Latency(2_000)).build());

        long start = System.nanoTime();
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send("GET /bytes/5 HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(504);
        }
        assertThat(FaultTestSupport.millisSince(start)).isBetween(300L - 5, 300 + SLACK_MS);
        assertThat(backendCalls()).as("the attempt ended before the delay did").isZero();
    }

    @Test
    void anUpstreamLatencyDelaysEachAttempt() throws Exception {
        InstalledRule rule = proxy.inject(upstream(new Latency(250)).build());

        long start = System.nanoTime();
        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send("GET /bytes/5 HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(200);
        }
        assertThat(FaultTestSupport.millisSince(start)).isBetween(250L - 5, 250 + SLACK_MS);
        assertThat(onlyEntry().faults()).containsExactly(rule.id());
    }

    /** As from a real backend reached through OkHttp, which sends an HTTP/1.1 body before it reads the answer. */
    @Test
    void anUpstreamErrorOnAnUploadComesOnceTheBodyIsInAndTheConnectionServesTheNextRequest() throws Exception {
        InstalledRule rule = proxy.inject(upstream(new ErrorResponse(503)).methods("POST").build());

        try (RawHttp client = new RawHttp(url)) {
            client.send("POST /payments HTTP/1.1\nHost: x\nTransfer-Encoding: chunked", null)
                    .sendRaw("5\r\nhello\r\n".getBytes(US_ASCII));
            await("the attempt began").atMost(Duration.ofSeconds(10)).until(() -> rule.fired() == 1);
            assertThat(proxy.journal().entries()).as("no answer while the upload goes on").isEmpty();

            client.sendRaw("0\r\n\r\n".getBytes(US_ASCII));
            RawHttp.Reply reply = client.read(false);
            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.header("Connection")).as("the answer keeps the connection").isNull();
            RawHttp.Reply next = client.send("GET /bytes/3 HTTP/1.1\nHost: x", null).read(false);
            assertThat(next.status()).as("the same connection carries the next request").isEqualTo(200);
        }
        assertThat(backendCalls()).as("only the GET reached the backend").isEqualTo(1);
    }

    @Test
    void anUploadRetriedAfterAnUpstream503ReachesTheBackendByteForByte() throws Exception {
        InstalledRule rule = proxy.inject(upstream(new ErrorResponse(503)).times(1).build());
        byte[] body = new byte[100_000];
        io.chaosproxy.proxy.testing.PatternServer.fill(body, 0, body.length);

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("PUT /items/7 HTTP/1.1\nHost: x\nContent-Length: " + body.length, body).read(false);
            assertThat(reply.status()).as("the retry's answer").isEqualTo(200);
        }
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(backendCalls()).isEqualTo(1);
        assertThat(backend.takeRequest().getBody().toByteArray()).as("the body the fault read, sent again whole").isEqualTo(body);
        assertThat(onlyEntry().attempts()).extracting(Attempt::status).containsExactly(503, 200);
    }

    @Test
    void upstreamFailuresOpenTheBreakerLikeRealOnes() throws Exception {
        proxy.inject(upstream(new ErrorResponse(500)).methods("POST").build());

        for (int i = 0; i < ResilienceSettings.DEFAULT_BREAKER_FAILURES; i++) {
            try (RawHttp client = new RawHttp(url)) {
                assertThat(client.send("POST /payments HTTP/1.1\nHost: x\nContent-Length: 0", null).read(false).status()).isEqualTo(500);
            }
        }
        proxy.faults().removeAll();

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/1 HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).as("the breaker opened on injected failures").isEqualTo(503);
            assertThat(reply.header("Retry-After")).isNotBlank();
        }
        assertThat(backendCalls()).isZero();
    }

    @Test
    void anUpstreamMidBodyDropTruncatesWhatTheClientGets() throws Exception {
        proxy.inject(upstream(new Drop(DropPoint.MID_BODY, 1_000, DropMode.CLOSE)).build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/50000 HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.truncated()).isTrue();
            assertThat(reply.body()).hasSize(1_000);
        }
        assertThat(onlyEntry().status()).as("the status the client got, cut mid-body").isEqualTo(200);
    }

    @Test
    void aClientRuleAndAnUpstreamRuleNeverStandInForEachOther() throws Exception {
        InstalledRule clientSide = proxy.inject(FaultRule.builder(new ErrorResponse(418)).path("/client").build());
        InstalledRule upstreamSide = proxy.inject(upstream(new ErrorResponse(500)).path("/upstream").build());

        try (RawHttp client = new RawHttp(url)) {
            assertThat(client.send("GET /client HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(418);
            assertThat(client.send("GET /upstream HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(500);
        }
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, 2, Duration.ofSeconds(5));
        assertThat(entries).filteredOn(entry -> entry.path().equals("/client"))
                .singleElement().satisfies(entry -> assertThat(entry.attempts()).as("a client fault calls no backend").isEmpty());
        assertThat(entries).filteredOn(entry -> entry.path().equals("/upstream"))
                .singleElement().satisfies(entry -> assertThat(entry.attempts()).hasSize(1));
        assertThat(clientSide.fired()).isEqualTo(1);
        assertThat(upstreamSide.fired()).isEqualTo(1);
    }

    private ChaosProxyServer started(ResilienceSettings settings) throws Exception {
        ChaosProxyServer started = ChaosProxyServer.builder().upstream(backend.url("/").toString()).resilience(settings).seed(17).build().start();
        url = started.url();
        return started;
    }

    private static FaultRule.Builder upstream(io.chaosproxy.faults.Fault fault) {
        return FaultRule.builder(fault).target(Target.UPSTREAM);
    }

    private int backendCalls() {
        return backend.getRequestCount();
    }

    private JournalEntry onlyEntry() throws InterruptedException {
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, 1, Duration.ofSeconds(5));
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }
}
