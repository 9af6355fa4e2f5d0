package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.faults.Bandwidth;
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
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.testing.DeadPort;
import io.chaosproxy.proxy.testing.RawHttp;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several rules on one request: latencies add up, the lowest bandwidth applies alongside the
 * rest, and the oldest matching error, drop or hang answers while younger ones are not even
 * looked at. And whatever happens, every response the proxy sends carries an X-Request-Id.
 */
class CombinedFaultsTest {
    private static final long EARLY_MS = 5;
    private static final long SLACK_MS = 1_500;

    private MockWebServer backend;
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend = FaultTestSupport.patternBackend();
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(19).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void latenciesAddUp() throws Exception {
        InstalledRule first = proxy.inject(FaultRule.builder(new Latency(200)).build());
        InstalledRule second = proxy.inject(FaultRule.builder(new Latency(300)).build());

        long start = System.nanoTime();
        assertThat(get("/bytes/3").status()).isEqualTo(200);

        assertThat(FaultTestSupport.millisSince(start)).isBetween(500 - EARLY_MS, 500 + SLACK_MS);
        assertThat(onlyEntry().faults()).containsExactly(first.id(), second.id());
    }

    @Test
    void anErrorComesAfterTheLatency() throws Exception {
        proxy.inject(FaultRule.builder(new Latency(300)).build());
        proxy.inject(FaultRule.builder(new ErrorResponse(503)).build());

        long start = System.nanoTime();
        assertThat(get("/").status()).isEqualTo(503);

        assertThat(FaultTestSupport.millisSince(start)).isBetween(300 - EARLY_MS, 300 + SLACK_MS);
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void theOldestErrorDropOrHangWinsAndYoungerOnesAreNotCharged() throws Exception {
        InstalledRule error = proxy.inject(FaultRule.builder(new ErrorResponse(500)).times(1).build());
        InstalledRule drop = proxy.inject(FaultRule.builder(new Drop()).times(1).build());

        assertThat(get("/").status()).isEqualTo(500);
        assertThat(error.fired()).isEqualTo(1);
        assertThat(drop.fired()).isZero();
        assertThat(drop.matched()).as("a younger terminal rule never sees the request").isZero();
        assertThat(onlyEntry().faults()).containsExactly(error.id());

        // the error is spent: now the drop is the oldest that fires
        assertThat(RawHttp.sendAndReadToEnd(url, "GET / HTTP/1.1\nHost: x", Duration.ofSeconds(10)).end()).isEqualTo(RawHttp.End.RESET);
        assertThat(drop.fired()).isEqualTo(1);
    }

    @Test
    void anOlderHangHoldsTheRequestAndAYoungerErrorNeverAnswersIt() throws Exception {
        InstalledRule hang = proxy.inject(FaultRule.builder(new Hang()).build());
        InstalledRule error = proxy.inject(FaultRule.builder(new ErrorResponse(500)).build());

        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write("GET /bytes/2 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await("the hang rule fired").atMost(Duration.ofSeconds(10)).until(() -> hang.fired() == 1);
            proxy.faults().remove(hang.id());
            // the decision was made when the request came: the error was not part of it
            assertThat(RawHttp.readOneResponse(client)).startsWith("HTTP/1.1 200");
        }
        assertThat(error.fired()).isZero();
        assertThat(onlyEntry().faults()).containsExactly(hang.id());
    }

    @Test
    void theLowestBandwidthApplies() throws Exception {
        int body = 8 * 1024;
        long rate = 8 * 1024;
        proxy.inject(FaultRule.builder(new Bandwidth(1024 * 1024)).build());
        proxy.inject(FaultRule.builder(new Bandwidth(rate)).build());

        long start = System.nanoTime();
        RawHttp.Reply reply = get("/bytes/" + body);

        assertThat(reply.body()).hasSize(body);
        assertThat(FaultTestSupport.millisSince(start)).isBetween((body - rate / 20) * 1000 / rate, body * 1000 / rate + SLACK_MS);
    }

    @Test
    void latencyBandwidthAndAMidBodyDropAllApplyToOneResponse() throws Exception {
        long rate = 8 * 1024;
        int cut = 4 * 1024;
        InstalledRule latency = proxy.inject(FaultRule.builder(new Latency(200)).build());
        InstalledRule bandwidth = proxy.inject(FaultRule.builder(new Bandwidth(rate)).build());
        InstalledRule drop = proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, cut, DropMode.CLOSE)).build());

        long start = System.nanoTime();
        RawHttp.Reply reply = get("/bytes/50000");

        assertThat(reply.truncated()).isTrue();
        assertThat(reply.body()).hasSize(cut);
        assertThat(FaultTestSupport.millisSince(start)).isGreaterThanOrEqualTo(200 + (cut - rate / 20) * 1000 / rate);
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).as("the status the client got, cut mid-body").isEqualTo(200);
        assertThat(entry.faults()).containsExactly(latency.id(), bandwidth.id(), drop.id());
    }

    @Test
    void clientAndUpstreamRulesBothApplyToOneExchange() throws Exception {
        InstalledRule clientLatency = proxy.inject(FaultRule.builder(new Latency(200)).build());
        InstalledRule upstreamError = proxy.inject(FaultRule.builder(new ErrorResponse(500)).target(Target.UPSTREAM).build());

        long start = System.nanoTime();
        assertThat(get("/").status()).isEqualTo(500);

        assertThat(FaultTestSupport.millisSince(start)).isGreaterThanOrEqualTo(200 - EARLY_MS);
        assertThat(onlyEntry().faults()).containsExactly(clientLatency.id(), upstreamError.id());
    }

    @Test
    void everyResponseTheProxySendsCarriesARequestId() throws Exception {
        Set<String> ids = new HashSet<>();
        // relayed from the backend
        ids.add(requestIdOf(get("/bytes/1")));
        // an injected error
        InstalledRule error = proxy.inject(FaultRule.builder(new ErrorResponse(503)).path("/error").build());
        ids.add(requestIdOf(get("/error")));
        // an upstream error, relayed as the backend's
        proxy.inject(FaultRule.builder(new ErrorResponse(500)).path("/upstream-error").target(Target.UPSTREAM).build());
        ids.add(requestIdOf(get("/upstream-error")));
        // the proxy's own 502 after an injected reset of a POST
        proxy.inject(FaultRule.builder(new Drop()).path("/upstream-reset").target(Target.UPSTREAM).build());
        try (RawHttp client = new RawHttp(url)) {
            ids.add(requestIdOf(client.send("POST /upstream-reset HTTP/1.1\nHost: x\nContent-Length: 0", null).read(false)));
        }
        // the headers that go out before an after-headers drop
        proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_HEADERS, 0, DropMode.CLOSE)).path("/cut").build());
        ids.add(requestIdOf(get("/cut")));
        // a backend that is not there at all
        proxy.upstreams(ProxySpec.DEFAULT_NAME, List.of(URI.create(DeadPort.url())));
        ids.add(requestIdOf(get("/unreachable")));

        assertThat(ids).as("one distinct id per exchange").hasSize(6);
        assertThat(error.fired()).isEqualTo(1);
    }

    private static String requestIdOf(RawHttp.Reply reply) {
        String id = reply.header("X-Request-Id");
        assertThat(id).as("X-Request-Id on a %d", reply.status()).isNotBlank();
        return id;
    }

    private RawHttp.Reply get(String target) throws Exception {
        try (RawHttp client = new RawHttp(url)) {
            return client.send("GET " + target + " HTTP/1.1\nHost: x", null).read(false);
        }
    }

    private JournalEntry onlyEntry() throws InterruptedException {
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, 1, Duration.ofSeconds(5));
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }
}
