package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.RawHttp;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which requests a rule hits, through real traffic: every condition of {@code match} must hold,
 * and {@code proxy} limits a rule to one named proxy. A hit shows as the rule's 418.
 */
class RuleMatchingTest {
    private static final int HIT = 418;

    private MockWebServer backend;
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = FaultTestSupport.backendAnswering("ok");
        URI upstream = URI.create(backend.url("/").toString());
        proxy = ChaosProxyServer.builder()
                .upstream(upstream.toString())
                .proxy(new ProxySpec("payments", HostPort.loopback(0), List.of(upstream)))
                .seed(13)
                .build().start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void methodsListsTheOnlyMethodsHit() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(teapot()).methods("POST", "DELETE").build());

        assertThat(status("GET", "/orders")).isEqualTo(200);
        assertThat(status("POST", "/orders")).isEqualTo(HIT);
        assertThat(status("DELETE", "/orders/1")).isEqualTo(HIT);
        assertThat(status("PUT", "/orders/1")).isEqualTo(200);
        assertThat(rule.fired()).isEqualTo(2);
        assertThat(rule.matched()).as("requests that did not match are not counted").isEqualTo(2);
    }

    @Test
    void aSingleStarIsExactlyOneSegment() throws Exception {
        proxy.inject(FaultRule.builder(teapot()).path("/orders/*").build());

        assertThat(status("GET", "/orders/42")).isEqualTo(HIT);
        assertThat(status("GET", "/orders/42?expand=items")).as("the query is not part of the path").isEqualTo(HIT);
        assertThat(status("GET", "/orders/42/items")).isEqualTo(200);
        assertThat(status("GET", "/orders")).isEqualTo(200);
        assertThat(status("GET", "/orderz/42")).isEqualTo(200);
    }

    @Test
    void aDoubleStarIsAnyNumberOfSegments() throws Exception {
        proxy.inject(FaultRule.builder(teapot()).path("/orders/**").build());

        assertThat(status("GET", "/orders")).isEqualTo(HIT);
        assertThat(status("GET", "/orders/42")).isEqualTo(HIT);
        assertThat(status("GET", "/orders/42/items/7")).isEqualTo(HIT);
        assertThat(status("GET", "/ordersandmore")).isEqualTo(200);
        assertThat(status("GET", "/api/orders/42")).isEqualTo(200);
    }

    @Test
    void aStarInsideASegmentMatchesWithinIt() throws Exception {
        proxy.inject(FaultRule.builder(teapot()).path("/files/*.json").build());

        assertThat(status("GET", "/files/report.json")).isEqualTo(HIT);
        assertThat(status("GET", "/files/report.xml")).isEqualTo(200);
        assertThat(status("GET", "/files/2024/report.json")).isEqualTo(200);
    }

    @Test
    void aHeaderMustBeSentWithExactlyThatValueUnderAnySpellingOfItsName() throws Exception {
        proxy.inject(FaultRule.builder(teapot()).header("X-Tenant", "acme").build());

        assertThat(status("GET", "/", "X-Tenant: acme")).isEqualTo(HIT);
        assertThat(status("GET", "/", "x-tenant: acme")).isEqualTo(HIT);
        assertThat(status("GET", "/", "X-Tenant: Acme")).as("values compare exactly").isEqualTo(200);
        assertThat(status("GET", "/", "X-Tenant: other")).isEqualTo(200);
        assertThat(status("GET", "/")).isEqualTo(200);
    }

    @Test
    void everyConditionMustHoldAtOnce() throws Exception {
        proxy.inject(FaultRule.builder(teapot()).methods("POST").path("/orders/**").header("X-Tenant", "acme").build());

        assertThat(status("POST", "/orders/1", "X-Tenant: acme")).isEqualTo(HIT);
        assertThat(status("GET", "/orders/1", "X-Tenant: acme")).isEqualTo(200);
        assertThat(status("POST", "/users/1", "X-Tenant: acme")).isEqualTo(200);
        assertThat(status("POST", "/orders/1", "X-Tenant: other")).isEqualTo(200);
    }

    @Test
    void aRuleForOneNamedProxyLeavesTheOthersAlone() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(teapot()).proxy("payments").build());

        assertThat(status(proxy.url(), "GET", "/charge")).isEqualTo(200);
        assertThat(status(proxy.url("payments"), "GET", "/charge")).isEqualTo(HIT);

        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, 2, Duration.ofSeconds(5));
        assertThat(entries).extracting(JournalEntry::proxy, JournalEntry::status)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("default", 200),
                        org.assertj.core.groups.Tuple.tuple("payments", HIT));
        assertThat(proxy.journal().query(JournalQuery.ALL.withFault(rule.id())))
                .singleElement().satisfies(entry -> assertThat(entry.proxy()).isEqualTo("payments"));
    }

    @Test
    void aRuleWithoutAProxyHitsEveryProxy() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(teapot()).build());

        assertThat(status(proxy.url(), "GET", "/")).isEqualTo(HIT);
        assertThat(status(proxy.url("payments"), "GET", "/")).isEqualTo(HIT);
        assertThat(rule.fired()).isEqualTo(2);
        assertThat(backend.getRequestCount()).isZero();
    }

    private static ErrorResponse teapot() {
        return new ErrorResponse(HIT);
    }

    private int status(String method, String target, String... headers) throws Exception {
        return status(proxy.url(), method, target, headers);
    }

    private static int status(URI proxyUrl, String method, String target, String... headers) throws Exception {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\nHost: x");
        for (String header : headers) {
            head.append('\n').append(header);
        }
        if (method.equals("POST") || method.equals("PUT")) {
            head.append("\nContent-Length: 0");
        }
        try (RawHttp client = new RawHttp(proxyUrl)) {
            RawHttp.Reply reply = client.send(head.toString(), null).read(false);
            assertThat(reply.header("X-Request-Id")).isNotBlank();
            return reply.status();
        }
    }
}
