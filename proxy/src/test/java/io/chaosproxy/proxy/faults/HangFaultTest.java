package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.PatternServer;
import io.chaosproxy.proxy.testing.RawHttp;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hang faults: no byte of a response until the client gives up or the rule goes away (removed or
 * expired); then the held requests go on to the backend as if nothing had happened.
 */
class HangFaultTest {
    /** How long "nothing arrives" is watched for: a negative can only be shown over some window. */
    private static final Duration SILENCE = Duration.ofMillis(300);
    private static final long SLACK_MS = 1_500;

    private MockWebServer backend;
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend = FaultTestSupport.backendAnswering("ok");
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(5).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void noResponseUntilTheRuleIsRemovedThenTheBackendAnswers() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());

        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write("GET /orders/1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            awaitFired(rule, 1);
            RawHttp.Ending silence = RawHttp.readToEnd(client, SILENCE);
            assertThat(silence.end()).isEqualTo(RawHttp.End.STILL_OPEN);
            assertThat(silence.received()).isEmpty();
            assertThat(backend.getRequestCount()).isZero();
            assertThat(proxy.journal().size()).isZero();

            assertThat(proxy.faults().remove(rule.id())).isTrue();

            assertThat(RawHttp.readOneResponse(client)).isEqualTo("HTTP/1.1 200 OK\nok");
        }
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, Duration.ofSeconds(5)).get(0);
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(entry.attempts()).hasSize(1);
        assertThat(entry.durationMs()).isGreaterThanOrEqualTo(SILENCE.toMillis());
        assertThat(backend.getRequestCount()).isEqualTo(1);
    }

    @Test
    void aClientWithATimeoutGivesUpAndTheBackendNeverHearsOfIt() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());
        HttpClient client = HttpClient.newHttpClient();

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(url.resolve("/orders")).timeout(Duration.ofMillis(400)).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        assertThat(FaultTestSupport.millisSince(start)).isGreaterThanOrEqualTo(400);
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void aHangRuleThatExpiresReleasesTheRequestsItHeld() throws Exception {
        long durationMs = 800;
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).durationMs(durationMs).build());
        Instant expiresAt = rule.expiresAt();

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /held HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.bodyText()).isEqualTo("ok");
        }
        // no other request came to prune the rule: the hung exchange noticed the expiry itself
        long lateMs = Duration.between(expiresAt, Instant.now()).toMillis();
        assertThat(lateMs).as("answered this long after the rule expired").isBetween(0L, SLACK_MS);
        assertThat(proxy.faults().rules()).isEmpty();
        assertThat(proxy.journal().await(JournalQuery.ALL, 1, Duration.ofSeconds(5)).get(0).faults()).containsExactly(rule.id());
    }

    @Test
    void removingEveryRuleReleasesEveryHeldRequestAndNoneHeldAThread() throws Exception {
        int requests = 50;
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                Socket client = new Socket(url.getHost(), url.getPort());
                client.getOutputStream().write(("GET /held/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                clients.add(client);
            }
            awaitFired(rule, requests);
            assertThat(FaultTestSupport.threadsRunningProxyCode()).as("threads inside the proxy while %d requests hang", requests).isLessThan(10);

            proxy.faults().removeAll();

            for (Socket client : clients) {
                assertThat(RawHttp.readOneResponse(client)).isEqualTo("HTTP/1.1 200 OK\nok");
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        assertThat(proxy.journal().await(JournalQuery.ALL.withStatus(200), requests, Duration.ofSeconds(5))).hasSize(requests);
    }

    @Test
    void aHangForTheFirstRequestOnlyLetsTheNextOnesThrough() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).times(1).build());

        try (Socket held = new Socket(url.getHost(), url.getPort())) {
            held.getOutputStream().write("GET /first HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            awaitFired(rule, 1);
            try (RawHttp next = new RawHttp(url)) {
                assertThat(next.send("GET /second HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(200);
            }
            assertThat(RawHttp.readToEnd(held, Duration.ofMillis(100)).received()).as("the first is still held").isEmpty();

            proxy.faults().remove(rule.id());
            assertThat(RawHttp.readOneResponse(held)).isEqualTo("HTTP/1.1 200 OK\nok");
        }
    }

    @Test
    void bandwidthThatFiredWithTheHangStillAppliesOnceItIsReleased() throws Exception {
        try (PatternServer bodies = new PatternServer().start()) {
            proxy.upstreams(List.of(bodies.url()));
            InstalledRule hang = proxy.inject(FaultRule.builder(new Hang()).build());
            proxy.inject(FaultRule.builder(new Bandwidth(4096)).build());

            try (RawHttp client = new RawHttp(url)) {
                client.send("GET /bytes/8192 HTTP/1.1\nHost: x", null);
                awaitFired(hang, 1);
                proxy.faults().remove(hang.id());
                long released = System.nanoTime();
                RawHttp.Reply reply = client.read(false);
                assertThat(reply.body()).hasSize(8192);
                // 8 KiB at 4 KiB/s, less the first slice that goes at once
                assertThat(FaultTestSupport.millisSince(released)).isGreaterThanOrEqualTo((8192 - 4096 / 20) * 1000L / 4096);
            }
        }
    }

    private static void awaitFired(InstalledRule rule, int times) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .untilAsserted(() -> assertThat(rule.fired()).as("requests the rule holds").isEqualTo(times));
    }
}
