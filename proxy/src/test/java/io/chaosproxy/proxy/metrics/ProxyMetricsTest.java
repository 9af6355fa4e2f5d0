package io.chaosproxy.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    private final ProxyMetrics metrics = new ProxyMetrics();

    @Test
    void countsExchangesByProxyAndStatusWithDroppedForNoStatus() {
        metrics.onExchange(entry("default", 200, 1), null, List.of());
        metrics.onExchange(entry("default", 200, 1), null, List.of());
        metrics.onExchange(entry("payments", 503, 1), null, List.of());
        metrics.onExchange(entry("default", null, 0), null, List.of());

        String text = metrics.scrape();

        assertThat(text).contains("chaosproxy_requests_total{proxy=\"default\",status=\"200\"} 2.0");
        assertThat(text).contains("chaosproxy_requests_total{proxy=\"payments\",status=\"503\"} 1.0");
        assertThat(text).contains("chaosproxy_requests_total{proxy=\"default\",status=\"dropped\"} 1.0");
    }

    @Test
    void retriesAreTheAttemptsBeyondTheFirst() {
        metrics.onExchange(entry("default", 200, 3), null, List.of());
        metrics.onExchange(entry("default", 200, 1), null, List.of());

        assertThat(metrics.scrape()).contains("chaosproxy_retries_total{proxy=\"default\"} 2.0");
        assertThat(metrics.counts().retries()).isEqualTo(2);
    }

    @Test
    void exchangeAndAttemptDurationsAreHistogramsInSeconds() {
        metrics.onExchange(entry("default", 200, 2), null, List.of());

        String text = metrics.scrape();

        assertThat(text).contains("chaosproxy_exchange_seconds_bucket{proxy=\"default\",le=\"0.25\"} 1");
        assertThat(text).contains("chaosproxy_exchange_seconds_count{proxy=\"default\"} 1");
        assertThat(text).contains("chaosproxy_upstream_attempt_seconds_count{proxy=\"default\"} 2");
        assertThat(text).contains("chaosproxy_upstream_attempt_seconds_bucket{proxy=\"default\",le=\"+Inf\"} 2");
    }

    @Test
    void firedRulesAreCountedByNameAndType() {
        FaultEngine engine = new FaultEngine(1, Clock.systemUTC());
        InstalledRule error = engine.install(FaultRule.builder(new ErrorResponse(503, "", Map.of())).name("boom").build(), "api");
        InstalledRule latency = engine.install(FaultRule.builder(new Latency(10, 0)).build(), "api");

        metrics.onExchange(entry("default", 503, 0), null, List.of(error, latency));
        metrics.onExchange(entry("default", 503, 0), null, List.of(error));

        String text = metrics.scrape();
        assertThat(text).contains("chaosproxy_faults_fired_total{rule=\"boom\",type=\"error\"} 2.0");
        assertThat(text).contains("chaosproxy_faults_fired_total{rule=\"" + latency.rule().name() + "\",type=\"latency\"} 1.0");
        assertThat(metrics.counts().faultsFired()).isEqualTo(3);
    }

    @Test
    void ruleSeriesAreCappedSoEndlessRuleNamesCannotExhaustMemory() {
        FaultEngine engine = new FaultEngine(1, Clock.systemUTC());
        for (int i = 0; i < ProxyMetrics.MAX_RULE_SERIES + 5; i++) {
            InstalledRule rule = engine.install(FaultRule.builder(new Latency(1, 0)).build(), "api");
            metrics.onExchange(entry("default", 200, 1), null, List.of(rule));
            engine.remove(rule.id());
        }

        assertThat(metrics.scrape()).contains("rule=\"" + ProxyMetrics.OTHER_RULES + "\"");
    }

    @Test
    void countsGroupStatusesByClass() {
        metrics.onExchange(entry("default", 204, 1), null, List.of());
        metrics.onExchange(entry("default", 302, 1), null, List.of());
        metrics.onExchange(entry("default", 404, 1), null, List.of());
        metrics.onExchange(entry("a", 502, 1), null, List.of());
        metrics.onExchange(entry("a", null, 1), null, List.of());

        ProxyMetrics.Counts all = metrics.counts();
        assertThat(all.requests()).isEqualTo(5);
        assertThat(all.status2xx()).isEqualTo(1);
        assertThat(all.status3xx()).isEqualTo(1);
        assertThat(all.status4xx()).isEqualTo(1);
        assertThat(all.status5xx()).isEqualTo(1);
        assertThat(all.dropped()).isEqualTo(1);
        assertThat(metrics.counts("a").requests()).isEqualTo(2);
        assertThat(metrics.counts("nobody").requests()).isZero();
    }

    @Test
    void breakerGaugesFollowTheLiveBackends() throws Exception {
        try (ChaosProxyServer server = ChaosProxyServer.builder().upstream("http://127.0.0.1:1/").build().start()) {
            metrics.bind(server::proxies, server.faults());

            assertThat(metrics.scrape())
                    .contains("chaosproxy_breaker_state{backend=\"http://127.0.0.1:1/\",proxy=\"default\"} 0")
                    .contains("chaosproxy_breaker_openings_total{backend=\"http://127.0.0.1:1/\",proxy=\"default\"} 0")
                    .contains("chaosproxy_faults_active 0");

            server.upstreams(List.of(URI.create("http://127.0.0.1:2/")));
            String after = metrics.scrape();
            assertThat(after).contains("chaosproxy_breaker_state{backend=\"http://127.0.0.1:2/\",proxy=\"default\"} 0");
            assertThat(after).doesNotContain("http://127.0.0.1:1/");
        }
    }

    @Test
    void scrapeWorksBeforeAnyTrafficOrBinding() {
        assertThat(metrics.scrape()).isNotNull();
        assertThat(metrics.counts().requests()).isZero();
    }

    private static JournalEntry entry(String proxy, Integer status, int attempts) {
        List<Attempt> tried = new java.util.ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            tried.add(new Attempt("http://backend/", i == attempts - 1 ? status : Integer.valueOf(503), null, 20));
        }
        return new JournalEntry("id", proxy, "GET", "/", status, List.of(), tried, 120, Instant.now(), null, null);
    }
}
