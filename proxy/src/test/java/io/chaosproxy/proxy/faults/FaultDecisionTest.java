package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.PatternServer;
import io.chaosproxy.proxy.testing.RawHttp;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When a matching rule fires, through real traffic: {@code probability} with its seed,
 * {@code times}, {@code after} and {@code durationMs}; and that the journal and the rule's
 * {@code fired} count agree with what the clients saw.
 */
class FaultDecisionTest {
    private final PatternServer backend = new PatternServer();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<ChaosProxyServer> proxies = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        backend.start();
    }

    @AfterEach
    void stop() throws Exception {
        proxies.forEach(ChaosProxyServer::close);
        backend.close();
    }

    @Test
    void probabilityZeroNeverFiresAndOneAlwaysDoes() throws Exception {
        ChaosProxyServer proxy = proxy(1);
        InstalledRule never = proxy.inject(FaultRule.builder(new ErrorResponse(500)).path("/never").probability(0).build());
        InstalledRule always = proxy.inject(FaultRule.builder(new ErrorResponse(503)).path("/always").probability(1).build());

        assertThat(RawHttp.pipelinedStatuses(proxy.url(), 200, i -> "GET /" + (i % 2 == 0 ? "never" : "always") + " HTTP/1.1\nHost: x"))
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 200).mapToObj(i -> i % 2 == 0 ? 200 : 503).toList());
        assertThat(never.fired()).isZero();
        assertThat(never.matched()).isEqualTo(100);
        assertThat(always.fired()).isEqualTo(100);
    }

    @Test
    void probabilityFiresForItsShareOfTwoThousandRequests() throws Exception {
        int requests = 2_000;
        double probability = 0.3;
        ChaosProxyServer proxy = proxy(20_240_611);
        InstalledRule rule = proxy.inject(FaultRule.builder(new ErrorResponse(500)).probability(probability).build());
        // Whatever the first rule lets through, a younger always-on rule answers with 418: the
        // proxy answers all 2,000 itself, quickly, and an older rule that fired hides the younger.
        InstalledRule rest = proxy.inject(FaultRule.builder(new ErrorResponse(418)).build());

        List<Integer> statuses = statusesConcurrently(proxy, requests, 8);

        long failed = statuses.stream().filter(status -> status == 500).count();
        // binomial(2000, 0.3): mean 600, standard deviation 20.5; 4.5 sigma either side
        double sigma = Math.sqrt(requests * probability * (1 - probability));
        assertThat((double) failed).isBetween(requests * probability - 4.5 * sigma, requests * probability + 4.5 * sigma);
        assertThat(statuses.stream().filter(status -> status == 418).count()).isEqualTo(requests - failed);
        assertThat(rule.fired()).isEqualTo(failed);
        assertThat(rest.fired()).isEqualTo(requests - failed);
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, requests, Duration.ofSeconds(10));
        assertThat(entries).hasSize(requests).allSatisfy(entry -> assertThat(entry.faults()).hasSize(1));
        assertThat(entries.stream().filter(entry -> entry.faults().contains(rule.id())).count()).isEqualTo(failed);
        assertThat(entries).allSatisfy(entry ->
                assertThat(entry.status()).isEqualTo(entry.faults().contains(rule.id()) ? 500 : 418));
    }

    @Test
    void theSameSeedMakesTheSameDecisionsForTheSameRequests() throws Exception {
        List<String> first = faultPattern(proxy(42));
        List<String> second = faultPattern(proxy(42));
        List<String> otherSeed = faultPattern(proxy(43));

        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(first).as("the pattern has every outcome in it").contains("200 []", "500 [f1]", "503 [f2]", "200 [f3]");
    }

    @Test
    void theSeedInUseIsTheOneGiven() throws Exception {
        assertThat(proxy(987_654_321L).seed()).isEqualTo(987_654_321L);
    }

    @Test
    void timesFiresForTheFirstRequestsOnly() throws Exception {
        ChaosProxyServer proxy = proxy(2);
        InstalledRule rule = proxy.inject(FaultRule.builder(new ErrorResponse(503)).times(3).build());

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            statuses.add(status(proxy, "/n/" + i));
        }

        assertThat(statuses).containsExactly(503, 503, 503, 200, 200, 200, 200, 200);
        assertThat(rule.fired()).isEqualTo(3);
        assertThat(rule.exhausted()).isTrue();
        assertThat(proxy.faults().rules()).as("an exhausted rule stays listed").contains(rule);
    }

    @Test
    void afterLetsTheFirstRequestsSucceedThenFails() throws Exception {
        ChaosProxyServer proxy = proxy(3);
        InstalledRule rule = proxy.inject(FaultRule.builder(new ErrorResponse(500)).after(2).build());

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(status(proxy, "/n/" + i));
        }

        assertThat(statuses).containsExactly(200, 200, 500, 500, 500, 500);
        assertThat(rule.matched()).isEqualTo(6);
        assertThat(rule.fired()).isEqualTo(4);
    }

    @Test
    void afterAndTimesTogetherMakeAWindowOfFailures() throws Exception {
        ChaosProxyServer proxy = proxy(4);
        InstalledRule rule = proxy.inject(FaultRule.builder(new ErrorResponse(500)).after(2).times(2).build());

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(status(proxy, "/n/" + i));
        }

        assertThat(statuses).containsExactly(200, 200, 500, 500, 200, 200);
        assertThat(rule.fired()).isEqualTo(2);
    }

    @Test
    void aRuleStopsFiringWhenItsDurationRunsOut() throws Exception {
        ChaosProxyServer proxy = proxy(5);
        InstalledRule rule = proxy.inject(FaultRule.builder(new ErrorResponse(503)).durationMs(400).build());

        assertThat(status(proxy, "/early")).isEqualTo(503);
        // not a hopeful sleep: the rule says when it expires
        long untilExpiry = Duration.between(Instant.now(), rule.expiresAt()).toMillis();
        if (untilExpiry > 0) {
            Thread.sleep(untilExpiry + 1);
        }
        assertThat(status(proxy, "/late")).isEqualTo(200);
        assertThat(proxy.faults().rules()).doesNotContain(rule);
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(proxy.journal().await(JournalQuery.ALL, 2, Duration.ofSeconds(5)))
                .extracting(JournalEntry::path, JournalEntry::faults)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("/early", List.of(rule.id())),
                        org.assertj.core.groups.Tuple.tuple("/late", List.of()));
    }

    /** 120 requests one after another, each written as "status [fired rule ids]". */
    private List<String> faultPattern(ChaosProxyServer proxy) throws Exception {
        proxy.inject(FaultRule.builder(new ErrorResponse(500)).probability(0.2).build());   // f1
        proxy.inject(FaultRule.builder(new ErrorResponse(503)).probability(0.3).build());   // f2
        proxy.inject(FaultRule.builder(new Bandwidth(1 << 30)).probability(0.5).build());   // f3
        // one connection, pipelined: the proxy takes the requests strictly one after another
        RawHttp.pipelinedStatuses(proxy.url(), 120, i -> String.format("GET /bytes/2 HTTP/1.1\nHost: x\nX-Request-Id: seq-%03d", i));
        // in request order: the journal holds exchanges in the order they finished, and a client
        // may have its whole answer (and send the next request) a moment before the proxy has
        // finished its books on the previous one
        return proxy.journal().await(JournalQuery.ALL, 120, Duration.ofSeconds(5)).stream()
                .sorted(java.util.Comparator.comparing(JournalEntry::requestId))
                .map(entry -> entry.status() + " " + entry.faults())
                .toList();
    }

    private ChaosProxyServer proxy(long seed) throws Exception {
        ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(seed).build().start();
        proxies.add(proxy);
        return proxy;
    }

    private int status(ChaosProxyServer proxy, String path) throws Exception {
        // the pattern backend answers 200 to any path
        return client.send(HttpRequest.newBuilder(proxy.url().resolve(path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** {@code requests} over {@code connections} pipelined connections at once; statuses in no particular order. */
    private static List<Integer> statusesConcurrently(ChaosProxyServer proxy, int requests, int connections) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<List<Integer>>> parts = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                parts.add(pool.submit(() -> RawHttp.pipelinedStatuses(proxy.url(), requests / connections,
                        i -> "GET /bytes/2 HTTP/1.1\nHost: x")));
            }
            List<Integer> all = new ArrayList<>();
            for (Future<List<Integer>> part : parts) {
                all.addAll(part.get(40, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
