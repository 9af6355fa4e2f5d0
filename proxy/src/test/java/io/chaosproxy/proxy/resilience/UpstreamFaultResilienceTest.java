package io.chaosproxy.proxy.resilience;

import static io.chaosproxy.proxy.resilience.Answers.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.resilience.ProxyWithBackends.Reply;
import java.time.Duration;
import java.util.Map;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rule with {@code target: upstream} fails each attempt it fires on as the backend would have,
 * so retries, breakers and the journal react exactly as to the real thing; a client-target rule
 * answers the client directly and nothing is retried.
 */
class UpstreamFaultResilienceTest {
    private ProxyWithBackends proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void anUpstreamErrorThatFiresOnceIsHealedByARetry() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.always(proxy.backends, ok("real"));
        InstalledRule rule = proxy.server.inject(FaultRule.builder(new ErrorResponse(503)).target(Target.UPSTREAM).times(1).build());

        Reply reply = proxy.get("/orders");

        assertThat(reply.text()).isEqualTo("real");
        assertThat(proxy.upstreamRequests()).as("the injected 503 never reached a backend").isEqualTo(1);
        JournalEntry entry = proxy.journalEntry("/orders");
        assertThat(entry.attempts()).extracting(Attempt::status).containsExactly(503, 200);
        assertThat(entry.attempts().get(0).backend()).isNotEqualTo(entry.attempts().get(1).backend());
        assertThat(entry.faults()).containsExactly(rule.id());
    }

    @Test
    void anUpstreamResetThatFiresOnceIsHealedByARetry() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.always(proxy.backends, ok("real"));
        proxy.server.inject(FaultRule.builder(new Drop()).target(Target.UPSTREAM).times(1).build());

        assertThat(proxy.get("/orders").text()).isEqualTo("real");

        assertThat(proxy.journalEntry("/orders").attempts()).extracting(Attempt::error)
                .containsExactly("reset (injected)", null);
    }

    @Test
    void upstreamErrorsOpenTheBreakerLikeRealOnes() throws Exception {
        proxy = ProxyWithBackends.start(1, ProxyWithBackends.quickSettings()
                .maxAttempts(1).breakerFailures(2).breakerCooldown(Duration.ofSeconds(10)).build());
        proxy.server.inject(FaultRule.builder(new ErrorResponse(503, "injected", Map.of())).target(Target.UPSTREAM).build());

        assertThat(proxy.get("/a").text()).isEqualTo("injected");
        assertThat(proxy.get("/b").text()).isEqualTo("injected");
        Reply shortCircuited = proxy.get("/c");

        assertThat(shortCircuited.status()).isEqualTo(503);
        assertThat(shortCircuited.header("Retry-After")).isNotNull();
        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.OPEN);
        assertThat(proxy.journalEntry("/c").attempts()).extracting(Attempt::error).containsExactly("breaker open");
        assertThat(proxy.upstreamRequests()).isZero();
    }

    @Test
    void upstreamResetsOpenTheBreakerLikeRealOnes() throws Exception {
        proxy = ProxyWithBackends.start(1, ProxyWithBackends.quickSettings()
                .maxAttempts(1).breakerFailures(2).breakerCooldown(Duration.ofSeconds(10)).build());
        proxy.server.inject(FaultRule.builder(new Drop()).target(Target.UPSTREAM).build());

        assertThat(proxy.get("/a").status()).isEqualTo(502);
        assertThat(proxy.get("/b").status()).isEqualTo(502);

        assertThat(proxy.get("/c").status()).isEqualTo(503);
        assertThat(proxy.breaker(0).state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void aPostMeetingAnUpstreamErrorIsNotRetried() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.always(proxy.backends, ok("real"));
        proxy.server.inject(FaultRule.builder(new ErrorResponse(503)).target(Target.UPSTREAM).times(1).build());

        Reply reply = proxy.send("POST", "/payments", RequestBody.create(new byte[] {1, 2, 3}, null));

        assertThat(reply.status()).isEqualTo(503);
        assertThat(proxy.upstreamRequests()).isZero();
        assertThat(proxy.journalEntry("/payments").attempts()).hasSize(1);
    }

    @Test
    void aClientTargetErrorAnswersTheClientAndIsNeverRetried() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().build());
        SharedScript.always(proxy.backends, ok("real"));
        proxy.server.inject(FaultRule.builder(new ErrorResponse(503, "client fault", Map.of())).times(1).build());

        Reply reply = proxy.get("/orders");

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.text()).isEqualTo("client fault");
        assertThat(proxy.upstreamRequests()).isZero();
        assertThat(proxy.journalEntry("/orders").attempts()).isEmpty();
    }

    @Test
    void upstreamLatencyCountsAgainstTheTryTimeoutLikeASlowBackend() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().tryTimeout(Duration.ofMillis(1000)).build());
        SharedScript.always(proxy.backends, ok("real"));
        proxy.server.inject(FaultRule.builder(new Latency(10_000)).target(Target.UPSTREAM).times(1).build());

        Reply reply = proxy.get("/orders");

        assertThat(reply.text()).isEqualTo("real");
        assertThat(reply.elapsedMillis()).isGreaterThanOrEqualTo(1000).isLessThan(5000);
        assertThat(proxy.upstreamRequests()).as("the delayed attempt was cut before it was sent").isEqualTo(1);
        assertThat(proxy.journalEntry("/orders").attempts()).extracting(Attempt::error).containsExactly("timeout", null);
    }

    @Test
    void anUpstreamHangTimesOutAndIsRetried() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().tryTimeout(Duration.ofMillis(1000)).build());
        SharedScript.always(proxy.backends, ok("real"));
        proxy.server.inject(FaultRule.builder(new Hang()).target(Target.UPSTREAM).times(1).build());

        Reply reply = proxy.get("/orders");

        assertThat(reply.text()).isEqualTo("real");
        assertThat(reply.elapsedMillis()).isGreaterThanOrEqualTo(1000);
        assertThat(proxy.journalEntry("/orders").attempts()).extracting(Attempt::error).containsExactly("timeout", null);
    }

    @Test
    void removingAnUpstreamHangLetsTheHeldAttemptGoOn() throws Exception {
        proxy = ProxyWithBackends.start(1, ProxyWithBackends.quickSettings().tryTimeout(Duration.ofSeconds(20)).build());
        SharedScript.always(proxy.backends, ok("released"));
        InstalledRule hang = proxy.server.inject(FaultRule.builder(new Hang()).target(Target.UPSTREAM).build());

        var pending = proxy.client.newCall(proxy.request("/held").build());
        var result = new java.util.concurrent.CompletableFuture<String>();
        pending.enqueue(new okhttp3.Callback() {
            @Override
            public void onFailure(okhttp3.Call call, java.io.IOException e) {
                result.completeExceptionally(e);
            }

            @Override
            public void onResponse(okhttp3.Call call, okhttp3.Response response) throws java.io.IOException {
                try (response) {
                    result.complete(response.body().string());
                }
            }
        });
        awaitFired(hang);
        assertThat(result).isNotDone();

        proxy.server.faults().remove(hang.id());

        assertThat(result.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("released");
        assertThat(proxy.journalEntry("/held").attempts()).extracting(Attempt::status).containsExactly(200);
    }

    @Test
    void anUpstreamHangThatExpiresLetsTheHeldAttemptGoOn() throws Exception {
        proxy = ProxyWithBackends.start(1, ProxyWithBackends.quickSettings().tryTimeout(Duration.ofSeconds(20)).build());
        SharedScript.always(proxy.backends, ok("after the hang"));
        proxy.server.inject(FaultRule.builder(new Hang()).target(Target.UPSTREAM).duration(Duration.ofMillis(500)).build());

        Reply reply = proxy.get("/held");

        assertThat(reply.text()).isEqualTo("after the hang");
        assertThat(reply.elapsedMillis()).as("held until the rule expired").isGreaterThanOrEqualTo(450).isLessThan(5000);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    private void awaitFired(InstalledRule rule) {
        await("the hang rule fired").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> proxy.server.faults().find(rule.id()).map(InstalledRule::fired).orElse(0L) >= 1);
    }
}
